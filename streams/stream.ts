// What a stream module declares (STYLE §9: registries, not switch on type).
import type { TObject } from 'typebox';

export interface StreamDef {
  /** The part of `type` before the dot. */
  readonly name: string;
  /** One TypeBox object schema per event type; its `type` property is a literal. */
  readonly events: readonly TObject[];
  /** Turns a validated, cleaned event into what may be stored (masks personal data), in place. */
  readonly toStored: (event: Record<string, unknown>) => void;
}

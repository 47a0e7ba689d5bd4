// Small helpers shared by the operations metrics: limits as typed parameters, and the integer arithmetic the screens rely on (ages, basis points, 0.1 °C).
import { Type, type Static, type TObject } from 'typebox';
import { Value } from 'typebox/value';

/** Rolling look-back of the live queues (pending prescriptions, warehouse backlog): bounds the scan. */
export const QUEUE_WINDOW_MS = 7 * 86_400_000;

export { msParam, rows } from '../query.ts';

/** An optional positive integer parameter with its default declared once, in the schema. */
export function intParam(defaultValue: number, maximum: number, description: string) {
  return Type.Optional(Type.Integer({ minimum: 1, maximum, default: defaultValue, description: `${description} (default ${defaultValue}, max ${maximum})` }));
}

/** A `resolve` that fills the schema's declared defaults, so the response shows the params really used. */
export function withDefaults<P extends TObject>(schema: P): (raw: Static<P>) => Static<P> {
  return (raw) => Value.Default(schema, { ...raw }) as Static<P>;
}

/** Whole seconds elapsed from `thenMs` to `nowMs`; an instant in the future (skewed source clock) is age 0. */
export function ageSeconds(nowMs: number, thenMs: number): number {
  return Math.max(0, Math.floor((nowMs - thenMs) / 1000));
}

/** part/whole in integer basis points, rounded down so 10000 means really all; null when whole is 0. */
export function basisPoints(part: number, whole: number): number | null {
  return whole === 0 ? null : Math.floor((part * 10_000) / whole);
}

/** Rounds to 0.1 (half away from zero, symmetric for sub-zero temperatures); null stays null. */
export function round1(x: number | null): number | null {
  if (x === null) return null;
  return (Math.sign(x) * Math.round(Math.abs(x) * 10)) / 10;
}

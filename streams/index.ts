// The stream registry: every stream RxPulse ingests, by name. Adding a stream = one folder + one line here.
import { ordersStream } from './orders/index.ts';
import type { StreamDef } from './stream.ts';

export const STREAMS: readonly StreamDef[] = [ordersStream];
export type { StreamDef } from './stream.ts';

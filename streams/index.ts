// The stream registry: every stream RxPulse ingests, by name (the part of `type` before the dot).
// Adding a stream = one folder + one line here.
import { inventoryStream } from './inventory/index.ts';
import { liveStream } from './live/index.ts';
import { ordersStream } from './orders/index.ts';
import { rxStream } from './rx/index.ts';
import { sensorStream } from './sensors/index.ts';
import type { StreamDef } from './stream.ts';
import { traceStream } from './trace/index.ts';

export const STREAMS: readonly StreamDef[] = [ordersStream, rxStream, inventoryStream, traceStream, sensorStream, liveStream];
export type { StreamDef } from './stream.ts';

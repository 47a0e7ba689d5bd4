// The orders stream of the demo day, for callers that only want orders (bench, server tests): the same
// events as streams/demo/day.ts, filtered, so both always agree. The generator itself lives in ./heads.ts
// (fate and timing), ./basket.ts (lines and prices) and ./events.ts (event shapes).
import { demoEventsForSecond } from '../demo/day.ts';
import { resolveOptions, type DemoOptions } from '../demo/options.ts';
import { orderBody, type DemoOrder } from './basket.ts';
import type { OrderEvent } from './events.ts';
import { headsOf } from './heads.ts';

export type { DemoOptions } from '../demo/options.ts';
export type { DemoOrder, OrderDetails, OrderLine } from './basket.ts';
export type * from './events.ts';
export { DEMO_LIFECYCLE, PAID_SHARE, REFUND_SHARE, BASKET_SHARES } from './heads.ts';
export { dayCurve } from '../demo/time.ts';

/** The order.* events of one second, in ts order. */
export function demoOrderEventsForSecond(opts: DemoOptions, epochSecond: number): OrderEvent[] {
  return demoEventsForSecond(opts, epochSecond).filter((e): e is OrderEvent => e.type.startsWith('order.'));
}

/** The orders created in one second (all of them, cancelled ones included), in order of `n`. */
export function demoOrdersForSecond(opts: DemoOptions, epochSecond: number): DemoOrder[] {
  if (!Number.isSafeInteger(epochSecond)) throw new RangeError('epochSecond must be an integer');
  const o = resolveOptions(opts);
  return headsOf(o, epochSecond).map((h) => orderBody(o, h));
}

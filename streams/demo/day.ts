// The demo 双11 day, every stream at once: `demoEventsForSecond(opts, s)` returns every event whose ts lies in
// epoch second s, a pure function of (seed, tz, rate, violations, s). Event ids start `demo-<seed>-`, so a
// retried or regenerated second is deduplicated by ingest.
import type { DemoOrder } from '../orders/basket.ts';
import { deliveredEvent, openingEvents, refundOf, refundedEvent, RX_REJECTED_REFUND_REASON, type OrderEvent } from '../orders/events.ts';
import { DEMO_LIFECYCLE, type Head } from '../orders/heads.ts';
import { openingReceipts, routineMoves, type InventoryEvent } from '../inventory/demo.ts';
import { liveStats, type LiveStatsEvent } from '../live/demo.ts';
import { rxEvent, type RxEvent } from '../rx/demo.ts';
import { sensorReadings, type SensorReadingEvent } from '../sensors/demo.ts';
import { caseCode, scanEvent, type TraceScanEvent } from '../trace/demo.ts';
import { returnEvents, shipEvents } from './fulfil.ts';
import { resolveOptions, type DemoOptions, type Resolved } from './options.ts';
import { expectedDayGmvFen } from './reference.ts';
import { bodyOf, ordersAt, refundedAt, type CachedHead, type Due, type Step } from './timeline.ts';
import { dateOfSecond, dayStartSecond, stamper } from './time.ts';

export type DemoEvent = OrderEvent | RxEvent | InventoryEvent | TraceScanEvent | SensorReadingEvent | LiveStatsEvent;

interface Timed { ms: number; ev: DemoEvent }
interface Ctx { o: Resolved; second: number; ts: (ms: number) => string; out: Timed[] }

// Every ts comes from stamper(): `YYYY-MM-DDTHH:MM:SS.mmm±hh:mm`, so its milliseconds sit at 20–22.
const push = (c: Ctx, evs: readonly DemoEvent[]): void => { for (const ev of evs) c.out.push({ ms: Number(ev.ts.slice(20, 23)), ev }); };

/** What each scheduled step of an order emits (STYLE §9: a table, not a switch). */
const STEP_EVENTS: Readonly<Record<Step, (c: Ctx, d: Due, head: () => Head, body: () => DemoOrder) => void>> = {
  rx_issued: (c, d, head) => push(c, [rxEvent('issued', head().rx!, head().order_id, head().idBase, c.ts(d.ms))]),
  rx_started: (c, d, head) => push(c, [rxEvent('started', head().rx!, head().order_id, head().idBase, c.ts(d.ms))]),
  rx_decided: (c, d, head) => push(c, [rxEvent('decided', head().rx!, head().order_id, head().idBase, c.ts(d.ms))]),
  shipped: (c, d, head, body) => push(c, shipEvents(c.o, head(), body(), c.ts(d.ms))),
  // A delivery needs only the order's ids, so its head is not redrawn.
  delivered: (c, d) => push(c, [deliveredEvent(`demo-${c.o.tag}-${d.src}-${d.n}`, `O${d.src}-${d.n}`, c.ts(d.ms))]),
  rejected_refund: (c, d, head, body) => push(c, [refundedEvent(head(),
    { refund_fen: body().paid_fen, full: true, reason: RX_REJECTED_REFUND_REASON }, c.ts(d.ms))]),
};

function orders(c: Ctx): void {
  const { o, second } = c;
  const { created, due } = ordersAt(o, second);
  for (const h of created) push(c, openingEvents(o, h, bodyOf(o, h), c.ts));
  for (const d of due) {
    let h: CachedHead | null = null;
    const head = (): CachedHead => (h ??= d.head());
    STEP_EVENTS[d.step](c, d, head, () => bodyOf(o, head()));
  }
  // Refunds come a fixed time after creation (after shipping), and restockable goods are back 30 min later.
  for (const h of refundedAt(o, second - DEMO_LIFECYCLE.refundAfterS)) {
    const body = bodyOf(o, h);
    if (body.paid_fen > 0) push(c, [refundedEvent(h, refundOf(o, h, body), c.ts(h.laterMs))]);
  }
  for (const h of refundedAt(o, second - DEMO_LIFECYCLE.refundAfterS - DEMO_LIFECYCLE.returnAfterS)) {
    const body = bodyOf(o, h);
    if (body.paid_fen > 0) push(c, returnEvents(o, h, body, refundOf(o, h, body).full, c.ts(h.laterMs)));
  }
}

function warehouse(c: Ctx, date: string, secOfDay: number): void {
  const { o, second } = c;
  const { moves, receipts } = routineMoves(o, second, secOfDay, date, c.ts(500));
  push(c, moves);
  for (const { event, sku, whIdx, j } of receipts) {
    if (!sku.traced) continue;
    push(c, [scanEvent(`${event.event_id}-scan`, c.ts(501), caseCode(sku.sku_id, second, whIdx, j), sku.sku_id,
      event.batch_no, event.warehouse_id, 'in')]);
  }
}

/** Every demo event in one epoch second, in ts order. */
export function demoEventsForSecond(opts: DemoOptions, epochSecond: number): DemoEvent[] {
  if (!Number.isSafeInteger(epochSecond)) throw new RangeError('epochSecond must be an integer');
  const o = resolveOptions(opts);
  const c: Ctx = { o, second: epochSecond, ts: stamper(o.zone, epochSecond), out: [] };
  const date = dateOfSecond(o.zone, epochSecond);
  const secOfDay = epochSecond - dayStartSecond(o.tz, date);
  // The day opens with every batch received: pushed first, at .000, so no pick of this second precedes them.
  const opening: DemoEvent[] = secOfDay === 0 ? openingReceipts(o, date, c.ts(0)) : [];
  orders(c);
  warehouse(c, date, secOfDay);
  push(c, sensorReadings(o, epochSecond, secOfDay, c.ts));
  push(c, liveStats(o, epochSecond, date, expectedDayGmvFen(o), c.ts));
  c.out.sort((a, b) => a.ms - b.ms); // stable: ties keep generation order
  return opening.concat(c.out.map((t) => t.ev));
}

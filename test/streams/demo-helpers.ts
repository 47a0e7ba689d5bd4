// Shared by the demo tests: local times, windows of generated events, and the violation detectors. The
// detectors read only events and reference rows (like a rules engine would), never the generator's insides.
import { DateTime } from 'luxon';
import { demoEventsForSecond, demoReference, RULE_IDS, type DemoEvent, type DemoOptions, type RuleId } from '../../streams/demo/index.ts';

export const TZ = 'Asia/Shanghai';
export const DATE = '2026-11-11';
/** Epoch seconds of a local wall-clock time. */
export const at = (local: string, tz = TZ): number => DateTime.fromISO(local, { zone: tz }).toSeconds();
export const allOff = (): Record<RuleId, number> => Object.fromEntries(RULE_IDS.map((r) => [r, 0])) as Record<RuleId, number>;
export const only = (rule: RuleId, p: number): Record<RuleId, number> => ({ ...allOff(), [rule]: p });

export type Ev = DemoEvent & Record<string, unknown>;

/** Events of consecutive seconds [from, from + seconds), in order. */
export function windowEvents(opts: DemoOptions, from: number, seconds: number): Ev[] {
  const out: Ev[] = [];
  for (let s = from; s < from + seconds; s++) for (const e of demoEventsForSecond(opts, s)) out.push(e as Ev);
  return out;
}

export const tsMs = (e: { ts: string }): number => Date.parse(e.ts);
export interface Line { sku_id: string; qty: number; unit_price_fen: number; discount_fen?: number }

/** |observed − expected| within `sigmas` binomial standard deviations (plus slack for tiny counts). */
export function nearRate(hits: number, chances: number, p: number, sigmas = 4): boolean {
  const mean = chances * p;
  return Math.abs(hits - mean) <= sigmas * Math.sqrt(Math.max(mean * (1 - p), 1)) + 1;
}

export interface Count { hits: number; chances: number }
type Ref = ReturnType<typeof demoReference>;
const skuMap = (ref: Ref) => new Map(ref.skus.map((s) => [s.sku_id, s]));

/** Orders created in [from, to): paid events, keyed by order id. */
function paidIn(events: Ev[], from: number, to: number): Map<string, Ev & { lines: Line[]; buyer_id: string; device_id?: string; address_hash?: string }> {
  const out = new Map<string, Ev & { lines: Line[]; buyer_id: string }>();
  for (const e of events) {
    const sec = Math.floor(tsMs(e) / 1000);
    if (e.type === 'order.paid' && sec >= from && sec < to) out.set(e.order_id as string, e as Ev & { lines: Line[]; buyer_id: string });
  }
  return out;
}

/** Each rule's violations and opportunities among events of orders created in [from, to) (lookahead included). */
export const DETECT: Partial<Record<RuleId, (events: Ev[], ref: Ref, from: number, to: number) => Count>> = {
  RX_WITHOUT_PRESCRIPTION: (events, ref, from, to) => {
    const skus = skuMap(ref), paid = paidIn(events, from, to);
    const orderOfRx = new Map<string, string>(), approvedAt = new Map<string, number>();
    for (const e of events) {
      if (e.type === 'rx.issued') orderOfRx.set(e.rx_id as string, e.order_id as string);
      if (e.type === 'rx.approved') approvedAt.set(orderOfRx.get(e.rx_id as string)!, tsMs(e));
    }
    const rxOrders = [...paid.values()].filter((o) => o.lines.some((l) => skus.get(l.sku_id)?.is_rx));
    const rxIds = new Set(rxOrders.map((o) => o.order_id as string));
    const hits = events.filter((e) => e.type === 'order.shipped' && rxIds.has(e.order_id as string)
      && !((approvedAt.get(e.order_id as string) ?? Infinity) <= tsMs(e))).length;
    return { hits, chances: rxOrders.length };
  },
  RX_REVIEW_SLA: (events, _ref, from, to) => {
    const issued = new Map<string, number>();
    let hits = 0;
    for (const e of events) {
      if (e.type === 'rx.issued' && tsMs(e) >= from * 1000 && tsMs(e) < to * 1000) issued.set(e.rx_id as string, tsMs(e));
      if (e.type === 'rx.review_started' && issued.has(e.rx_id as string) && tsMs(e) - issued.get(e.rx_id as string)! > 15 * 60_000) hits++;
    }
    return { hits, chances: issued.size };
  },
  CONTROLLED_QTY: (events, ref, from, to) => {
    const skus = skuMap(ref);
    const orders = [...paidIn(events, from, to).values()].filter((o) => o.lines.some((l) => skus.get(l.sku_id)?.controlled));
    const perBuyer = new Map<string, number>();
    for (const o of orders) perBuyer.set(o.buyer_id, (perBuyer.get(o.buyer_id) ?? 0) + 1);
    const hits = orders.filter((o) => perBuyer.get(o.buyer_id)! > 1
      || o.lines.reduce((n, l) => n + (skus.get(l.sku_id)?.controlled ? l.qty : 0), 0) > 2).length;
    return { hits, chances: orders.length };
  },
  EXPIRED_OUTBOUND: (events, ref, from, to) => {
    const expired = new Set(ref.batches.filter((b) => b.expiry_date < DATE).map((b) => b.batch_no));
    const risky = new Set(ref.batches.filter((b) => expired.has(b.batch_no)).map((b) => b.sku_id));
    const picks = events.filter((e) => e.type === 'inventory.pick' && risky.has(e.sku_id as string)
      && tsMs(e) >= from * 1000 && tsMs(e) < to * 1000);
    return { hits: picks.filter((e) => expired.has(e.batch_no as string)).length, chances: picks.length };
  },
  TRACE_CODE_MISSING: (events) => {
    const scanned = new Set(events.filter((e) => e.type === 'trace.scan' && e.direction === 'out').map((e) => e.box_id as string));
    const boxes = events.flatMap((e) => (e.type === 'order.shipped' ? (e.boxes as Array<{ box_id: string }> | undefined) ?? [] : []));
    return { hits: boxes.filter((b) => !scanned.has(b.box_id)).length, chances: boxes.length };
  },
  TRACE_CODE_DUPLICATE: (events) => {
    const outs = events.filter((e) => e.type === 'trace.scan' && e.direction === 'out');
    const seen = new Map<string, number>();
    for (const e of outs) seen.set(e.code as string, (seen.get(e.code as string) ?? 0) + 1);
    return { hits: [...seen.values()].filter((n) => n > 1).length, chances: outs.filter((e) => e.box_id).length };
  },
  PRICE_ANOMALY: (events, ref, from, to) => {
    const skus = skuMap(ref);
    const lines = [...paidIn(events, from, to).values()].flatMap((o) => o.lines);
    const hits = lines.filter((l) => { const s = skus.get(l.sku_id)!; return l.unit_price_fen < s.cost_fen || l.unit_price_fen < s.list_price_fen / 2; });
    return { hits: hits.length, chances: lines.length };
  },
  ORDER_SPIKE: (events, _ref, from, to) => {
    const byDevice = new Map<string, number[]>();
    for (const o of paidIn(events, from, to).values()) {
      const list = byDevice.get(o.device_id as string) ?? [];
      list.push(tsMs(o));
      byDevice.set(o.device_id as string, list);
    }
    // A device with ≥ 10 orders inside any 5 minutes.
    const hits = [...byDevice.values()].filter((ts) => ts.some((t, i) => i + 9 < ts.length && ts[i + 9] - t < 300_000)).length;
    return { hits, chances: Math.round((to - from) / 60) };
  },
};

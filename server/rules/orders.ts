// Rules on orders and prescriptions: RX_WITHOUT_PRESCRIPTION, RX_REVIEW_SLA, CONTROLLED_QTY, PRICE_ANOMALY,
// ORDER_SPIKE. Buyers, devices and addresses appear in an alert's entity only as a pseudonym (a short hash):
// a wall never shows who bought what.
import { createHash } from 'node:crypto';
import { Type } from 'typebox';
import { RULE_LABELS } from '../../widgets/labels.ts';
import { pruneOldest, streamRule } from './rule.ts';
import type { StoredEvent } from '../store/projections.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;

interface Line {
  sku_id: string;
  qty: number;
  unit_price_fen: number;
}

const linesOf = (e: StoredEvent): Line[] => (Array.isArray(e.body.lines) ? (e.body.lines as Line[]) : []);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** A stable, non-reversible name for a buyer, device or address on a wall: `buyer:3f9a2c41`. */
export function pseudonym(kind: string, id: string): string {
  return `${kind}:${createHash('sha256').update(`${kind}|${id}`).digest('hex').slice(0, 8)}`;
}

const int = (description: string, dflt: number, min = 1, max = 1_000_000) => Type.Integer({ minimum: min, maximum: max, default: dflt, description });
const ratio = (description: string, dflt: number) => Type.Number({ exclusiveMinimum: 0, maximum: 100, default: dflt, description });

// ---------------------------------------------------------------------------------------------------------
interface RxOrder {
  paidMs: number;
  paidId: string;
  skus: string[];
  /** The grace period passed without approval (alert raised; shipping still checked). */
  late: boolean;
}
interface UnknownShip {
  shipMs: number;
  shipId: string;
  paidId: string;
  skus: string[];
}

/**
 * An order with an `is_rx` line shipped without an approved prescription (approved at or before the ship
 * time), or paid and still unapproved after the grace period (cancelled and refunded orders drop out). An
 * order whose SKUs are unknown when it ships is kept a day: if reference data later says a SKU is Rx, it
 * fires then. History: the paid orders, prescriptions and approvals of the last 48 h, in memory. Judged by
 * event time: an approval, cancellation or shipment dated after the grace deadline first raises the
 * "unapproved after grace" alert the timer would have raised had that event come later.
 */
export const rxWithoutPrescription = streamRule({
  id: 'RX_WITHOUT_PRESCRIPTION',
  kind: 'stream',
  severity: 'critical',
  title: RULE_LABELS.RX_WITHOUT_PRESCRIPTION,
  params: Type.Object({ graceMinutes: int('minutes after payment an Rx order may wait for an approved prescription', 60) }, { additionalProperties: false }),
  types: ['order.paid', 'order.shipped', 'order.cancelled', 'order.refunded', 'rx.issued', 'rx.approved', 'rx.rejected'],
  init: () => ({ orders: new Map<string, RxOrder>(), approved: new Map<string, number>(), rxOrder: new Map<string, [string, number]>(), unknown: new Map<string, UnknownShip>() }),
  onEvent(s, e, ctx, p) {
    const orderId = str(e.body.order_id);
    const rxOf = (skus: string[]) => skus.some((id) => ctx.ref.skus.get(id)?.is_rx === true);
    const overdue = (id: string) => {
      const o = s.orders.get(id);
      if (o && !o.late && e.tsMs > o.paidMs + p.graceMinutes * MIN && rxOf(o.skus)) {
        o.late = true;
        ctx.fire({ entity: `order:${id}`, evidence: [o.paidId], atMs: o.paidMs + p.graceMinutes * MIN, detail: { stage: 'unapproved_after_grace' } });
      }
    };
    switch (e.type) {
      case 'order.paid': {
        if (s.orders.has(orderId) || s.approved.has(orderId)) return;
        const skus = [...new Set(linesOf(e).map((l) => l.sku_id))];
        if (rxOf(skus) || skus.some((id) => !ctx.ref.skus.has(id))) s.orders.set(orderId, { paidMs: e.tsMs, paidId: e.event_id, skus, late: false });
        return;
      }
      case 'rx.issued':
        s.rxOrder.set(str(e.body.rx_id), [orderId, e.tsMs]);
        return;
      case 'rx.approved': {
        const order = s.rxOrder.get(str(e.body.rx_id))?.[0];
        if (order === undefined) return;
        overdue(order);
        s.rxOrder.delete(str(e.body.rx_id)); // decided: only undecided prescriptions are kept
        s.approved.set(order, e.tsMs);
        s.orders.delete(order);
        return;
      }
      case 'rx.rejected':
        s.rxOrder.delete(str(e.body.rx_id));
        return;
      case 'order.cancelled':
      case 'order.refunded':
        overdue(orderId);
        s.orders.delete(orderId);
        return;
      case 'order.shipped': {
        overdue(orderId);
        const approvedAt = s.approved.get(orderId);
        s.approved.delete(orderId);
        const o = s.orders.get(orderId);
        if (!o) return;
        s.orders.delete(orderId);
        if (approvedAt !== undefined && approvedAt <= e.tsMs) return;
        if (rxOf(o.skus)) ctx.fire({ entity: `order:${orderId}`, evidence: [o.paidId, e.event_id], atMs: e.tsMs, detail: { stage: 'shipped' } });
        else s.unknown.set(orderId, { shipMs: e.tsMs, shipId: e.event_id, paidId: o.paidId, skus: o.skus });
        return;
      }
    }
  },
  tick(s, ctx, p) {
    for (const [orderId, o] of s.orders) {
      if (o.late || o.paidMs + p.graceMinutes * MIN > ctx.now) continue;
      if (!o.skus.some((id) => ctx.ref.skus.get(id)?.is_rx === true)) continue;
      o.late = true;
      ctx.fire({ entity: `order:${orderId}`, evidence: [o.paidId], atMs: o.paidMs + p.graceMinutes * MIN, detail: { stage: 'unapproved_after_grace' } });
    }
    pruneOldest(s.orders, (o) => o.paidMs < ctx.now - 48 * HOUR);
    pruneOldest(s.approved, (ms) => ms < ctx.now - 48 * HOUR);
    pruneOldest(s.rxOrder, ([, ms]) => ms < ctx.now - 48 * HOUR);
    pruneOldest(s.unknown, (u) => u.shipMs < ctx.now - 24 * HOUR);
  },
  onReference(s, kind, ctx) {
    if (kind !== 'skus') return;
    for (const [orderId, u] of s.unknown) {
      if (u.skus.some((id) => ctx.ref.skus.get(id)?.is_rx === true)) {
        ctx.fire({ entity: `order:${orderId}`, evidence: [u.paidId, u.shipId], atMs: u.shipMs, detail: { stage: 'shipped' } });
        s.unknown.delete(orderId);
      } else if (u.skus.every((id) => ctx.ref.skus.has(id))) {
        s.unknown.delete(orderId);
      }
    }
  },
});

// ---------------------------------------------------------------------------------------------------------
interface PendingRx {
  issuedMs: number;
  id: string;
  fired: boolean;
}

/**
 * A prescription not taken up by a pharmacist (review started, or decided) within the SLA of its issue.
 * History: the waiting prescriptions of the last 7 days, in memory. A review dated after the deadline adds
 * itself to the alert the timer raised (or raises it with both ids): the evidence is the same either way.
 */
export const rxReviewSla = streamRule({
  id: 'RX_REVIEW_SLA',
  kind: 'stream',
  severity: 'major',
  title: RULE_LABELS.RX_REVIEW_SLA,
  params: Type.Object({ slaMinutes: int('minutes a prescription may wait for a pharmacist', 15) }, { additionalProperties: false }),
  types: ['rx.issued', 'rx.review_started', 'rx.approved', 'rx.rejected'],
  init: () => ({ pending: new Map<string, PendingRx>() }),
  onEvent(s, e, ctx, p) {
    const rxId = str(e.body.rx_id);
    if (e.type === 'rx.issued') {
      if (!s.pending.has(rxId)) s.pending.set(rxId, { issuedMs: e.tsMs, id: e.event_id, fired: false });
      return;
    }
    const w = s.pending.get(rxId);
    if (!w) return;
    s.pending.delete(rxId);
    if (e.tsMs - w.issuedMs > p.slaMinutes * MIN) {
      ctx.fire({ entity: `rx:${rxId}`, evidence: [w.id, e.event_id], atMs: w.fired ? e.tsMs : w.issuedMs + p.slaMinutes * MIN, detail: { waited_s: Math.round((e.tsMs - w.issuedMs) / 1000) } });
    }
  },
  tick(s, ctx, p) {
    for (const [rxId, w] of s.pending) {
      if (w.fired || w.issuedMs + p.slaMinutes * MIN >= ctx.now) continue;
      w.fired = true;
      ctx.fire({ entity: `rx:${rxId}`, evidence: [w.id], atMs: w.issuedMs + p.slaMinutes * MIN, detail: { waited_s: p.slaMinutes * 60 } });
    }
    pruneOldest(s.pending, (w) => w.issuedMs < ctx.now - 7 * 24 * HOUR);
  },
});

// ---------------------------------------------------------------------------------------------------------
/**
 * More than `maxPacksPerOrder` packs of ephedrine-type (controlled) SKUs in one paid order (entity: the
 * order), or more than `maxOrdersPerWindow` orders with such packs by one buyer within `windowHours`
 * (entity: the buyer's pseudonym; evidence: every order in the window). History: each buyer's controlled
 * orders of the window, in memory (events come in event-time order, see engine.ts).
 */
export const controlledQty = streamRule({
  id: 'CONTROLLED_QTY',
  kind: 'stream',
  severity: 'major',
  title: RULE_LABELS.CONTROLLED_QTY,
  params: Type.Object(
    {
      maxPacksPerOrder: int('packs of controlled SKUs allowed in one order', 2),
      maxOrdersPerWindow: int('orders with controlled SKUs one buyer may place within the window', 1),
      windowHours: int('the per-buyer window in hours', 24, 1, 720),
    },
    { additionalProperties: false },
  ),
  types: ['order.paid'],
  init: () => ({ buyers: new Map<string, [number, string][]>() }),
  onEvent(s, e, ctx, p) {
    if (e.firstPaid !== 1) return;
    const packs = linesOf(e).reduce((n, l) => n + (ctx.ref.skus.get(l.sku_id)?.controlled ? l.qty : 0), 0);
    if (packs === 0) return;
    const orderId = str(e.body.order_id);
    if (packs > p.maxPacksPerOrder) ctx.fire({ entity: `order:${orderId}`, evidence: [e.event_id], atMs: e.tsMs, detail: { packs } });
    const buyer = str(e.body.buyer_id);
    if (!buyer) return;
    const since = e.tsMs - p.windowHours * HOUR;
    const list = (s.buyers.get(buyer) ?? []).filter(([ms, id]) => ms > since && id !== e.event_id);
    list.push([e.tsMs, e.event_id]);
    s.buyers.delete(buyer); // re-inserted last: the map stays in order of latest activity
    s.buyers.set(buyer, list);
    if (list.length > p.maxOrdersPerWindow) ctx.fire({ entity: pseudonym('buyer', buyer), evidence: list.map(([, id]) => id), atMs: e.tsMs, detail: { orders: list.length } });
  },
  tick(s, ctx, p) {
    pruneOldest(s.buyers, (list) => list[list.length - 1][0] < ctx.now - p.windowHours * HOUR);
  },
});

// ---------------------------------------------------------------------------------------------------------
/**
 * A paid line priced below the SKU's cost, or below `minListRatio` (or above `maxListRatio`) × its list
 * price: a pricing violation or a mis-set promotion. Entity: the SKU (one alert gathers every order).
 * History: none (the SKU's prices are reference data).
 */
export const priceAnomaly = streamRule({
  id: 'PRICE_ANOMALY',
  kind: 'stream',
  severity: 'major',
  title: RULE_LABELS.PRICE_ANOMALY,
  params: Type.Object(
    {
      belowCost: Type.Boolean({ default: true, description: 'a unit price under the cost price is an anomaly' }),
      minListRatio: ratio('lowest allowed unit price as a share of the list price', 0.5),
      maxListRatio: ratio('highest allowed unit price as a multiple of the list price', 3),
    },
    { additionalProperties: false },
  ),
  types: ['order.paid'],
  init: () => ({}),
  onEvent(_s, e, ctx, p) {
    if (e.firstPaid !== 1) return;
    for (const l of linesOf(e)) {
      const sku = ctx.ref.skus.get(l.sku_id);
      if (!sku) continue;
      const reason =
        p.belowCost && l.unit_price_fen < sku.cost_fen ? 'below_cost'
        : l.unit_price_fen < sku.list_price_fen * p.minListRatio ? 'below_list'
        : l.unit_price_fen > sku.list_price_fen * p.maxListRatio ? 'above_list'
        : null;
      if (reason) ctx.fire({ entity: `sku:${l.sku_id}`, evidence: [e.event_id], atMs: e.tsMs, detail: { reason, unit_price_fen: l.unit_price_fen, cost_fen: sku.cost_fen, list_price_fen: sku.list_price_fen } });
    }
  },
});

// ---------------------------------------------------------------------------------------------------------
/**
 * One device (or, without a device id, one delivery address) paying for `minOrders` or more orders within
 * `windowMinutes` (刷单 / bulk buying). Entity: the device's or address's pseudonym. History: each key's
 * orders of the window, in memory.
 */
export const orderSpike = streamRule({
  id: 'ORDER_SPIKE',
  kind: 'stream',
  severity: 'minor',
  title: RULE_LABELS.ORDER_SPIKE,
  params: Type.Object(
    { minOrders: int('orders from one device or address that make a spike', 10, 2), windowMinutes: int('the window in minutes', 5, 1, 1440) },
    { additionalProperties: false },
  ),
  types: ['order.paid'],
  init: () => ({ keys: new Map<string, [number, string][]>() }),
  onEvent(s, e, ctx, p) {
    if (e.firstPaid !== 1) return;
    const device = str(e.body.device_id), address = str(e.body.address_hash);
    // Raw ids as keys (the pseudonym's hash is only worth computing for an alert).
    const key = device ? `device|${device}` : address ? `address|${address}` : '';
    if (!key) return;
    const since = e.tsMs - p.windowMinutes * MIN;
    const list = (s.keys.get(key) ?? []).filter(([ms, id]) => ms > since && id !== e.event_id);
    list.push([e.tsMs, e.event_id]);
    s.keys.delete(key);
    s.keys.set(key, list);
    if (list.length >= p.minOrders) ctx.fire({ entity: device ? pseudonym('device', device) : pseudonym('address', address), evidence: list.map(([, id]) => id), atMs: e.tsMs, detail: { orders: list.length } });
  },
  tick(s, ctx, p) {
    pruneOldest(s.keys, (list) => list[list.length - 1][0] < ctx.now - p.windowMinutes * MIN);
  },
});

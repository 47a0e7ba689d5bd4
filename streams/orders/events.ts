// The order.* events of the demo, built from an order's head and body (CONTRACT "Event types"). Event ids
// are `demo-<seed>-<second>-<n>-<kind>`: a retry or a regenerated second is a duplicate, never a new event.
import type { Resolved } from '../demo/options.ts';
import { SALT, pickOf, rngFor } from '../demo/random.ts';
import type { DemoOrder, OrderDetails, OrderLine } from './basket.ts';
import type { WarehouseId } from './catalogue.ts';
import type { Head } from './heads.ts';

type EventHead<T extends string> = { event_id: string; type: T; ts: string };
export type OrderCreatedEvent = EventHead<'order.created'> & OrderDetails;
/** `coupon_fen` (order-level coupon) is an extra field: paid_fen = Σ(qty·unit_price_fen − discount_fen) − coupon_fen. */
export type OrderPaidEvent = EventHead<'order.paid'> & OrderDetails & { paid_fen: number; coupon_fen?: number };
export type OrderCancelledEvent = EventHead<'order.cancelled'> & { order_id: string; reason?: string };
export interface ShippedBox { box_id: string; sku_id: string; batch_no: string; trace_codes: string[] }
export type OrderShippedEvent = EventHead<'order.shipped'> & { order_id: string; warehouse_id: WarehouseId; boxes?: ShippedBox[] };
export type OrderDeliveredEvent = EventHead<'order.delivered'> & { order_id: string };
export type OrderRefundedEvent = EventHead<'order.refunded'> & { order_id: string; refund_fen: number; reason?: string };
export type OrderEvent = OrderCreatedEvent | OrderPaidEvent | OrderCancelledEvent | OrderShippedEvent
  | OrderDeliveredEvent | OrderRefundedEvent;

const CANCEL_REASONS = ['买家主动取消', '未支付超时关闭', '信息填写错误'];
const REFUND_REASONS = ['买家拍错/多拍', '药品包装破损', '不想要了', '物流太慢'];
export const RX_REJECTED_REFUND_REASON = '处方审核未通过';

const copyLines = (lines: OrderLine[]): OrderLine[] => lines.map((l) => ({ ...l }));

/** created, then paid or cancelled, in the order's own second. */
export function openingEvents(o: Resolved, h: Head, body: DemoOrder, ts: (ms: number) => string): OrderEvent[] {
  const d = body.details;
  const created: OrderCreatedEvent = { event_id: `${h.idBase}-created`, type: 'order.created', ts: ts(h.createdMs % 1000),
    ...d, lines: copyLines(d.lines) };
  const at = ts(h.closedMs % 1000);
  if (h.cancelled) {
    const reason = pickOf(rngFor(o.seedHash, h.second, h.n, SALT.REFUND), CANCEL_REASONS);
    return [created, { event_id: `${h.idBase}-cancelled`, type: 'order.cancelled', ts: at, order_id: d.order_id, reason }];
  }
  return [created, { event_id: `${h.idBase}-paid`, type: 'order.paid', ts: at, ...d, lines: copyLines(d.lines),
    paid_fen: body.paid_fen, ...(body.coupon_fen > 0 ? { coupon_fen: body.coupon_fen } : {}) }];
}

export function deliveredEvent(idBase: string, orderId: string, ts: string): OrderDeliveredEvent {
  return { event_id: `${idBase}-delivered`, type: 'order.delivered', ts, order_id: orderId };
}

export interface Refund { refund_fen: number; full: boolean; reason: string }

/** A natural refund: the whole order, or its first line (a partial refund). Pure per order. */
export function refundOf(o: Resolved, h: Head, body: DemoOrder): Refund {
  const r = rngFor(o.seedHash, h.second, h.n, SALT.REFUND);
  const l = body.details.lines[0];
  const lineValue = l.qty * l.unit_price_fen - (l.discount_fen ?? 0);
  const full = r() < 0.55 || body.details.lines.length === 1;
  return { refund_fen: full ? body.paid_fen : Math.min(lineValue, body.paid_fen), full, reason: pickOf(r, REFUND_REASONS) };
}

export function refundedEvent(h: Head, refund: Refund, ts: string): OrderRefundedEvent {
  return { event_id: `${h.idBase}-refunded`, type: 'order.refunded', ts, order_id: h.order_id,
    refund_fen: refund.refund_fen, reason: refund.reason };
}

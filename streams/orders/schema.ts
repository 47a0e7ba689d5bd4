// The order.* events of CONTRACT "Event types and required fields".
import { Type, type Static } from 'typebox';
import { ChannelT, Fen, Id, ProvinceT, Qty, Text, eventSchema } from '../common.ts';

export const OrderLine = Type.Object({
  sku_id: Id,
  qty: Qty,
  unit_price_fen: Fen,
  discount_fen: Type.Optional(Fen),
  batch_no: Type.Optional(Id),
});

const orderHeader = {
  order_id: Id,
  channel: ChannelT,
  shop_id: Id,
  buyer_id: Id,
  province: ProvinceT,
  lines: Type.Array(OrderLine, { minItems: 1, maxItems: 1000 }),
  city: Type.Optional(Text),
  buyer_name: Type.Optional(Text),
  buyer_phone: Type.Optional(Text),
  address: Type.Optional(Text),
  address_hash: Type.Optional(Text),
  device_id: Type.Optional(Id),
  campaign: Type.Optional(Text),
};

export const OrderCreated = eventSchema('order.created', orderHeader);
export const OrderPaid = eventSchema('order.paid', { ...orderHeader, paid_fen: Fen });
export const OrderCancelled = eventSchema('order.cancelled', { order_id: Id });
export const OrderShipped = eventSchema('order.shipped', {
  order_id: Id,
  warehouse_id: Id,
  boxes: Type.Optional(
    Type.Array(
      Type.Object({
        box_id: Id,
        sku_id: Id,
        batch_no: Id,
        trace_codes: Type.Array(Type.String({ pattern: '^[0-9]{20}$' }), { maxItems: 10_000 }),
      }),
      { maxItems: 10_000 },
    ),
  ),
});
export const OrderDelivered = eventSchema('order.delivered', { order_id: Id });
export const OrderRefunded = eventSchema('order.refunded', { order_id: Id, refund_fen: Fen });

export type OrderCreatedEvent = Static<typeof OrderCreated>;
export type OrderPaidEvent = Static<typeof OrderPaid>;

// The orders stream: its event declarations and what ingest does to them before storage.
import type { StreamDef } from '../stream.ts';
import { maskBuyer } from '../privacy.ts';
import { OrderCancelled, OrderCreated, OrderDelivered, OrderPaid, OrderRefunded, OrderShipped } from './schema.ts';

export const ordersStream: StreamDef = {
  name: 'order',
  events: [OrderCreated, OrderPaid, OrderCancelled, OrderShipped, OrderDelivered, OrderRefunded],
  toStored: maskBuyer,
};

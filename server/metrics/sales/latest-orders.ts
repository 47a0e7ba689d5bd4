import { Type } from 'typebox';
import { toInt } from '../../plugins/clickhouse.ts';
import { toBusinessIso } from '../../time.ts';
import { defineMetric } from '../metric.ts';

export interface LatestOrder {
  order_id: string;
  /** The payment's own ts, RFC 3339 in the business zone. */
  ts: string;
  channel: string;
  province: string;
  city: string;
  /** Masked at ingest (张**), '' when the event had no name. */
  buyer: string;
  paid_fen: number;
  /** Units in the order: sum of qty over its paid lines. */
  items: number;
}

const Params = Type.Object(
  { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20, description: 'how many orders; default 20' })) },
  { additionalProperties: false },
);

/**
 * The latest first-paid orders, newest first by their own ts (a late event takes its place in time, not the
 * top of the list). Only masked buyer data exists in storage (streams/privacy.ts), and this metric selects
 * the masked name alone: the phone column is never read, so it cannot reach a wall.
 *
 * Reads `paid_orders_by_ts` (first payments, ORDER BY (ts, order_id)) backwards in its sort order, so the
 * newest `limit` rows are a short read at the end of the key range whatever the day's volume; items are a
 * primary-key lookup of those order ids in order_lines. Neither query touches order_events.
 */
export const salesLatestOrders = defineMetric({
  id: 'sales.latest_orders',
  description: { 'zh-CN': '最新支付订单（买家信息已脱敏）', en: 'Latest paid orders (buyer masked)' },
  params: Params,
  value: '[{"order_id","ts":"RFC 3339","channel","province","city","buyer","paid_fen":integer,"items":integer}] newest first',
  streams: ['order.paid'],
  resolve: (raw) => ({ ...raw, limit: raw.limit ?? 20 }),
  async compute({ storage, tz }, { limit }): Promise<LatestOrder[]> {
    const rs = await storage.read.query({
      query: `SELECT order_id, toUnixTimestamp64Milli(ts) AS ms, toString(channel) AS channel, toString(province) AS province,
                city, buyer_name_masked AS buyer, paid_fen
              FROM ${storage.db}.paid_orders_by_ts
              ORDER BY ts DESC, order_id DESC LIMIT {limit:UInt32}`,
      query_params: { limit: limit! },
      format: 'JSONEachRow',
    });
    const orders = await rs.json<{ order_id: string; ms: string; channel: string; province: string; city: string; buyer: string; paid_fen: string }>();
    if (orders.length === 0) return [];

    // Units per order from the paid lines: a primary-key lookup (order_lines is ordered by order_id).
    const items = await storage.read.query({
      query: `SELECT order_id, sum(qty) AS n FROM ${storage.db}.order_lines
              WHERE order_id IN {ids:Array(String)} AND type = 'order.paid' AND first_paid = 1 GROUP BY order_id`,
      query_params: { ids: orders.map((o) => o.order_id) },
      format: 'JSONEachRow',
    });
    const units = new Map((await items.json<{ order_id: string; n: string }>()).map((r) => [r.order_id, toInt(r.n)]));

    return orders.map((o) => ({
      order_id: o.order_id,
      ts: toBusinessIso(toInt(o.ms), tz),
      channel: o.channel,
      province: o.province,
      city: o.city,
      buyer: o.buyer,
      paid_fen: toInt(o.paid_fen),
      items: units.get(o.order_id) ?? 0,
    }));
  },
});

// warehouse.backlog: paid orders still waiting to leave the warehouse, and how long they have waited.
import { Type } from 'typebox';
import { toInt } from '../../plugins/clickhouse.ts';
import { toBusinessIso } from '../../time.ts';
import { defineMetric } from '../metric.ts';
import { QUEUE_WINDOW_MS, ageSeconds, msParam, rows } from './common.ts';

const HOUR_MS = 3_600_000;

/** Age buckets, youngest first (the screen's bar order). Bucket i holds ages below EDGES_MS[i] and at or
 *  above the edge before it: an order exactly 1 h old is "1-4h". */
export const BACKLOG_BUCKETS = ['<1h', '1-4h', '4-24h', '>24h'] as const;
export type BacklogBucket = (typeof BACKLOG_BUCKETS)[number];
const EDGES_MS = [HOUR_MS, 4 * HOUR_MS, 24 * HOUR_MS] as const;

export interface WarehouseBacklog {
  orders: number;
  oldest_paid_at: string | null;
  oldest_age_s: number | null;
  by_age: { bucket: BacklogBucket; orders: number }[];
}

const Params = Type.Object({}, { additionalProperties: false });

/**
 * An order is in the backlog when its first order.paid (the one sales counts) is within the last 7 × 24 h up
 * to now (one stamped in the future waits for its time) and it has no order.shipped, order.cancelled or
 * order.delivered, whatever their ts or arrival order (a delivery implies the order left even if its shipped
 * event is missing). A refund alone does not take an order out: the goods are still to be shipped or
 * cancelled. Age is from that payment's ts to now.
 */
export const warehouseBacklog = defineMetric({
  id: 'warehouse.backlog',
  description: {
    'zh-CN': '待发货积压：已支付未发货未取消的订单及等待时长分布',
    en: 'Outbound backlog: paid orders not shipped nor cancelled, by waiting time',
  },
  params: Params,
  value: '{"orders","oldest_paid_at":string|null,"oldest_age_s":integer|null,"by_age":[{"bucket":"<1h|1-4h|4-24h|>24h","orders"}]}',
  streams: ['order.paid', 'order.shipped', 'order.cancelled', 'order.delivered'],
  tick: 'minute',
  resolve: (raw) => raw,
  async compute(ctx): Promise<WarehouseBacklog> {
    const now = ctx.clock.now();
    const db = ctx.storage.db;
    // At most four rows: the orders are counted per bucket inside the engine, never shipped to Node. Both
    // tables are read by key: the window's first payments by ts, then the order_state rows of just those
    // orders. An order has left when any of its order_state rows (merged or not yet) carries a shipment, a
    // delivery or a cancellation, so those rows need no GROUP BY. The cheap state test goes in PREWHERE and
    // the payments drop the closed orders by an anti join: a large NOT IN set costs far more in key analysis.
    const inWindow = (ts: string) => `${ts} >= ${msParam('since')} AND ${ts} <= ${msParam('now')}`;
    const list = await rows<{ bucket: number; orders: string; oldest: string }>(
      ctx,
      `SELECT multiIf(age < {e0:Int64}, 0, age < {e1:Int64}, 1, age < {e2:Int64}, 2, 3) AS bucket,
              count() AS orders, min(paid_ms) AS oldest
       FROM (
         SELECT toUnixTimestamp64Milli(p.ts) AS paid_ms, {now:Int64} - paid_ms AS age
         FROM ${db}.paid_orders_by_ts AS p
         LEFT ANTI JOIN (SELECT order_id FROM ${db}.order_state
                         PREWHERE cancelled = 1 OR shipped_at IS NOT NULL OR delivered_at IS NOT NULL
                         WHERE order_id IN (SELECT order_id FROM ${db}.paid_orders_by_ts WHERE ${inWindow('ts')})) AS closed
           USING order_id
         WHERE ${inWindow('p.ts')}
       )
       GROUP BY bucket`,
      { now, since: now - QUEUE_WINDOW_MS, e0: EDGES_MS[0], e1: EDGES_MS[1], e2: EDGES_MS[2] },
    );
    const by_age = BACKLOG_BUCKETS.map((bucket) => ({ bucket, orders: 0 }));
    let orders = 0;
    let oldest = Number.POSITIVE_INFINITY;
    for (const r of list) {
      by_age[r.bucket].orders = toInt(r.orders);
      orders += toInt(r.orders);
      oldest = Math.min(oldest, toInt(r.oldest));
    }
    if (orders === 0) return { orders: 0, oldest_paid_at: null, oldest_age_s: null, by_age };
    return { orders, oldest_paid_at: toBusinessIso(oldest, ctx.tz), oldest_age_s: ageSeconds(now, oldest), by_age };
  },
});

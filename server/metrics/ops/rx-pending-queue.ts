// rx.pending_queue: the pharmacists' queue, oldest first, with the SLA count for the compliance wall.
import { Type } from 'typebox';
import { toInt } from '../../plugins/clickhouse.ts';
import { toBusinessIso } from '../../time.ts';
import { defineMetric } from '../metric.ts';
import { QUEUE_WINDOW_MS, ageSeconds, intParam, msParam, rows, withDefaults } from './common.ts';

const Params = Type.Object(
  {
    limit: intParam(20, 200, 'items listed'),
    sla_min: intParam(15, 1440, 'review SLA in minutes'),
  },
  { additionalProperties: false },
);

export interface PendingRx {
  rx_id: string;
  order_id: string;
  state: 'waiting' | 'in_review';
  issued_at: string;
  age_s: number;
}

export interface RxPendingQueue {
  count: number;
  over_sla: number;
  items: PendingRx[];
}

/**
 * Pending = first rx.issued within the last 7 × 24 h up to now (rolling, from the clock; one stamped in the
 * future waits for its time) and no rx.approved / rx.rejected yet, whenever that decision arrives.
 * `in_review` once an rx.review_started exists. The age is whole seconds from the first rx.issued to now;
 * over SLA means age_s > sla_min × 60, the same whole seconds the items show.
 * Only ids and times leave storage: prescription content and buyer data are not stored and never read here.
 */
export const rxPendingQueue = defineMetric({
  id: 'rx.pending_queue',
  description: {
    'zh-CN': '待审处方队列（最早在前）及超时数',
    en: 'Prescriptions waiting for a pharmacist, oldest first, and how many are past the SLA',
  },
  params: Params,
  value: '{"count","over_sla","items":[{"rx_id","order_id","state":"waiting|in_review","issued_at","age_s"}]}',
  streams: ['rx'],
  tick: 'minute',
  resolve: withDefaults(Params),
  async compute(ctx, { limit, sla_min }): Promise<RxPendingQueue> {
    const now = ctx.clock.now();
    const db = ctx.storage.db;
    // Key ranges only: the window's rx.issued in rx_by_time (type, ts), then those prescriptions' events in
    // rx_events (rx_id, …); the HAVING keeps the undecided whose first rx.issued is in the window.
    const list = await rows<{ rx_id: string; order_id: string; started: boolean | number; issued_ms: string; total: string; over: string }>(
      ctx,
      `SELECT rx_id, order_id, started, toUnixTimestamp64Milli(issued_at) AS issued_ms,
              count() OVER () AS total, countIf(issued_at <= ${msParam('sla_edge')}) OVER () AS over
       FROM (
         SELECT rx_id,
                minIf(ts, type = 'rx.issued') AS issued_at,
                argMinIf(order_id, ts, type = 'rx.issued') AS order_id,
                countIf(type = 'rx.review_started') > 0 AS started,
                countIf(type IN ('rx.approved', 'rx.rejected')) AS decisions
         FROM ${db}.rx_events
         WHERE rx_id IN (SELECT rx_id FROM ${db}.rx_by_time
                         WHERE type = 'rx.issued' AND ts >= ${msParam('since')} AND ts <= ${msParam('now')})
         GROUP BY rx_id
         HAVING decisions = 0 AND issued_at >= ${msParam('since')} AND issued_at <= ${msParam('now')}
       )
       ORDER BY issued_at, rx_id
       LIMIT {limit:UInt32}`,
      { now, since: now - QUEUE_WINDOW_MS, sla_edge: now - (sla_min! * 60 + 1) * 1000, limit: limit! },
    );
    return {
      count: toInt(list[0]?.total ?? 0),
      over_sla: toInt(list[0]?.over ?? 0),
      items: list.map((r) => ({
        rx_id: r.rx_id,
        order_id: r.order_id,
        state: r.started ? 'in_review' : 'waiting',
        issued_at: toBusinessIso(toInt(r.issued_ms), ctx.tz),
        age_s: ageSeconds(now, toInt(r.issued_ms)),
      })),
    };
  },
});

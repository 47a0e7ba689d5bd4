// CONTRACT `rx.funnel`: prescriptions issued that business day and how far each got.
import { toInt } from '../../plugins/clickhouse.ts';
import { dayRange } from '../../time.ts';
import { defineMetric } from '../metric.ts';
import { DateParam, withToday } from '../params.ts';
import { msParam, rows } from './common.ts';

export interface RxFunnel {
  issued: number;
  review_started: number;
  approved: number;
  rejected: number;
  pending: number;
}

/**
 * The cohort is the prescriptions whose first rx.issued falls on the date; their later events count whatever
 * day they carry (a review finishing after midnight still belongs to the day's funnel) and in whatever order
 * they arrived. Each prescription is decided once, by its earliest rx.approved / rx.rejected, so
 * approved + rejected never exceeds issued and `pending` is never negative. `review_started` counts the
 * cohort's prescriptions with an rx.review_started event (a decision without one does not add to it).
 */
export const rxFunnel = defineMetric({
  id: 'rx.funnel',
  description: {
    'zh-CN': '当日开具处方的审核漏斗：开具、开始审核、通过、驳回、待审',
    en: 'Prescriptions issued that day: issued, review started, approved, rejected, pending',
  },
  params: DateParam,
  value: '{"issued","review_started","approved","rejected","pending"} integers',
  streams: ['rx'],
  resolve: withToday,
  async compute(ctx, { date }): Promise<RxFunnel> {
    const { fromMs, toMs } = dayRange(date!, ctx.tz);
    const db = ctx.storage.db;
    // Key ranges only: the day's rx.issued in rx_by_time (type, ts), then those prescriptions' events in
    // rx_events (rx_id, …), where the HAVING drops one whose first rx.issued was on an earlier day.
    const [row] = await rows<Record<'issued' | 'review_started' | 'approved' | 'rejected', string>>(
      ctx,
      `SELECT count() AS issued, countIf(started) AS review_started,
              countIf(decision = 'rx.approved') AS approved, countIf(decision = 'rx.rejected') AS rejected
       FROM (
         SELECT rx_id,
                minIf(ts, type = 'rx.issued') AS issued_at,
                countIf(type = 'rx.review_started') > 0 AS started,
                argMinIf(type, (ts, event_id), type IN ('rx.approved', 'rx.rejected')) AS decision
         FROM ${db}.rx_events
         WHERE rx_id IN (SELECT rx_id FROM ${db}.rx_by_time
                         WHERE type = 'rx.issued' AND ts >= ${msParam('from')} AND ts < ${msParam('to')})
         GROUP BY rx_id
         HAVING issued_at >= ${msParam('from')} AND issued_at < ${msParam('to')}
       )`,
      { from: fromMs, to: toMs },
    );
    const issued = toInt(row?.issued ?? 0);
    const approved = toInt(row?.approved ?? 0);
    const rejected = toInt(row?.rejected ?? 0);
    return { issued, review_started: toInt(row?.review_started ?? 0), approved, rejected, pending: issued - approved - rejected };
  },
});

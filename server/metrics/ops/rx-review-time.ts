// rx.review_time: how long pharmacists took, for the prescriptions decided that business day.
import { toInt } from '../../plugins/clickhouse.ts';
import { dayRange } from '../../time.ts';
import { defineMetric } from '../metric.ts';
import { DateParam, withToday } from '../params.ts';
import { msParam, rows } from './common.ts';

export interface RxReviewTime {
  reviewed: number;
  /** Median seconds from rx.issued to the first decision; null when nothing was decided that day. */
  p50_s: number | null;
  p95_s: number | null;
}

/**
 * Review time = first rx.approved/rx.rejected − first rx.issued, exact in integer ms, then rounded to whole
 * seconds. A prescription counts on the business day of its first decision. One whose rx.issued has not
 * arrived yet is left out until it does (its duration is unknown); a decision stamped before the issue
 * (a skewed source clock) counts as 0 s rather than a negative time. quantileExact takes the element at
 * index floor(n × level) of the sorted durations (the upper median for an even count).
 */
export const rxReviewTime = defineMetric({
  id: 'rx.review_time',
  description: {
    'zh-CN': '处方审核时长（开具到首次审核结论，秒）：当日审结数、P50、P95',
    en: 'Prescription review time, issued to first decision (s): reviewed that day, p50, p95',
  },
  params: DateParam,
  value: '{"reviewed":integer,"p50_s":integer|null,"p95_s":integer|null}',
  streams: ['rx'],
  resolve: withToday,
  async compute(ctx, { date }): Promise<RxReviewTime> {
    const { fromMs, toMs } = dayRange(date!, ctx.tz);
    const db = ctx.storage.db;
    // Key ranges only: the day's decisions in rx_by_time (type, ts), then those prescriptions' events in
    // rx_events (rx_id, …), where the HAVING drops one first decided on an earlier day.
    const [row] = await rows<{ reviewed: string; p50: string; p95: string }>(
      ctx,
      `SELECT count() AS reviewed, quantileExact(0.5)(ms) AS p50, quantileExact(0.95)(ms) AS p95
       FROM (
         SELECT greatest(toInt64(0), toUnixTimestamp64Milli(decided_at) - toUnixTimestamp64Milli(issued_at)) AS ms
         FROM (
           SELECT rx_id,
                  minIf(ts, type IN ('rx.approved', 'rx.rejected')) AS decided_at,
                  minIf(ts, type = 'rx.issued') AS issued_at,
                  countIf(type = 'rx.issued') AS issues
           FROM ${db}.rx_events
           WHERE rx_id IN (SELECT rx_id FROM ${db}.rx_by_time
                           WHERE type IN ('rx.approved', 'rx.rejected') AND ts >= ${msParam('from')} AND ts < ${msParam('to')})
           GROUP BY rx_id
           HAVING issues > 0 AND decided_at >= ${msParam('from')} AND decided_at < ${msParam('to')}
         )
       )`,
      { from: fromMs, to: toMs },
    );
    const reviewed = toInt(row?.reviewed ?? 0);
    if (reviewed === 0) return { reviewed: 0, p50_s: null, p95_s: null };
    return { reviewed, p50_s: Math.round(toInt(row.p50) / 1000), p95_s: Math.round(toInt(row.p95) / 1000) };
  },
});

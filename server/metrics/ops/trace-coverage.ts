// trace.coverage: share of the day's shipped boxes of traced SKUs that had their traceability code scanned out.
import { toInt } from '../../plugins/clickhouse.ts';
import { dayRange } from '../../time.ts';
import { defineMetric } from '../metric.ts';
import { DateParam, withToday } from '../params.ts';
import { basisPoints, msParam, rows } from './common.ts';

export interface TraceCoverage {
  boxes: number;
  scanned: number;
  missing: number;
  /** scanned / boxes in basis points, rounded down (10000 only when none is missing); null with no boxes. */
  coverage_bp: number | null;
}

/**
 * A box is one (order_id, box_id, sku_id) of an order.shipped dated that business day, for a SKU that is
 * traced in the current ref_skus (an unknown SKU is not traced). A re-sent order.shipped for the same box
 * counts it once. It is scanned when some trace.scan with direction 'out', at any time and in any arrival
 * order, names its box_id (and its order, or no order), or names no box but the same order_id and sku_id.
 * A scan 'in', or one for the same box_id of another order, does not count.
 */
export const traceCoverage = defineMetric({
  id: 'trace.coverage',
  description: { 'zh-CN': '追溯码出库扫码覆盖率（当日发货箱）', en: 'Trace-code scan coverage of boxes shipped that day' },
  params: DateParam,
  value: '{"boxes","scanned","missing","coverage_bp":integer|null}',
  streams: ['order', 'trace', 'ref.skus'],
  resolve: withToday,
  async compute(ctx, { date }): Promise<TraceCoverage> {
    const { fromMs, toMs } = dayRange(date!, ctx.tz);
    const db = ctx.storage.db;
    // The scans read are only those naming one of the day's boxes or orders: the sets stay day-sized.
    const [row] = await rows<{ boxes: string; scanned: string }>(
      ctx,
      `WITH boxes AS (
         SELECT order_id, box_id, sku_id FROM ${db}.shipped_boxes
         WHERE ts >= ${msParam('from')} AND ts < ${msParam('to')}
           AND sku_id IN (SELECT sku_id FROM ${db}.ref_skus FINAL WHERE traced)
         GROUP BY order_id, box_id, sku_id
       ),
       scans AS (
         SELECT DISTINCT order_id, box_id, sku_id FROM ${db}.trace_scans
         WHERE direction = 'out' AND (box_id IN (SELECT box_id FROM boxes) OR order_id IN (SELECT order_id FROM boxes))
       )
       SELECT count() AS boxes, countIf(hit) AS scanned
       FROM (
         SELECT (order_id, box_id) IN (SELECT order_id, box_id FROM scans WHERE box_id != '')
                OR box_id IN (SELECT box_id FROM scans WHERE box_id != '' AND order_id = '')
                OR (order_id, sku_id) IN (SELECT order_id, sku_id FROM scans WHERE box_id = '') AS hit
         FROM boxes
       )`,
      { from: fromMs, to: toMs },
    );
    const boxes = toInt(row?.boxes ?? 0);
    const scanned = toInt(row?.scanned ?? 0);
    return { boxes, scanned, missing: boxes - scanned, coverage_bp: basisPoints(scanned, boxes) };
  },
});

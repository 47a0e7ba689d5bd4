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
    // The day's boxes come from shipped_boxes by its ts (no table keeps shipments in time order); a re-sent
    // shipment folds into the GROUP BY. The scans are read by key from trace_out_scans (order_id, box_id,
    // sku_id): those of the day's orders, joined to their boxes by order, and the box-only ones (order_id '')
    // naming one of the day's box ids. A scan naming another order never matches, so no other scan is read.
    const day = `FROM ${db}.shipped_boxes WHERE ts >= ${msParam('from')} AND ts < ${msParam('to')}
                   AND sku_id IN (SELECT sku_id FROM ${db}.ref_skus FINAL WHERE traced)`;
    const [row] = await rows<{ boxes: string; scanned: string }>(
      ctx,
      `SELECT count() AS boxes, countIf(hit) AS scanned
       FROM (
         SELECT b.order_id, b.box_id, b.sku_id,
                max(s.order_id != '' AND ((s.box_id != '' AND s.box_id = b.box_id) OR (s.box_id = '' AND s.sku_id = b.sku_id))) AS by_order,
                by_order OR b.box_id IN (SELECT box_id FROM ${db}.trace_out_scans
                                         WHERE order_id = '' AND box_id IN (SELECT box_id ${day})) AS hit
         FROM (SELECT order_id, box_id, sku_id ${day}) AS b
         LEFT JOIN (SELECT order_id, box_id, sku_id FROM ${db}.trace_out_scans
                    WHERE order_id IN (SELECT order_id ${day})) AS s ON s.order_id = b.order_id
         GROUP BY b.order_id, b.box_id, b.sku_id
       )`,
      { from: fromMs, to: toMs },
    );
    const boxes = toInt(row?.boxes ?? 0);
    const scanned = toInt(row?.scanned ?? 0);
    return { boxes, scanned, missing: boxes - scanned, coverage_bp: basisPoints(scanned, boxes) };
  },
});

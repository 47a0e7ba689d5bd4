import { toInt } from '../../plugins/clickhouse.ts';
import { defineMetric } from '../metric.ts';
import { DateParam, dayParams, withToday } from '../params.ts';
import { LINE_HOUR_DAY } from './rollup.ts';

export interface CategorySales {
  /** rx otc_a otc_b device supplement herbal, or `unknown` for SKUs without reference data. */
  category: string;
  gmv_fen: number;
  qty: number;
}

/**
 * GMV by SKU category: line values of first payments (so the categories add up to the line value of the
 * day, not to paid_fen, which also holds order-level coupons and shipping). The category is the one known
 * at read time; a SKU that reference data has not described yet counts as `unknown` until it is.
 */
export const salesGmvByCategory = defineMetric({
  id: 'sales.gmv_by_category',
  description: { 'zh-CN': '分品类成交额（处方药、OTC、器械等）', en: 'Line value and units by SKU category' },
  params: DateParam,
  value: '[{"category","gmv_fen":integer,"qty":integer}] by gmv_fen desc',
  streams: ['order.paid', 'ref.skus'],
  resolve: withToday,
  async compute({ storage, tz }, { date }): Promise<CategorySales[]> {
    // Unmatched right rows have sku_id '' (no join_use_nulls): a real sku_id is never empty.
    const rs = await storage.read.query({
      query: `SELECT if(r.sku_id = '', 'unknown', toString(r.category)) AS c, sum(l.g) AS g, sum(l.q) AS q
              FROM (
                SELECT sku_id, sum(gmv_fen) AS g, sum(qty) AS q FROM ${storage.db}.sales_line_hour
                WHERE ${LINE_HOUR_DAY} GROUP BY sku_id
              ) AS l
              LEFT JOIN (SELECT sku_id, category FROM ${storage.db}.ref_skus FINAL) AS r ON r.sku_id = l.sku_id
              GROUP BY c ORDER BY g DESC, c`,
      query_params: dayParams(date!, tz),
      format: 'JSONEachRow',
    });
    const rows = await rs.json<{ c: string; g: string; q: string }>();
    return rows.map((r) => ({ category: r.c, gmv_fen: toInt(r.g), qty: toInt(r.q) }));
  },
});

import { Type } from 'typebox';
import { toInt } from '../../plugins/clickhouse.ts';
import { defineMetric } from '../metric.ts';
import { DateParam, dayParams, withToday } from '../params.ts';
import { LINE_HOUR_DAY } from './rollup.ts';

export interface TopSku {
  sku_id: string;
  /** As known at read time (the latest reference upload), null while the SKU is unknown. */
  name: string | null;
  qty: number;
  gmv_fen: number;
}

const Params = Type.Object(
  {
    ...DateParam.properties,
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 10, description: 'how many SKUs; default 10' })),
  },
  { additionalProperties: false },
);

/**
 * CONTRACT: best-selling SKUs of the day over the lines of first payments (each order once), line value
 * qty × unit_price_fen − discount_fen, by gmv_fen desc (ties by sku_id so the list never flickers).
 */
export const salesTopSkus = defineMetric({
  id: 'sales.top_skus',
  description: { 'zh-CN': '当日热销商品（按成交额）', en: 'Top SKUs of the day by line value' },
  params: Params,
  value: '[{"sku_id","name":string|null,"qty":integer,"gmv_fen":integer}] by gmv_fen desc',
  streams: ['order.paid', 'ref.skus'],
  resolve: (raw, ctx) => ({ ...withToday(raw, ctx), limit: raw.limit ?? 10 }),
  async compute({ storage, tz }, { date, limit }): Promise<TopSku[]> {
    // The limit applies to the rollup before the join, so the join touches only `limit` rows. Without
    // join_use_nulls an unmatched right row has sku_id '' (a real sku_id is never empty): that is "unknown".
    const rs = await storage.read.query({
      query: `SELECT l.sku_id AS sku_id, if(r.sku_id = '', NULL, r.name) AS name, l.q AS qty, l.g AS gmv_fen
              FROM (
                SELECT sku_id, sum(qty) AS q, sum(gmv_fen) AS g FROM ${storage.db}.sales_line_hour
                WHERE ${LINE_HOUR_DAY} GROUP BY sku_id ORDER BY g DESC, sku_id LIMIT {limit:UInt32}
              ) AS l
              LEFT JOIN (SELECT sku_id, name FROM ${storage.db}.ref_skus FINAL) AS r ON r.sku_id = l.sku_id
              ORDER BY l.g DESC, l.sku_id`,
      query_params: { ...dayParams(date!, tz), limit: limit! },
      format: 'JSONEachRow',
    });
    const rows = await rs.json<{ sku_id: string; name: string | null; qty: string; gmv_fen: string }>();
    return rows.map((r) => ({ sku_id: r.sku_id, name: r.name, qty: toInt(r.qty), gmv_fen: toInt(r.gmv_fen) }));
  },
});

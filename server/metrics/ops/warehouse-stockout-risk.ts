// warehouse.stockout_risk: SKUs whose stock will run out within a few days at the recent sell rate.
import { DateTime } from 'luxon';
import { Type } from 'typebox';
import { toInt } from '../../plugins/clickhouse.ts';
import { businessDate } from '../../time.ts';
import { defineMetric } from '../metric.ts';
import { dayParams } from '../params.ts';
import { intParam, rows, withDefaults } from './common.ts';

const Params = Type.Object(
  {
    days: intParam(7, 90, 'full business days of sales behind the sell rate'),
    limit: intParam(20, 200, 'items listed'),
    threshold_days: intParam(3, 365, 'listed when days of cover is below this'),
  },
  { additionalProperties: false },
);

export interface StockoutRisk {
  sku_id: string;
  name: string | null;
  /** Units on hand over all warehouses (net, as inventory.stock sums them). */
  on_hand: number;
  /** sold / days, rounded half up. */
  sold_per_day: number;
  /** floor(max(on_hand, 0) × days / sold): whole days the stock lasts; null when nothing was sold. */
  days_of_cover: number | null;
}

/**
 * Sold = qty of the lines of first payments (sales_line_hour) over the `days` full business days before
 * today, so a quiet morning does not distort the rate. Cover is computed from the exact totals, not from the
 * rounded rate, and rounded down (2.9 days of stock is 2 days). Only SKUs with days_of_cover below
 * threshold_days are listed, so a SKU with no sales (null cover, no rate to run out at) never is; a SKU sold
 * but absent from stock has 0 days. Sorted by days_of_cover asc, then sold desc, then sku_id.
 */
export const warehouseStockoutRisk = defineMetric({
  id: 'warehouse.stockout_risk',
  description: { 'zh-CN': '缺货风险：可售天数低于阈值的 SKU', en: 'Stock-out risk: SKUs with days of cover below the threshold' },
  params: Params,
  value: '[{"sku_id","name":string|null,"on_hand","sold_per_day","days_of_cover":integer|null}]',
  streams: ['order.paid', 'inventory', 'ref.skus'],
  tick: 'minute',
  resolve: withDefaults(Params),
  async compute(ctx, { days, limit, threshold_days }): Promise<StockoutRisk[]> {
    const n = days!;
    const today = businessDate(ctx.clock.now(), ctx.tz);
    const first = DateTime.fromISO(today, { zone: ctx.tz }).minus({ days: n }).toISODate() as string;
    const db = ctx.storage.db;
    const list = await rows<{ sku_id: string; name: string; named: number; on_hand: string; sold: string; cover: string }>(
      ctx,
      `SELECT l.sku_id AS sku_id, c.name AS name, c.known AS named, st.on_hand AS on_hand, l.sold AS sold,
              intDiv(greatest(st.on_hand, toInt64(0)) * {days:Int64}, toInt64(l.sold)) AS cover
       FROM (SELECT sku_id, sum(qty) AS sold FROM ${db}.sales_line_hour
             WHERE hour >= toDateTime({from:UInt32}, 'UTC') AND hour < toDateTime({to:UInt32}, 'UTC')
             GROUP BY sku_id HAVING sold > 0) AS l
       LEFT ANY JOIN (SELECT sku_id, sum(qty) AS on_hand FROM ${db}.stock_batch GROUP BY sku_id) AS st ON st.sku_id = l.sku_id
       LEFT ANY JOIN (SELECT sku_id, name, toUInt8(1) AS known FROM ${db}.ref_skus FINAL) AS c ON c.sku_id = l.sku_id
       WHERE cover < {threshold:Int64}
       ORDER BY cover, sold DESC, sku_id
       LIMIT {limit:UInt32}`,
      { from: dayParams(first, ctx.tz).from, to: dayParams(today, ctx.tz).from, days: n, threshold: threshold_days!, limit: limit! },
    );
    return list.map((r) => {
      const sold = toInt(r.sold);
      return {
        sku_id: r.sku_id,
        name: r.named ? r.name : null,
        on_hand: toInt(r.on_hand),
        sold_per_day: Math.floor((2 * sold + n) / (2 * n)),
        days_of_cover: toInt(r.cover),
      };
    });
  },
});

// CONTRACT `inventory.stock`: stock on hand per warehouse, SKU and batch.
import { Type } from 'typebox';
import { toInt } from '../../plugins/clickhouse.ts';
import { defineMetric } from '../metric.ts';
import { rows } from './common.ts';

const Params = Type.Object(
  { warehouse_id: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: 'only this warehouse; default all' })) },
  { additionalProperties: false },
);

export interface StockRow {
  warehouse_id: string;
  sku_id: string;
  batch_no: string;
  qty: number;
}

/**
 * qty = receipt + return + adjust − pick − scrap, whatever order the moves arrived in. stock_batch is a
 * SummingMergeTree that merges when it likes, so rows are summed here, never read one by one. A batch whose
 * moves net to 0 is left out; a negative one (picks recorded before their receipt) is shown as it is.
 */
export const inventoryStock = defineMetric({
  id: 'inventory.stock',
  description: { 'zh-CN': '库存（按仓库、SKU、批号）', en: 'Stock on hand by warehouse, SKU and batch' },
  params: Params,
  value: '[{"warehouse_id","sku_id","batch_no","qty"}] sorted by warehouse_id, sku_id, batch_no',
  streams: ['inventory'],
  resolve: (raw) => raw,
  async compute(ctx, { warehouse_id }): Promise<StockRow[]> {
    // The filter is a fixed piece of SQL; the warehouse id itself travels only as a typed parameter.
    const where = warehouse_id === undefined ? '' : 'WHERE warehouse_id = {warehouse_id:String}';
    const list = await rows<{ warehouse_id: string; sku_id: string; batch_no: string; qty: string }>(
      ctx,
      `SELECT warehouse_id, sku_id, batch_no, sum(qty) AS qty
       FROM ${ctx.storage.db}.stock_batch ${where}
       GROUP BY warehouse_id, sku_id, batch_no
       HAVING qty != 0
       ORDER BY warehouse_id, sku_id, batch_no`,
      warehouse_id === undefined ? {} : { warehouse_id },
    );
    return list.map((r) => ({ warehouse_id: r.warehouse_id, sku_id: r.sku_id, batch_no: r.batch_no, qty: toInt(r.qty) }));
  },
});

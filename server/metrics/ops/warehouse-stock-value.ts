// warehouse.stock_value: what the stock of each warehouse is worth at unit cost.
import { Type } from 'typebox';
import { toInt } from '../../plugins/clickhouse.ts';
import { defineMetric } from '../metric.ts';
import { rows } from './common.ts';

export interface WarehouseValue {
  warehouse_id: string;
  name: string | null;
  /** Units on hand, the sum of inventory.stock over the warehouse. */
  qty: number;
  /** Σ qty × cost_fen over the SKUs whose cost is known. */
  value_fen: number;
  /** Units of SKUs with no reference row (cost unknown): not in value_fen. */
  unknown_cost_qty: number;
}

const Params = Type.Object({}, { additionalProperties: false });

/**
 * Net stock per SKU (the same sums as inventory.stock, so the two screens agree) times the SKU's current
 * cost_fen. A cost of 0 is a known cost; only a SKU missing from ref_skus counts as unknown. Warehouses with
 * no stock are left out; sorted by value_fen desc, then warehouse_id.
 */
export const warehouseStockValue = defineMetric({
  id: 'warehouse.stock_value',
  description: { 'zh-CN': '各仓库存金额（按成本价，分）', en: 'Stock value per warehouse at unit cost (fen)' },
  params: Params,
  value: '[{"warehouse_id","name":string|null,"qty","value_fen","unknown_cost_qty"}]',
  streams: ['inventory', 'ref.skus', 'ref.warehouses'],
  resolve: (raw) => raw,
  async compute(ctx): Promise<WarehouseValue[]> {
    const db = ctx.storage.db;
    const list = await rows<{ warehouse_id: string; name: string; named: number; qty: string; value_fen: string; unknown_cost_qty: string }>(
      ctx,
      `SELECT s.warehouse_id AS warehouse_id, any(w.name) AS name, max(w.known) AS named,
              sum(s.qty) AS qty, sum(if(c.known = 1, s.qty * c.cost_fen, 0)) AS value_fen,
              sum(if(c.known = 1, 0, s.qty)) AS unknown_cost_qty
       FROM (SELECT warehouse_id, sku_id, sum(qty) AS qty FROM ${db}.stock_batch GROUP BY warehouse_id, sku_id HAVING qty != 0) AS s
       LEFT ANY JOIN (SELECT sku_id, cost_fen, toUInt8(1) AS known FROM ${db}.ref_skus FINAL) AS c ON c.sku_id = s.sku_id
       LEFT ANY JOIN (SELECT warehouse_id, name, toUInt8(1) AS known FROM ${db}.ref_warehouses FINAL) AS w ON w.warehouse_id = s.warehouse_id
       GROUP BY s.warehouse_id
       ORDER BY value_fen DESC, warehouse_id`,
    );
    return list.map((r) => ({
      warehouse_id: r.warehouse_id,
      name: r.named ? r.name : null,
      qty: toInt(r.qty),
      value_fen: toInt(r.value_fen),
      unknown_cost_qty: toInt(r.unknown_cost_qty),
    }));
  },
});

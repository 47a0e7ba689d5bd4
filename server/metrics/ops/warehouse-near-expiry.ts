// warehouse.near_expiry: batches in stock that expire within the policy window (近效期), or already did.
import { Type } from 'typebox';
import { toInt } from '../../plugins/clickhouse.ts';
import { businessDate } from '../../time.ts';
import { defineMetric } from '../metric.ts';
import { intParam, rows, withDefaults } from './common.ts';

const Params = Type.Object(
  {
    days: intParam(180, 3650, 'near-expiry window in days'),
    limit: intParam(50, 500, 'items listed'),
  },
  { additionalProperties: false },
);

export interface NearExpiryItem {
  warehouse_id: string;
  sku_id: string;
  name: string | null;
  batch_no: string;
  expiry_date: string;
  /** expiry_date − today in the business zone; 0 expires today, negative is expired. */
  days_left: number;
  qty: number;
  /** qty × cost_fen; null when the SKU's cost is unknown. */
  value_fen: number | null;
}

export interface NearExpiry {
  /** Value at risk over all matching batches (not only the listed ones), SKUs of unknown cost left out. */
  value_fen: number;
  batches: number;
  items: NearExpiryItem[];
}

/**
 * A (warehouse, SKU, batch) with stock > 0 whose batch expiry_date (ref_batches, keyed by batch_no alone,
 * as the reference API upserts it) is less than `days` days after today in TZ_BUSINESS (the clock's date, so
 * the list rolls at local midnight; hence the minute tick). Stock of a batch without reference data has no
 * known expiry and is not listed. Soonest expiry first.
 */
export const warehouseNearExpiry = defineMetric({
  id: 'warehouse.near_expiry',
  description: { 'zh-CN': '近效期及过期库存批次（金额按成本价）', en: 'Near-expiry and expired batches in stock, valued at cost' },
  params: Params,
  value: '{"value_fen","batches","items":[{"warehouse_id","sku_id","name","batch_no","expiry_date","days_left","qty","value_fen":integer|null}]}',
  streams: ['inventory', 'ref.batches', 'ref.skus'],
  tick: 'minute',
  resolve: withDefaults(Params),
  async compute(ctx, { days, limit }): Promise<NearExpiry> {
    const db = ctx.storage.db;
    const list = await rows<{
      warehouse_id: string; sku_id: string; name: string; costed: number; batch_no: string; expiry_date: string;
      days_left: string; qty: string; value_fen: string; batches: string; total_fen: string;
    }>(
      ctx,
      `SELECT s.warehouse_id AS warehouse_id, s.sku_id AS sku_id, c.name AS name, c.known AS costed, s.batch_no AS batch_no,
              toString(b.expiry_date) AS expiry_date, dateDiff('day', {today:Date32}, b.expiry_date) AS days_left,
              s.qty AS qty, s.qty * c.cost_fen AS value_fen,
              count() OVER () AS batches, sum(if(c.known = 1, s.qty * c.cost_fen, 0)) OVER () AS total_fen
       -- A plain INNER JOIN: ClickHouse's INNER ANY JOIN would also keep one left row per batch_no (one
       -- warehouse only); FINAL already leaves one reference row per batch_no.
       FROM (SELECT warehouse_id, sku_id, batch_no, sum(qty) AS qty FROM ${db}.stock_batch
             GROUP BY warehouse_id, sku_id, batch_no HAVING qty > 0) AS s
       INNER JOIN (SELECT batch_no, expiry_date FROM ${db}.ref_batches FINAL) AS b ON b.batch_no = s.batch_no
       LEFT ANY JOIN (SELECT sku_id, name, cost_fen, toUInt8(1) AS known FROM ${db}.ref_skus FINAL) AS c ON c.sku_id = s.sku_id
       WHERE b.expiry_date < addDays({today:Date32}, {days:Int32})
       ORDER BY b.expiry_date, warehouse_id, sku_id, batch_no
       LIMIT {limit:UInt32}`,
      { today: businessDate(ctx.clock.now(), ctx.tz), days: days!, limit: limit! },
    );
    return {
      value_fen: toInt(list[0]?.total_fen ?? 0),
      batches: toInt(list[0]?.batches ?? 0),
      items: list.map((r) => ({
        warehouse_id: r.warehouse_id,
        sku_id: r.sku_id,
        name: r.costed ? r.name : null,
        batch_no: r.batch_no,
        expiry_date: r.expiry_date,
        days_left: toInt(r.days_left),
        qty: toInt(r.qty),
        value_fen: r.costed ? toInt(r.value_fen) : null,
      })),
    };
  },
});

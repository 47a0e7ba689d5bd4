// The reference data stream rules need on every event (is this SKU Rx, controlled, traced; its cost and list
// price; a batch's expiry; a sensor's storage class), held in memory: loaded from ref_<kind> at start and
// reloaded when that kind changes. A few thousand rows; every lookup is a Map get.
import { toInt, type Storage } from '../plugins/clickhouse.ts';
import { rows } from '../metrics/query.ts';

export interface SkuFacts {
  is_rx: boolean;
  controlled: boolean;
  traced: boolean;
  list_price_fen: number;
  cost_fen: number;
}

export const REF_KINDS = ['skus', 'batches', 'sensors'] as const;
export type RefKind = (typeof REF_KINDS)[number];

export class RefCache {
  skus = new Map<string, SkuFacts>();
  /** batch_no → expiry date (YYYY-MM-DD). */
  batchExpiry = new Map<string, string>();
  /** sensor_id → storage class (normal, shady, cold). */
  sensorClass = new Map<string, string>();

  constructor(private readonly storage: Storage) {}

  async loadAll(): Promise<void> {
    for (const kind of REF_KINDS) await this.load(kind);
  }

  async load(kind: string): Promise<void> {
    const db = this.storage.db;
    if (kind === 'skus') {
      const list = await rows<{ sku_id: string; is_rx: boolean; controlled: boolean; traced: boolean; list_price_fen: string; cost_fen: string }>(
        { storage: this.storage },
        `SELECT sku_id, is_rx, controlled, traced, list_price_fen, cost_fen FROM ${db}.ref_skus FINAL`,
      );
      this.skus = new Map(list.map((r) => [r.sku_id, { is_rx: r.is_rx, controlled: r.controlled, traced: r.traced, list_price_fen: toInt(r.list_price_fen), cost_fen: toInt(r.cost_fen) }]));
    } else if (kind === 'batches') {
      const list = await rows<{ batch_no: string; expiry: string }>({ storage: this.storage }, `SELECT batch_no, toString(expiry_date) AS expiry FROM ${db}.ref_batches FINAL`);
      this.batchExpiry = new Map(list.map((r) => [r.batch_no, r.expiry]));
    } else if (kind === 'sensors') {
      const list = await rows<{ sensor_id: string; storage_class: string }>({ storage: this.storage }, `SELECT sensor_id, storage_class FROM ${db}.ref_sensors FINAL`);
      this.sensorClass = new Map(list.map((r) => [r.sensor_id, r.storage_class]));
    }
  }
}

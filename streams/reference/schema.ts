// Reference data (CONTRACT "Reference data"): PUT /api/v1/reference/{kind}, an array upserted by id.
// One declaration per kind: its id field(s), its row schema, and the ClickHouse columns it maps to.
import { Type, type TObject } from 'typebox';
import { CalendarDate, ChannelT, Fen, Id, ProvinceT, Text } from '../common.ts';

export const CATEGORIES = ['rx', 'otc_a', 'otc_b', 'device', 'supplement', 'herbal'] as const;
export const STORAGE_CLASSES = ['normal', 'shady', 'cold'] as const;

export interface ReferenceKind {
  readonly kind: string;
  /** Fields that identify a row: an upsert replaces the row with the same key. */
  readonly key: readonly string[];
  readonly schema: TObject;
  /** ClickHouse column types, in the order of the table; names are the schema's field names. */
  readonly columns: Readonly<Record<string, string>>;
}

export const REFERENCE_KINDS: readonly ReferenceKind[] = [
  {
    kind: 'skus',
    key: ['sku_id'],
    schema: Type.Object({
      sku_id: Id,
      name: Text,
      category: Type.Enum([...CATEGORIES]),
      is_rx: Type.Boolean(),
      storage_class: Type.Enum([...STORAGE_CLASSES]),
      controlled: Type.Boolean(),
      traced: Type.Boolean(),
      list_price_fen: Fen,
      cost_fen: Fen,
    }),
    columns: { sku_id: 'String', name: 'String', category: 'LowCardinality(String)', is_rx: 'Bool', storage_class: 'LowCardinality(String)', controlled: 'Bool', traced: 'Bool', list_price_fen: 'Int64', cost_fen: 'Int64' },
  },
  {
    kind: 'shops',
    key: ['shop_id'],
    schema: Type.Object({ shop_id: Id, channel: ChannelT, name: Text, licence_no: Text, licence_expires: CalendarDate, gsp_expires: CalendarDate }),
    columns: { shop_id: 'String', channel: 'LowCardinality(String)', name: 'String', licence_no: 'String', licence_expires: 'Date32', gsp_expires: 'Date32' },
  },
  {
    kind: 'warehouses',
    key: ['warehouse_id'],
    schema: Type.Object({ warehouse_id: Id, name: Text, province: ProvinceT }),
    columns: { warehouse_id: 'String', name: 'String', province: 'LowCardinality(String)' },
  },
  {
    kind: 'batches',
    key: ['batch_no'],
    schema: Type.Object({ batch_no: Id, sku_id: Id, mfg_date: CalendarDate, expiry_date: CalendarDate }),
    columns: { batch_no: 'String', sku_id: 'String', mfg_date: 'Date32', expiry_date: 'Date32' },
  },
  {
    kind: 'sensors',
    key: ['sensor_id'],
    schema: Type.Object({ sensor_id: Id, warehouse_id: Id, location: Text, storage_class: Type.Enum([...STORAGE_CLASSES]) }),
    columns: { sensor_id: 'String', warehouse_id: 'String', location: 'String', storage_class: 'LowCardinality(String)' },
  },
  {
    kind: 'targets',
    key: ['date', 'channel'],
    schema: Type.Object({ date: CalendarDate, channel: Type.Union([ChannelT, Type.Literal('all')], { description: 'a channel or "all"' }), gmv_target_fen: Fen }),
    columns: { date: 'Date32', channel: 'LowCardinality(String)', gmv_target_fen: 'Int64' },
  },
];

export const REFERENCE_BY_KIND: ReadonlyMap<string, ReferenceKind> = new Map(REFERENCE_KINDS.map((k) => [k.kind, k]));

// How a stored event becomes rows of the typed tables (their DDL is in schema.ts). Built in JS from the
// already-validated event, so ClickHouse parses no JSON on the way; the same code rebuilds rows from the
// `events` log when a projection is replayed after a crash.
import { STOCK_SIGN } from '../../streams/inventory/schema.ts';

/** An event as stored in the `events` log (body: cleaned and masked). */
export interface StoredEvent {
  event_id: string;
  type: string;
  stream: string;
  tsMs: number;
  firstPaid: 0 | 1;
  body: Record<string, unknown>;
}

type Row = Record<string, unknown>;
type Body = Record<string, unknown>;

export function chTime(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const int = (v: unknown): number => (typeof v === 'number' ? v : 0);

function base(e: StoredEvent): Row {
  return { ts: chTime(e.tsMs), event_id: e.event_id };
}

interface Line {
  sku_id: string;
  qty: number;
  unit_price_fen: number;
  discount_fen?: number;
  batch_no?: string;
}
interface Box {
  box_id: string;
  sku_id: string;
  batch_no: string;
  trace_codes: string[];
}

/** Table → rows of one event. Only the tables an event type feeds are listed for it. */
const BY_STREAM: Record<string, (e: StoredEvent, b: Body) => [string, Row[]][]> = {
  order: (e, b) => {
    const order: Row = {
      ...base(e),
      order_id: str(b.order_id),
      type: e.type,
      first_paid: e.firstPaid,
      channel: str(b.channel),
      shop_id: str(b.shop_id),
      buyer_id: str(b.buyer_id),
      buyer_name_masked: str(b.buyer_name),
      buyer_phone_masked: str(b.buyer_phone),
      province: str(b.province),
      city: str(b.city),
      campaign: str(b.campaign),
      paid_fen: int(b.paid_fen),
      refund_fen: int(b.refund_fen),
      warehouse_id: str(b.warehouse_id),
    };
    const out: [string, Row[]][] = [['order_events', [order]]];
    if (Array.isArray(b.lines)) {
      out.push([
        'order_lines',
        (b.lines as Line[]).map((l, i) => ({
          ...base(e),
          order_id: order.order_id,
          type: e.type,
          first_paid: e.firstPaid,
          channel: order.channel,
          province: order.province,
          campaign: order.campaign,
          line_no: i + 1,
          sku_id: l.sku_id,
          qty: l.qty,
          unit_price_fen: l.unit_price_fen,
          discount_fen: l.discount_fen ?? 0,
          batch_no: l.batch_no ?? '',
        })),
      ]);
    }
    if (Array.isArray(b.boxes)) {
      out.push([
        'shipped_boxes',
        (b.boxes as Box[]).map((x) => ({ ...base(e), order_id: order.order_id, warehouse_id: order.warehouse_id, box_id: x.box_id, sku_id: x.sku_id, batch_no: x.batch_no, trace_codes: x.trace_codes })),
      ]);
    }
    return out;
  },
  rx: (e, b) => [
    ['rx_events', [{ ...base(e), rx_id: str(b.rx_id), type: e.type, order_id: str(b.order_id), source: str(b.source), pharmacist_id: str(b.pharmacist_id), reason: str(b.reason) }]],
  ],
  inventory: (e, b) => [
    [
      'inventory_moves',
      [{ ...base(e), warehouse_id: str(b.warehouse_id), sku_id: str(b.sku_id), batch_no: str(b.batch_no), type: e.type, qty: int(b.qty), delta: int(b.qty) * (STOCK_SIGN[e.type] ?? 0), order_id: str(b.order_id) }],
    ],
  ],
  trace: (e, b) => [
    ['trace_scans', [{ ...base(e), code: str(b.code), sku_id: str(b.sku_id), batch_no: str(b.batch_no), warehouse_id: str(b.warehouse_id), direction: str(b.direction), order_id: str(b.order_id), box_id: str(b.box_id) }]],
  ],
  sensor: (e, b) => [['sensor_readings', [{ ...base(e), sensor_id: str(b.sensor_id), temp_c: b.temp_c, humidity_pct: typeof b.humidity_pct === 'number' ? b.humidity_pct : null }]]],
  live: (e, b) => [['live_stats', [{ ...base(e), room_id: str(b.room_id), channel: str(b.channel), viewers: int(b.viewers), gmv_fen: int(b.gmv_fen) }]]],
};

/** Rows per typed table for a list of events. */
export function project(events: readonly StoredEvent[]): Map<string, Row[]> {
  const tables = new Map<string, Row[]>();
  for (const e of events) {
    const fn = BY_STREAM[e.stream];
    if (!fn) continue;
    for (const [table, rows] of fn(e, e.body)) {
      let list = tables.get(table);
      if (!list) tables.set(table, (list = []));
      for (const r of rows) list.push(r);
    }
  }
  return tables;
}

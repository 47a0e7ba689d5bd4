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

type Body = Record<string, unknown>;

// `YYYY-MM-DD hh:mm:ss.mmm` in UTC. Events of a batch cluster in time: the formatted second is reused.
let lastSecond = NaN;
let lastPrefix = '';
export function chTime(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second !== lastSecond) {
    lastSecond = second;
    lastPrefix = new Date(second * 1000).toISOString().slice(0, 19).replace('T', ' ');
  }
  return `${lastPrefix}.${String(ms - second * 1000).padStart(3, '0')}`;
}

// Rows are written straight as JSONEachRow lines: building an object per row and then serializing it cost
// ~35 µs an order event (allocation and GC on the ingest thread); strings cost a few.
const q = JSON.stringify;
const str = (v: unknown): string => q(typeof v === 'string' ? v : '');
const int = (v: unknown): number => (typeof v === 'number' ? v : 0);

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

type Emit = (table: string, line: string) => void;

/** Emits the typed-table rows of one event; only the tables an event type feeds. */
const BY_STREAM: Record<string, (e: StoredEvent, b: Body, head: string, emit: Emit) => void> = {
  order: (e, b, head, emit) => {
    const orderId = str(b.order_id);
    const type = q(e.type);
    const shared = `${head},"order_id":${orderId},"type":${type},"first_paid":${e.firstPaid},"channel":${str(b.channel)},"province":${str(b.province)},"campaign":${str(b.campaign)}`;
    const warehouse = str(b.warehouse_id);
    emit(
      'order_events',
      `{${shared},"shop_id":${str(b.shop_id)},"buyer_id":${str(b.buyer_id)},"buyer_name_masked":${str(b.buyer_name)},"buyer_phone_masked":${str(b.buyer_phone)},"city":${str(b.city)},"paid_fen":${int(b.paid_fen)},"refund_fen":${int(b.refund_fen)},"warehouse_id":${warehouse}}`,
    );
    // Lines of payments only (what was sold): an order.created's lines stay in the `events` log, unread by
    // any metric, and would double the widest table's rows.
    if (e.type === 'order.paid' && Array.isArray(b.lines)) {
      (b.lines as Line[]).forEach((l, i) =>
        emit('order_lines', `{${shared},"line_no":${i + 1},"sku_id":${q(l.sku_id)},"qty":${l.qty},"unit_price_fen":${l.unit_price_fen},"discount_fen":${l.discount_fen ?? 0},"batch_no":${str(l.batch_no)}}`),
      );
    }
    if (Array.isArray(b.boxes)) {
      for (const x of b.boxes as Box[]) {
        emit('shipped_boxes', `{${head},"order_id":${orderId},"warehouse_id":${warehouse},"box_id":${q(x.box_id)},"sku_id":${q(x.sku_id)},"batch_no":${q(x.batch_no)},"trace_codes":${q(x.trace_codes)}}`);
      }
    }
  },
  rx: (e, b, head, emit) =>
    emit('rx_events', `{${head},"rx_id":${str(b.rx_id)},"type":${q(e.type)},"order_id":${str(b.order_id)},"source":${str(b.source)},"pharmacist_id":${str(b.pharmacist_id)},"reason":${str(b.reason)}}`),
  inventory: (e, b, head, emit) =>
    emit(
      'inventory_moves',
      `{${head},"warehouse_id":${str(b.warehouse_id)},"sku_id":${str(b.sku_id)},"batch_no":${str(b.batch_no)},"type":${q(e.type)},"qty":${int(b.qty)},"delta":${int(b.qty) * (STOCK_SIGN[e.type] ?? 0)},"order_id":${str(b.order_id)}}`,
    ),
  trace: (e, b, head, emit) =>
    emit(
      'trace_scans',
      `{${head},"code":${str(b.code)},"sku_id":${str(b.sku_id)},"batch_no":${str(b.batch_no)},"warehouse_id":${str(b.warehouse_id)},"direction":${str(b.direction)},"order_id":${str(b.order_id)},"box_id":${str(b.box_id)}}`,
    ),
  sensor: (e, b, head, emit) =>
    emit('sensor_readings', `{${head},"sensor_id":${str(b.sensor_id)},"temp_c":${int(b.temp_c)},"humidity_pct":${typeof b.humidity_pct === 'number' ? b.humidity_pct : 'null'}}`),
  live: (e, b, head, emit) =>
    emit('live_stats', `{${head},"room_id":${str(b.room_id)},"channel":${str(b.channel)},"viewers":${int(b.viewers)},"gmv_fen":${int(b.gmv_fen)}}`),
};

/** Emits the typed-table rows of one event (nothing for a stream without typed tables). */
export function projectEvent(e: StoredEvent, emit: Emit): void {
  const fn = BY_STREAM[e.stream];
  if (fn) fn(e, e.body, `"ts":"${chTime(e.tsMs)}","event_id":${q(e.event_id)}`, emit);
}

/**
 * JSONEachRow lines per typed table for a list of events. An event whose body cannot be projected (a shape
 * validation never lets through, e.g. an old row of the log) throws, unless `failed` is given: then it is
 * reported there and left out, and every other event is projected.
 */
export function project(events: readonly StoredEvent[], failed?: (e: StoredEvent, err: unknown) => void): Map<string, string[]> {
  const tables = new Map<string, string[]>();
  const emit: Emit = (table, line) => {
    let list = tables.get(table);
    if (!list) tables.set(table, (list = []));
    list.push(line);
  };
  try {
    for (const e of events) projectEvent(e, emit);
    return tables;
  } catch (err) {
    if (!failed) throw err;
  }
  // Again, one event at a time: an event's rows are kept only if all of them could be made.
  tables.clear();
  for (const e of events) {
    const rows: [string, string][] = [];
    try {
      projectEvent(e, (table, line) => rows.push([table, line]));
    } catch (err) {
      failed(e, err);
      continue;
    }
    for (const [table, line] of rows) emit(table, line);
  }
  return tables;
}

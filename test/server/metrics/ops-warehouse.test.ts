// Warehouse and stock metrics against a real server and chDB: inventory.stock, warehouse.backlog,
// warehouse.picks_per_hour, warehouse.stock_value, warehouse.near_expiry, warehouse.stockout_risk.
// Every expected value is worked out by hand from the events below.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INGEST, fixedClock, getJson, postEvents, removeDir, startServer, type Running } from '../../helpers/server.ts';
import { putReference as putRef } from '../../helpers/server.ts';
import { created, paid } from '../../helpers/events.ts';

// Pinned at 10:00:00 Shanghai on 2026-11-11 (02:00 UTC). The backlog window starts 2026-11-04T10:00+08:00;
// the stock-out sell rate uses the 7 full days 2026-11-04 00:00 … 2026-11-11 00:00 Shanghai.
const NOW = '2026-11-11T10:00:00.000+08:00';
const clock = fixedClock(NOW);
let s: Running;

const t = (hms: string, date = '2026-11-11') => `${date}T${hms}+08:00`;
const mv = (id: string, type: string, warehouse_id: string, sku_id: string, batch_no: string, qty: number, ts: string) => ({
  event_id: id, type: `inventory.${type}`, ts, warehouse_id, sku_id, batch_no, qty,
});
const ord = (id: string, type: string, order_id: string, ts: string, extra: Record<string, unknown> = {}) => ({ event_id: id, type, ts, order_id, ...extra });
const z = (order_id: string, ts: string, event_id?: string) => paid({ order_id, ts, paid_fen: 100, lines: [{ sku_id: 'SKU-Z' }], ...(event_id ? { event_id } : {}) });
const sale = (order_id: string, ts: string, lines: { sku_id: string; qty: number }[], event_id?: string) =>
  paid({ order_id, ts, paid_fen: 1, lines: lines.map((l) => ({ ...l, unit_price_fen: 1 })), ...(event_id ? { event_id } : {}) });

async function putReference(kind: string, rows: unknown[]): Promise<void> {
  expect((await putRef(s.url, kind, rows)).status).toBe(200);
}
const sku = (sku_id: string, name: string, cost_fen: number, storage_class = 'normal') => ({
  sku_id, name, category: 'otc_a', is_rx: false, storage_class, controlled: false, traced: false, list_price_fen: 9_999, cost_fen,
});
const batch = (batch_no: string, sku_id: string, expiry_date: string) => ({ batch_no, sku_id, mfg_date: '2025-01-01', expiry_date });

beforeAll(async () => {
  s = await startServer({ clock });
  // SKU-A's cost is corrected from 1000 to 1200: the latest upload wins. SKU-B's cost 0 is a known cost.
  await putReference('skus', [sku('SKU-A', '阿莫西林胶囊', 1_000), sku('SKU-B', '医用口罩', 0), sku('SKU-D', '胰岛素注射液', 500, 'cold')]);
  await putReference('skus', [sku('SKU-A', '阿莫西林胶囊', 1_200)]);
  await putReference('warehouses', [{ warehouse_id: 'WH-1', name: '广州仓', province: '广东' }]);
  await putReference('batches', [
    batch('B-A1', 'SKU-A', '2027-05-10'), batch('B-A2', 'SKU-A', '2026-12-01'), batch('B-A3', 'SKU-A', '2026-11-11'),
    batch('B-B1', 'SKU-B', '2026-11-20'), batch('B-C1', 'SKU-C', '2027-05-09'), batch('B-D1', 'SKU-D', '2026-11-10'),
  ]);

  // Out of order: O-11's shipment arrives before its payment.
  expect((await postEvents(s.url, [ord('ship-O-11', 'order.shipped', 'O-11', t('09:50:00'), { warehouse_id: 'WH-1' })])).status).toBe(200);
  const receipt = mv('rcpt-1', 'receipt', 'WH-1', 'SKU-A', 'B-A1', 100, t('08:00:00'));
  const first = z('O-1', t('09:30:00'), 'paid-O-1');
  const events = [
    receipt,
    mv('pick-1', 'pick', 'WH-1', 'SKU-A', 'B-A1', 30, t('09:15:00')),
    mv('ret-1', 'return', 'WH-1', 'SKU-A', 'B-A1', 2, t('09:20:00')),
    mv('adj-1', 'adjust', 'WH-1', 'SKU-A', 'B-A1', -5, t('09:25:00')),
    mv('scrap-1', 'scrap', 'WH-1', 'SKU-A', 'B-A1', 1, t('09:26:00')),
    mv('rcpt-2', 'receipt', 'WH-1', 'SKU-A', 'B-A2', 10, t('08:00:00')),
    mv('pick-2', 'pick', 'WH-1', 'SKU-A', 'B-A2', 10, t('09:45:00')),
    // Picked before its receipt is recorded: stock −4, shown as it is. First instant of the day.
    mv('pick-3', 'pick', 'WH-1', 'SKU-B', 'B-B1', 4, t('00:00:00.000')),
    mv('rcpt-3', 'receipt', 'WH-1', 'SKU-A', 'B-A3', 3, t('08:00:00')),
    mv('rcpt-4', 'receipt', 'WH-1', 'SKU-B', 'B-B9', 7, t('08:00:00')),
    mv('rcpt-8', 'receipt', 'WH-1', 'SKU-F', 'B-F1', 9, t('08:00:00')),
    mv('rcpt-5', 'receipt', 'WH-2', 'SKU-A', 'B-A1', 50, t('08:00:00')),
    mv('rcpt-6', 'receipt', 'WH-2', 'SKU-C', 'B-C1', 20, t('08:00:00')),
    mv('rcpt-7', 'receipt', 'WH-2', 'SKU-D', 'B-D1', 8, t('08:00:00')),
    mv('pick-4', 'pick', 'WH-2', 'SKU-D', 'B-D1', 2, t('09:30:00')),
    mv('pick-6', 'pick', 'WH-1', 'SKU-A', 'B-A1', 1, t('00:00:00', '2026-11-12')),

    first,
    z('O-2', t('09:00:00')),
    z('O-3', t('05:00:00')), ord('ship-O-3', 'order.shipped', 'O-3', t('09:00:00'), { warehouse_id: 'WH-1' }),
    z('O-4', t('09:00:00', '2026-11-10')), ord('cancel-O-4', 'order.cancelled', 'O-4', t('10:00:00', '2026-11-10')),
    z('O-5', t('09:59:59', '2026-11-10')),
    z('O-6', t('09:59:59', '2026-11-04')),
    z('O-7', t('10:00:01', '2026-11-04')),
    z('O-8', t('08:00:00')), z('O-8', t('09:59:00')),
    z('O-9', t('03:00:00')), ord('deliv-O-9', 'order.delivered', 'O-9', t('09:00:00')),
    z('O-10', t('07:00:00')), ord('refund-O-10', 'order.refunded', 'O-10', t('08:00:00'), { refund_fen: 100 }),
    z('O-11', t('09:40:00')),
    z('O-12', t('00:00:00', '2026-11-12')),
    created({ order_id: 'O-13', ts: t('09:00:00') }),
    z('O-14', t('06:00:00')),

    sale('S-1', t('12:00:00', '2026-11-05'), [{ sku_id: 'SKU-A', qty: 100 }, { sku_id: 'SKU-B', qty: 10 }]),
    sale('S-2', t('20:00:00', '2026-11-10'), [{ sku_id: 'SKU-B', qty: 4 }, { sku_id: 'SKU-D', qty: 21 }, { sku_id: 'SKU-F', qty: 21 }]),
    sale('S-2', t('21:00:00', '2026-11-10'), [{ sku_id: 'SKU-B', qty: 99 }]), // a second payment: not a sale
    sale('S-3', t('00:00:00.000', '2026-11-04'), [{ sku_id: 'SKU-E', qty: 3 }]),
    sale('S-4', t('23:59:59.999', '2026-11-03'), [{ sku_id: 'SKU-E', qty: 100 }]),
    sale('S-5', t('00:00:00.000'), [{ sku_id: 'SKU-E', qty: 50 }]),
    ...['S-1', 'S-2', 'S-3', 'S-4', 'S-5'].map((o) => ord(`ship-${o}`, 'order.shipped', o, t('01:00:00'), { warehouse_id: 'WH-1' })),
  ];
  expect((await postEvents(s.url, events)).body).toEqual({ accepted: events.length, duplicates: 0 });
  // Retries (same event_id) and a late pick dated yesterday's last millisecond.
  const late = mv('pick-5', 'pick', 'WH-2', 'SKU-A', 'B-A1', 5, t('23:59:59.999', '2026-11-10'));
  expect((await postEvents(s.url, [receipt, first, late])).body).toEqual({ accepted: 1, duplicates: 2 });
});
afterAll(async () => {
  await s?.close();
  if (s) removeDir(s.dataDir);
});

async function value(path: string) {
  const r = await getJson(s.url, `/api/v1/metrics/${path}`);
  expect(r.status).toBe(200);
  return r.body.value;
}

describe('inventory.stock', () => {
  const all = [
    { warehouse_id: 'WH-1', sku_id: 'SKU-A', batch_no: 'B-A1', qty: 65 }, // 100 − 30 + 2 − 5 − 1 − 1
    { warehouse_id: 'WH-1', sku_id: 'SKU-A', batch_no: 'B-A3', qty: 3 },
    { warehouse_id: 'WH-1', sku_id: 'SKU-B', batch_no: 'B-B1', qty: -4 },
    { warehouse_id: 'WH-1', sku_id: 'SKU-B', batch_no: 'B-B9', qty: 7 },
    { warehouse_id: 'WH-1', sku_id: 'SKU-F', batch_no: 'B-F1', qty: 9 },
    { warehouse_id: 'WH-2', sku_id: 'SKU-A', batch_no: 'B-A1', qty: 45 }, // 50 − the late pick of 5
    { warehouse_id: 'WH-2', sku_id: 'SKU-C', batch_no: 'B-C1', qty: 20 },
    { warehouse_id: 'WH-2', sku_id: 'SKU-D', batch_no: 'B-D1', qty: 6 },
  ];
  it('nets the moves per batch, leaves out zeros, sorts by warehouse, SKU, batch', async () => {
    expect(await value('inventory.stock')).toEqual(all);
  });
  it('filters by warehouse_id', async () => {
    expect(await value('inventory.stock?warehouse_id=WH-2')).toEqual(all.slice(5));
    expect(await value('inventory.stock?warehouse_id=WH-9')).toEqual([]);
  });
});

describe('warehouse.backlog', () => {
  it('counts paid orders not shipped, cancelled or delivered, by age', async () => {
    // In: O-1 30 min, O-2 1 h, O-8 2 h, O-10 3 h, O-14 4 h, O-5 24 h + 1 s, O-7 7 d − 1 s.
    expect(await value('warehouse.backlog')).toEqual({
      orders: 7,
      oldest_paid_at: '2026-11-04T10:00:01.000+08:00',
      oldest_age_s: 604_799,
      by_age: [
        { bucket: '<1h', orders: 1 },
        { bucket: '1-4h', orders: 3 },
        { bucket: '4-24h', orders: 1 },
        { bucket: '>24h', orders: 2 },
      ],
    });
  });
  it('moves with the clock', async () => {
    clock.set('2026-11-11T10:30:00.000+08:00');
    try {
      // O-7 leaves the 7-day window; O-1 turns exactly 1 h; O-5 is the oldest at 24 h 30 min 1 s.
      expect(await value('warehouse.backlog')).toEqual({
        orders: 6,
        oldest_paid_at: '2026-11-10T09:59:59.000+08:00',
        oldest_age_s: 88_201,
        by_age: [
          { bucket: '<1h', orders: 0 },
          { bucket: '1-4h', orders: 4 },
          { bucket: '4-24h', orders: 1 },
          { bucket: '>24h', orders: 1 },
        ],
      });
    } finally {
      clock.set(NOW);
    }
  });
  it('takes an order out when its shipment, cancellation or delivery comes in a later request', async () => {
    // Each closing event is its own request, so the order's state is spread over rows not merged yet. Paid
    // today (no 7-day sell rate or stock moves), and all three leave again: the other tests see no change.
    const send = async (e: Record<string, unknown>) => expect((await postEvents(s.url, [e])).body).toEqual({ accepted: 1, duplicates: 0 });
    // The first test's backlog with `young` orders under 1 h (O-1 and the new ones still waiting).
    const backlog = (young: number) => ({
      orders: 6 + young,
      oldest_paid_at: '2026-11-04T10:00:01.000+08:00',
      oldest_age_s: 604_799,
      by_age: [
        { bucket: '<1h', orders: young },
        { bucket: '1-4h', orders: 3 },
        { bucket: '4-24h', orders: 1 },
        { bucket: '>24h', orders: 2 },
      ],
    });
    const later = [z('O-20', t('09:55:00')), z('O-21', t('09:56:00')), z('O-22', t('09:57:00'))];
    expect((await postEvents(s.url, later)).body).toEqual({ accepted: 3, duplicates: 0 });
    expect(await value('warehouse.backlog')).toEqual(backlog(4));
    // A shipment stamped in the future (a skewed source clock) still says the order left.
    await send(ord('ship-O-20', 'order.shipped', 'O-20', t('00:10:00', '2026-11-12'), { warehouse_id: 'WH-1' }));
    expect(await value('warehouse.backlog')).toEqual(backlog(3));
    await send(ord('cancel-O-21', 'order.cancelled', 'O-21', t('09:58:00')));
    // A refund alone keeps the order waiting; its delivery (no shipment seen) takes it out.
    await send(ord('refund-O-22', 'order.refunded', 'O-22', t('09:58:30'), { refund_fen: 100 }));
    expect(await value('warehouse.backlog')).toEqual(backlog(2));
    await send(ord('deliv-O-22', 'order.delivered', 'O-22', t('09:59:00')));
    expect(await value('warehouse.backlog')).toEqual(backlog(1));
  });
});

describe('warehouse.picks_per_hour', () => {
  it('sums pick quantities per business hour and warehouse', async () => {
    expect(await value('warehouse.picks_per_hour')).toEqual([
      { hour: '00:00', warehouse_id: 'WH-1', picks: 4, moves: 1 },
      { hour: '09:00', warehouse_id: 'WH-1', picks: 40, moves: 2 },
      { hour: '09:00', warehouse_id: 'WH-2', picks: 2, moves: 1 },
    ]);
  });
  it('files a late pick under its own day and hour', async () => {
    expect(await value('warehouse.picks_per_hour?date=2026-11-10')).toEqual([{ hour: '23:00', warehouse_id: 'WH-2', picks: 5, moves: 1 }]);
    expect(await value('warehouse.picks_per_hour?date=2026-11-12')).toEqual([{ hour: '00:00', warehouse_id: 'WH-1', picks: 1, moves: 1 }]);
  });
});

describe('warehouse.stock_value', () => {
  it('values stock at the latest cost, keeps unknown-cost units apart', async () => {
    expect(await value('warehouse.stock_value')).toEqual([
      // SKU-A 68 × 1200 + SKU-B 3 × 0; SKU-F (9) has no cost.
      { warehouse_id: 'WH-1', name: '广州仓', qty: 80, value_fen: 81_600, unknown_cost_qty: 9 },
      // SKU-A 45 × 1200 + SKU-D 6 × 500; SKU-C (20) has no cost.
      { warehouse_id: 'WH-2', name: null, qty: 71, value_fen: 57_000, unknown_cost_qty: 20 },
    ]);
  });
});

describe('warehouse.near_expiry', () => {
  it('lists batches in stock expiring in less than 180 days or expired, soonest first', async () => {
    // B-A1 (180 days left) just misses; B-A2 has no stock, B-B1 negative stock, B-B9 and B-F1 no expiry.
    expect(await value('warehouse.near_expiry')).toEqual({
      value_fen: 6_600,
      batches: 3,
      items: [
        { warehouse_id: 'WH-2', sku_id: 'SKU-D', name: '胰岛素注射液', batch_no: 'B-D1', expiry_date: '2026-11-10', days_left: -1, qty: 6, value_fen: 3_000 },
        { warehouse_id: 'WH-1', sku_id: 'SKU-A', name: '阿莫西林胶囊', batch_no: 'B-A3', expiry_date: '2026-11-11', days_left: 0, qty: 3, value_fen: 3_600 },
        { warehouse_id: 'WH-2', sku_id: 'SKU-C', name: null, batch_no: 'B-C1', expiry_date: '2027-05-09', days_left: 179, qty: 20, value_fen: null },
      ],
    });
  });
  it('totals past the limit', async () => {
    const v = await value('warehouse.near_expiry?days=200&limit=2');
    expect(v.batches).toBe(5);
    expect(v.value_fen).toBe(6_600 + 78_000 + 54_000);
    expect(v.items.map((i: { batch_no: string }) => i.batch_no)).toEqual(['B-D1', 'B-A3']);
  });
  it('counts days from the business date, not the UTC date', async () => {
    // 16:30 UTC on 2026-11-11 is already 2026-11-12 00:30 in Shanghai: one day less left everywhere.
    clock.set('2026-11-11T16:30:00.000Z');
    try {
      const v = await value('warehouse.near_expiry');
      expect(v.batches).toBe(5);
      expect(v.value_fen).toBe(138_600);
      expect(v.items.map((i: { warehouse_id: string; batch_no: string; days_left: number }) => `${i.warehouse_id}/${i.batch_no}/${i.days_left}`)).toEqual([
        'WH-2/B-D1/-2', 'WH-1/B-A3/-1', 'WH-2/B-C1/178', 'WH-1/B-A1/179', 'WH-2/B-A1/179',
      ]);
    } finally {
      clock.set(NOW);
    }
  });
});

describe('warehouse.stockout_risk', () => {
  it('lists SKUs with less than 3 days of cover at the 7-day sell rate', async () => {
    // Sold 2026-11-04…10: Z 4, E 3 (S-4 is a ms early, S-5 is today), B 14 (not the second payment's 99),
    // D 21, F 21 (9 on hand → exactly 3 days: not listed), A 100 (113 on hand → 7 days).
    expect(await value('warehouse.stockout_risk')).toEqual([
      { sku_id: 'SKU-Z', name: null, on_hand: 0, sold_per_day: 1, days_of_cover: 0 },
      { sku_id: 'SKU-E', name: null, on_hand: 0, sold_per_day: 0, days_of_cover: 0 },
      { sku_id: 'SKU-B', name: '医用口罩', on_hand: 3, sold_per_day: 2, days_of_cover: 1 },
      { sku_id: 'SKU-D', name: '胰岛素注射液', on_hand: 6, sold_per_day: 3, days_of_cover: 2 },
    ]);
  });
  it('honours days, threshold_days and limit', async () => {
    expect((await value('warehouse.stockout_risk?threshold_days=1&limit=1')).map((r: { sku_id: string }) => r.sku_id)).toEqual(['SKU-Z']);
    // Only 2026-11-10: Z 2 (O-4, O-5), B 4, D 21, F 21; nobody lasts a whole day.
    expect(await value('warehouse.stockout_risk?days=1')).toEqual([
      { sku_id: 'SKU-D', name: '胰岛素注射液', on_hand: 6, sold_per_day: 21, days_of_cover: 0 },
      { sku_id: 'SKU-F', name: null, on_hand: 9, sold_per_day: 21, days_of_cover: 0 },
      { sku_id: 'SKU-B', name: '医用口罩', on_hand: 3, sold_per_day: 4, days_of_cover: 0 },
      { sku_id: 'SKU-Z', name: null, on_hand: 0, sold_per_day: 2, days_of_cover: 0 },
    ]);
  });
});

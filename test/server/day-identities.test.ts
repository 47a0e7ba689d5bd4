// A generated demo hour replayed through the real API: identities that must hold between the metrics, and
// between the metrics and the events themselves (computed here independently from the generated events).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoEventsForSecond, demoReference, type DemoEvent } from '../../streams/demo/index.ts';
import { dayRange } from '../../server/time.ts';
import { fixedClock, getJson, postEvents, putReference, removeDir, startServer, type Running } from '../helpers/server.ts';

const DATE = '2026-11-11';
const TZ = 'Asia/Shanghai';
const opts = { seed: 'identities', tz: TZ, ratePerSecond: 1 };
const { fromMs } = dayRange(DATE, TZ);
const UNTIL_S = fromMs / 1000 + 3_600; // 00:00–01:00, the midnight burst
const clock = fixedClock('2026-11-11T01:00:00.000+08:00');
let s: Running;
const events: DemoEvent[] = [];

beforeAll(async () => {
  s = await startServer({ clock });
  for (const [kind, rows] of Object.entries(demoReference(opts, DATE))) {
    expect((await putReference(s.url, kind, rows)).status).toBe(200);
  }
  for (let sec = fromMs / 1000; sec < UNTIL_S; sec++) events.push(...demoEventsForSecond(opts, sec));
  for (let i = 0; i < events.length; i += 10_000) {
    const r = await postEvents(s.url, events.slice(i, i + 10_000).map((e) => JSON.stringify(e)).join('\n'));
    expect(r.status).toBe(200);
  }
}, 120_000);
afterAll(async () => {
  await s?.close();
  if (s) removeDir(s.dataDir);
});

const metric = async (id: string, q = '') => (await getJson(s.url, `/api/v1/metrics/${id}?date=${DATE}${q}`)).body.value;
const sum = (rows: Record<string, number>[], k: string) => rows.reduce((n, r) => n + r[k], 0);

describe('a generated hour', () => {
  it('has GMV and paid orders equal to the first payments in the events', async () => {
    const firstPaid = new Map<string, number>();
    for (const e of events) if (e.type === 'order.paid' && !firstPaid.has(e.order_id)) firstPaid.set(e.order_id, e.paid_fen);
    expect(firstPaid.size).toBeGreaterThan(1_000);
    expect(await metric('sales.gmv')).toBe([...firstPaid.values()].reduce((a, b) => a + b, 0));
    expect(await metric('sales.paid_orders')).toBe(firstPaid.size);
  });

  it('splits GMV by channel and by province into parts that add up', async () => {
    const gmv = await metric('sales.gmv');
    const orders = await metric('sales.paid_orders');
    for (const id of ['sales.gmv_by_channel', 'sales.gmv_by_province']) {
      const rows = await metric(id);
      expect(sum(rows, 'gmv_fen')).toBe(gmv);
      expect(sum(rows, 'orders')).toBe(orders);
    }
    const perMinute = (await getJson(s.url, '/api/v1/metrics/sales.orders_per_minute')).body.value;
    expect(sum(perMinute, 'orders')).toBe(orders);
  });

  it('keeps stock = receipts + returns + adjust − picks − scrap for every batch', async () => {
    const expected = new Map<string, number>();
    const sign: Record<string, number> = { 'inventory.receipt': 1, 'inventory.return': 1, 'inventory.adjust': 1, 'inventory.pick': -1, 'inventory.scrap': -1 };
    for (const e of events) {
      if (!(e.type in sign)) continue;
      const m = e as { warehouse_id: string; sku_id: string; batch_no: string; qty: number; type: string };
      const key = `${m.warehouse_id}|${m.sku_id}|${m.batch_no}`;
      expected.set(key, (expected.get(key) ?? 0) + sign[m.type] * m.qty);
    }
    const stock = (await getJson(s.url, '/api/v1/metrics/inventory.stock')).body.value as { warehouse_id: string; sku_id: string; batch_no: string; qty: number }[];
    const got = new Map(stock.map((r) => [`${r.warehouse_id}|${r.sku_id}|${r.batch_no}`, r.qty]));
    for (const [key, qty] of expected) expect(got.get(key) ?? 0, key).toBe(qty);
    expect(stock.length).toBe([...expected.values()].filter((q) => q !== 0).length);
  });

  it('has an Rx funnel that adds up and matches the prescriptions issued', async () => {
    const f = await metric('rx.funnel');
    const issued = new Set(events.filter((e) => e.type === 'rx.issued').map((e) => (e as { rx_id: string }).rx_id));
    expect(f.issued).toBe(issued.size);
    expect(f.issued).toBeGreaterThan(50);
    expect(f.pending).toBe(f.issued - f.approved - f.rejected);
    expect(f.review_started).toBeLessThanOrEqual(f.issued);
  });
});

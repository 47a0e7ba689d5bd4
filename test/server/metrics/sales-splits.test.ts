// Sales splits and KPIs (by channel, province, category, top SKUs, refunds, AOV, GMV vs target) on a small
// hand-made day with retries, late and out-of-order events, a second payment, refunds and cancellations.
// Every expected value below was worked out by hand from the events, never by the code under test.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { created, paid } from '../../helpers/events.ts';
import { fixedClock, getJson, INGEST, postEvents, removeDir, startServer, type Running } from '../../helpers/server.ts';
import { putReference as putRef } from '../../helpers/server.ts';

// 10:03:30 Shanghai on 2026-11-11: "today" is 2026-11-11, which began at 2026-11-10T16:00:00Z.
const clock = fixedClock('2026-11-11T10:03:30.000+08:00');
let s: Running;

const sku = (sku_id: string, name: string, category: string, cost_fen: number) => ({
  sku_id, name, category, is_rx: category === 'rx', storage_class: 'normal', controlled: false, traced: false, list_price_fen: 2_500, cost_fen,
});

const putReference = async (kind: string, rows: unknown[]): Promise<number> => (await putRef(s.url, kind, rows)).status;

async function value<T>(path: string): Promise<T> {
  const r = await getJson(s.url, `/api/v1/metrics/${path}`);
  expect(r.status).toBe(200);
  return r.body.value as T;
}

const O2 = paid({ order_id: 'O2', event_id: 'evt-O2', ts: '2026-11-10T16:00:30.000Z', paid_fen: 1_500, channel: 'jd', province: '北京', lines: [{ sku_id: 'SKU-C', qty: 3, unit_price_fen: 500 }] });
const REFUND_O8 = { event_id: 'refund-O8-1', type: 'order.refunded', ts: '2026-11-11T07:00:00+08:00', order_id: 'O8', refund_fen: 2_000 };

beforeAll(async () => {
  s = await startServer({ clock });
  expect(await putReference('skus', [sku('SKU-A', '阿莫西林胶囊 0.25g*24粒', 'rx', 1_200), sku('SKU-B', '布洛芬缓释胶囊', 'otc_a', 800), sku('SKU-C', '维生素C片', 'supplement', 300)])).toBe(200);
  const first = await postEvents(s.url, [
    // Today. O1 at the first instant of the day (16:00 UTC the day before); its lines are worth 3,900 + 1,500
    // and the buyer paid 5,000 after an order-level coupon.
    paid({ order_id: 'O1', ts: '2026-11-11T00:00:00.000+08:00', paid_fen: 5_000, lines: [{ sku_id: 'SKU-A', qty: 2, unit_price_fen: 2_000, discount_fen: 100 }, { sku_id: 'SKU-B', qty: 1, unit_price_fen: 1_500 }] }),
    O2, // 00:00:30 Shanghai, written in UTC
    paid({ order_id: 'O3', ts: '2026-11-11T09:15:00+08:00', paid_fen: 9_000, province: '北京', lines: [{ sku_id: 'SKU-X', qty: 1, unit_price_fen: 9_000 }] }),
    paid({ order_id: 'O4', ts: '2026-11-11T10:02:00+08:00', paid_fen: 2_000, channel: 'pdd', lines: [{ sku_id: 'SKU-A', qty: 1, unit_price_fen: 2_000 }] }),
    paid({ order_id: 'O7', ts: '2026-11-11T08:00:00+08:00', paid_fen: 2_100, channel: 'meituan', province: '上海', lines: [{ sku_id: 'SKU-B', qty: 1, unit_price_fen: 1_500 }, { sku_id: 'SKU-C', qty: 1, unit_price_fen: 600 }] }),
    created({ order_id: 'O6', ts: '2026-11-11T09:00:00+08:00' }),
    { event_id: 'cancel-O6', type: 'order.cancelled', ts: '2026-11-11T09:01:00+08:00', order_id: 'O6' },
    // Earlier days: 2026-11-08 (4,000 + 1 + 2 in three orders) and 2026-11-09 (100 + 101).
    paid({ order_id: 'O8', ts: '2026-11-08T12:00:00+08:00', paid_fen: 4_000, province: '浙江', lines: [{ sku_id: 'SKU-C', qty: 8, unit_price_fen: 500 }] }),
    paid({ order_id: 'O9', ts: '2026-11-08T13:00:00+08:00', paid_fen: 1 }),
    paid({ order_id: 'O10', ts: '2026-11-08T14:00:00+08:00', paid_fen: 2 }),
    paid({ order_id: 'P1', ts: '2026-11-09T10:00:00+08:00', paid_fen: 100, channel: 'jd' }),
    paid({ order_id: 'P2', ts: '2026-11-09T11:00:00+08:00', paid_fen: 101, channel: 'jd' }),
    // Refunds today: one of today's order, two of an order paid three days ago.
    { event_id: 'refund-O1', type: 'order.refunded', ts: '2026-11-11T09:00:00+08:00', order_id: 'O1', refund_fen: 1_000 },
    REFUND_O8,
    { event_id: 'refund-O8-2', type: 'order.refunded', ts: '2026-11-11T07:05:00+08:00', order_id: 'O8', refund_fen: 1_000 },
  ]);
  expect(first.body).toEqual({ accepted: 15, duplicates: 0 });
  const late = await postEvents(s.url, [
    O2, // retry: same event_id
    // A second order.paid of O1 (another event_id, bigger amount and lines): only the first payment counts.
    paid({ order_id: 'O1', ts: '2026-11-11T10:00:00+08:00', paid_fen: 99_999, lines: [{ sku_id: 'SKU-A', qty: 50, unit_price_fen: 2_000 }] }),
    // O4's order.created arrives after its payment (and is dated before it): it changes nothing.
    created({ order_id: 'O4', ts: '2026-11-11T10:01:00+08:00' }),
    // An order of yesterday's last millisecond, arriving late.
    paid({ order_id: 'O5', ts: '2026-11-10T23:59:59.999+08:00', paid_fen: 3_000, channel: 'douyin', province: '四川', lines: [{ sku_id: 'SKU-B', qty: 2, unit_price_fen: 1_500 }] }),
    REFUND_O8, // retry
    { event_id: 'refund-O5-a', type: 'order.refunded', ts: '2026-11-11T00:00:00.000+08:00', order_id: 'O5', refund_fen: 300 },
    { event_id: 'refund-O5-b', type: 'order.refunded', ts: '2026-11-10T23:59:59.999+08:00', order_id: 'O5', refund_fen: 500 },
    // A cancellation after payment: GMV is gross, it stays.
    { event_id: 'cancel-O7', type: 'order.cancelled', ts: '2026-11-11T08:30:00+08:00', order_id: 'O7' },
  ]);
  expect(late.body).toEqual({ accepted: 6, duplicates: 2 });
});
afterAll(async () => {
  await s?.close();
  if (s) removeDir(s.dataDir);
});

describe('sales splits', () => {
  it('sales.gmv_by_channel: first payments per channel by GMV desc, empty channels left out', async () => {
    expect(await value('sales.gmv_by_channel')).toEqual([
      { channel: 'tmall', gmv_fen: 14_000, orders: 2 },
      { channel: 'meituan', gmv_fen: 2_100, orders: 1 },
      { channel: 'pdd', gmv_fen: 2_000, orders: 1 },
      { channel: 'jd', gmv_fen: 1_500, orders: 1 },
    ]);
    expect(await value('sales.gmv_by_channel?date=2026-11-10')).toEqual([{ channel: 'douyin', gmv_fen: 3_000, orders: 1 }]);
    expect(await value('sales.gmv_by_channel?date=2026-11-08')).toEqual([{ channel: 'tmall', gmv_fen: 4_003, orders: 3 }]);
    expect(await value('sales.gmv_by_channel?date=2026-11-07')).toEqual([]);
  });

  it('sales.gmv_by_province', async () => {
    expect(await value('sales.gmv_by_province')).toEqual([
      { province: '北京', gmv_fen: 10_500, orders: 2 },
      { province: '广东', gmv_fen: 7_000, orders: 2 },
      { province: '上海', gmv_fen: 2_100, orders: 1 },
    ]);
    expect(await value('sales.gmv_by_province?date=2026-11-10')).toEqual([{ province: '四川', gmv_fen: 3_000, orders: 1 }]);
  });

  it('sales.refunds: by the refund ts, distinct orders', async () => {
    expect(await value('sales.refunds')).toEqual({ refund_fen: 4_300, refunded_orders: 3 });
    expect(await value('sales.refunds?date=2026-11-10')).toEqual({ refund_fen: 500, refunded_orders: 1 });
    expect(await value('sales.refunds?date=2026-11-08')).toEqual({ refund_fen: 0, refunded_orders: 0 });
  });

  it('sales.aov: integer fen, half up, 0 without orders', async () => {
    expect(await value('sales.aov')).toBe(3_920); // 19,600 / 5
    expect(await value('sales.aov?date=2026-11-09')).toBe(101); // 201 / 2 = 100.5
    expect(await value('sales.aov?date=2026-11-08')).toBe(1_334); // 4,003 / 3 = 1,334.33
    expect(await value('sales.aov?date=2026-11-07')).toBe(0);
  });

  it('sales.gmv_by_category: line values, unknown SKUs as `unknown`', async () => {
    expect(await value('sales.gmv_by_category')).toEqual([
      { category: 'unknown', gmv_fen: 9_000, qty: 1 },
      { category: 'rx', gmv_fen: 5_900, qty: 3 },
      { category: 'otc_a', gmv_fen: 3_000, qty: 2 },
      { category: 'supplement', gmv_fen: 2_100, qty: 4 },
    ]);
    expect(await value('sales.gmv_by_category?date=2026-11-10')).toEqual([{ category: 'otc_a', gmv_fen: 3_000, qty: 2 }]);
  });

  it('sales.top_skus: line values, limit, name null while unknown', async () => {
    expect(await value('sales.top_skus')).toEqual([
      { sku_id: 'SKU-X', name: null, qty: 1, gmv_fen: 9_000 },
      { sku_id: 'SKU-A', name: '阿莫西林胶囊 0.25g*24粒', qty: 3, gmv_fen: 5_900 },
      { sku_id: 'SKU-B', name: '布洛芬缓释胶囊', qty: 2, gmv_fen: 3_000 },
      { sku_id: 'SKU-C', name: '维生素C片', qty: 4, gmv_fen: 2_100 },
    ]);
    const r = await getJson(s.url, '/api/v1/metrics/sales.top_skus?limit=2&date=2026-11-11');
    expect(r.body.params).toEqual({ date: '2026-11-11', limit: 2 });
    expect(r.body.value.map((x: { sku_id: string }) => x.sku_id)).toEqual(['SKU-X', 'SKU-A']);
    for (const bad of ['0', '101', 'abc', '2.5']) {
      const b = await getJson(s.url, `/api/v1/metrics/sales.top_skus?limit=${bad}`);
      expect(b.status).toBe(400);
      expect(b.body).toMatchObject({ code: 'RXP_ERR_METRIC_PARAM', param: 'limit' });
    }
  });

  it('names and categories are the ones known at read time', async () => {
    expect(await putReference('skus', [sku('SKU-A', '阿莫西林胶囊 0.5g*24粒', 'rx', 1_200), sku('SKU-X', '血糖仪', 'device', 5_000)])).toBe(200);
    const top = await value<{ sku_id: string; name: string | null }[]>('sales.top_skus?limit=2');
    expect(top.map((t) => t.name)).toEqual(['血糖仪', '阿莫西林胶囊 0.5g*24粒']);
    expect(await value('sales.gmv_by_category')).toEqual([
      { category: 'device', gmv_fen: 9_000, qty: 1 },
      { category: 'rx', gmv_fen: 5_900, qty: 3 },
      { category: 'otc_a', gmv_fen: 3_000, qty: 2 },
      { category: 'supplement', gmv_fen: 2_100, qty: 4 },
    ]);
  });
});

describe('sales.gmv_vs_target', () => {
  it('progress in basis points overall and per channel, latest target upload wins', async () => {
    expect(await value('sales.gmv_vs_target')).toEqual({ gmv_fen: 19_600, target_fen: null, progress_bp: null, by_channel: expect.any(Array) });
    expect(
      await putReference('targets', [
        { date: '2026-11-11', channel: 'all', gmv_target_fen: 40_000 },
        { date: '2026-11-11', channel: 'tmall', gmv_target_fen: 12_000 },
        { date: '2026-11-11', channel: 'jd', gmv_target_fen: 4_500 },
        { date: '2026-11-11', channel: 'douyin', gmv_target_fen: 1_000 },
        { date: '2026-11-10', channel: 'all', gmv_target_fen: 6_000 },
      ]),
    ).toBe(200);
    expect(await putReference('targets', [{ date: '2026-11-11', channel: 'all', gmv_target_fen: 30_000 }])).toBe(200);
    expect(await value('sales.gmv_vs_target')).toEqual({
      gmv_fen: 19_600,
      target_fen: 30_000,
      progress_bp: 6_533, // 6,533.33
      by_channel: [
        { channel: 'tmall', gmv_fen: 14_000, target_fen: 12_000, progress_bp: 11_667 }, // 11,666.67
        { channel: 'meituan', gmv_fen: 2_100, target_fen: null, progress_bp: null },
        { channel: 'pdd', gmv_fen: 2_000, target_fen: null, progress_bp: null },
        { channel: 'jd', gmv_fen: 1_500, target_fen: 4_500, progress_bp: 3_333 }, // 3,333.33
        { channel: 'douyin', gmv_fen: 0, target_fen: 1_000, progress_bp: 0 },
      ],
    });
    expect(await value('sales.gmv_vs_target?date=2026-11-10')).toEqual({
      gmv_fen: 3_000,
      target_fen: 6_000,
      progress_bp: 5_000,
      by_channel: [{ channel: 'douyin', gmv_fen: 3_000, target_fen: null, progress_bp: null }],
    });
    expect(await value('sales.gmv_vs_target?date=2026-11-09')).toEqual({
      gmv_fen: 201,
      target_fen: null,
      progress_bp: null,
      by_channel: [{ channel: 'jd', gmv_fen: 201, target_fen: null, progress_bp: null }],
    });
  });
});

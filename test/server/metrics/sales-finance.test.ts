// Finance metrics (net revenue, gross margin, commission, refund rate, cash awaiting settlement) on a small
// hand-made set of orders with retries, late and out-of-order events, a second payment, refunds days later,
// cancellations and deliveries. Every expected value is worked out by hand in the comments.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { created, paid } from '../../helpers/events.ts';
import { fixedClock, getJson, INGEST, postEvents, removeDir, startServer, type Running } from '../../helpers/server.ts';
import { putReference as putRef } from '../../helpers/server.ts';

const NOW = '2026-11-11T10:03:30.000+08:00';
const clock = fixedClock(NOW);
let s: Running;

const sku = (sku_id: string, category: string, cost_fen: number) => ({
  sku_id, name: sku_id, category, is_rx: category === 'rx', storage_class: 'normal', controlled: false, traced: false, list_price_fen: 3_000, cost_fen,
});

const putReference = async (kind: string, rows: unknown[]): Promise<number> => (await putRef(s.url, kind, rows)).status;

async function value<T>(path: string): Promise<T> {
  const r = await getJson(s.url, `/api/v1/metrics/${path}`);
  expect(r.status).toBe(200);
  return r.body.value as T;
}

const ev = (type: string, order_id: string, ts: string, extra: Record<string, unknown> = {}) => ({ event_id: `${type}-${order_id}`, type, ts, order_id, ...extra });

const F2 = paid({ order_id: 'F2', event_id: 'evt-F2', ts: '2026-11-10T16:00:30.000Z', paid_fen: 3_333, channel: 'jd', lines: [{ sku_id: 'SKU-C', qty: 3, unit_price_fen: 500 }, { sku_id: 'SKU-X', qty: 2, unit_price_fen: 1_000 }] });
const REFUND_F5 = ev('order.refunded', 'F5', '2026-11-11T08:00:00+08:00', { refund_fen: 4_000 });

beforeAll(async () => {
  s = await startServer({ clock });
  expect(await putReference('skus', [sku('SKU-A', 'rx', 1_200), sku('SKU-B', 'otc_a', 800), sku('SKU-C', 'supplement', 300)])).toBe(200);
  const first = await postEvents(s.url, [
    // Today, 2026-11-11 (Shanghai). Line values: F1 3,900 + 1,500; F2 1,500 + 2,000 (SKU-X: no reference);
    // F3 1,500 (paid 1,510 with shipping); F6 1,160, below its cost of 1,200.
    paid({ order_id: 'F1', ts: '2026-11-11T00:00:00.000+08:00', paid_fen: 5_000, campaign: '双11', lines: [{ sku_id: 'SKU-A', qty: 2, unit_price_fen: 2_000, discount_fen: 100 }, { sku_id: 'SKU-B', qty: 1, unit_price_fen: 1_500 }] }),
    F2, // 00:00:30 Shanghai, written in UTC
    paid({ order_id: 'F3', ts: '2026-11-11T09:00:00+08:00', paid_fen: 1_510, campaign: '双11', lines: [{ sku_id: 'SKU-B', qty: 1, unit_price_fen: 1_500 }] }),
    paid({ order_id: 'F6', ts: '2026-11-11T10:00:00+08:00', paid_fen: 1_160, channel: 'own', campaign: 'clearance', lines: [{ sku_id: 'SKU-A', qty: 1, unit_price_fen: 1_160 }] }),
    // Earlier days.
    paid({ order_id: 'F5', ts: '2026-11-01T10:00:00+08:00', paid_fen: 10_000, channel: 'douyin', lines: [{ sku_id: 'SKU-C', qty: 10, unit_price_fen: 1_000 }] }),
    paid({ order_id: 'F7', ts: '2026-11-04T09:00:00+08:00', paid_fen: 700 }),
    paid({ order_id: 'F9', ts: '2026-11-04T08:00:00+08:00', paid_fen: 900 }),
    paid({ order_id: 'F10', ts: '2026-11-04T08:30:00+08:00', paid_fen: 300 }),
    paid({ order_id: 'F8', ts: '2026-11-09T09:00:00+08:00', paid_fen: 800, channel: 'meituan' }),
    ev('order.refunded', 'F1', '2026-11-11T09:30:00+08:00', { refund_fen: 1_000 }),
    REFUND_F5, // ten days after its payment
    ev('order.refunded', 'F7', '2026-11-04T12:00:00+08:00', { refund_fen: 100 }),
    ev('order.delivered', 'F5', '2026-11-02T10:00:00+08:00'), // douyin T+7: settled 11-09
    ev('order.delivered', 'F7', '2026-11-04T10:03:30.000+08:00'), // tmall T+7: settles exactly now
    ev('order.delivered', 'F9', '2026-11-04T10:03:31.000+08:00'), // tmall T+7: settles 1 s from now
    ev('order.delivered', 'F8', '2026-11-09T10:00:00+08:00'), // meituan T+3: settles tomorrow
    ev('order.delivered', 'F6', '2026-11-11T10:03:00+08:00'), // own: settled on delivery
    ev('order.delivered', 'G1', '2026-11-11T10:00:00+08:00'), // delivered, never paid
    ev('order.cancelled', 'F3', '2026-11-11T09:10:00+08:00'),
    ev('order.cancelled', 'F10', '2026-11-04T09:00:00+08:00'),
  ]);
  expect(first.body).toEqual({ accepted: 20, duplicates: 0 });
  const late = await postEvents(s.url, [
    F2, // retry
    REFUND_F5, // retry
    paid({ order_id: 'F1', ts: '2026-11-11T10:01:00+08:00', paid_fen: 88_888, campaign: '双11', lines: [{ sku_id: 'SKU-A', qty: 40, unit_price_fen: 2_000 }] }), // second payment
    created({ order_id: 'F6', ts: '2026-11-11T09:59:00+08:00' }), // created arrives after paid
    // Yesterday's last millisecond, arriving late; its refund is dated before the payment.
    paid({ order_id: 'F4', ts: '2026-11-10T23:59:59.999+08:00', paid_fen: 2_000, channel: 'pdd', lines: [{ sku_id: 'SKU-A', qty: 1, unit_price_fen: 2_000 }] }),
    ev('order.refunded', 'F4', '2026-11-10T23:00:00+08:00', { refund_fen: 500 }),
    ev('order.delivered', 'F4', '2026-11-10T23:59:59.999+08:00'), // pdd T+10: settles 11-20
  ]);
  expect(late.body).toEqual({ accepted: 5, duplicates: 2 });
});
afterAll(async () => {
  await s?.close();
  if (s) removeDir(s.dataDir);
});

describe('finance metrics', () => {
  it('finance.net_revenue: GMV less refunds dated that day', async () => {
    // 5,000 + 3,333 + 1,510 + 1,160 = 11,003; refunds 1,000 (F1) + 4,000 (F5, paid 11-01).
    expect(await value('finance.net_revenue')).toEqual({ gmv_fen: 11_003, refund_fen: 5_000, net_fen: 6_003 });
    expect(await value('finance.net_revenue?date=2026-11-10')).toEqual({ gmv_fen: 2_000, refund_fen: 500, net_fen: 1_500 });
    expect(await value('finance.net_revenue?date=2026-11-01')).toEqual({ gmv_fen: 10_000, refund_fen: 0, net_fen: 10_000 });
  });

  it('finance.commission: per channel, half up', async () => {
    expect(await value('finance.commission')).toEqual([
      { channel: 'tmall', gmv_fen: 6_510, rate_bp: 500, commission_fen: 326 }, // 325.5
      { channel: 'jd', gmv_fen: 3_333, rate_bp: 600, commission_fen: 200 }, // 199.98
      { channel: 'own', gmv_fen: 1_160, rate_bp: 0, commission_fen: 0 },
    ]);
    expect(await value('finance.commission?date=2026-11-10')).toEqual([{ channel: 'pdd', gmv_fen: 2_000, rate_bp: 300, commission_fen: 60 }]);
    expect(await value('finance.commission?date=2026-11-09')).toEqual([{ channel: 'meituan', gmv_fen: 800, rate_bp: 800, commission_fen: 64 }]);
  });

  it('finance.refund_rate: refunded / paid orders of the day in bp', async () => {
    expect(await value('finance.refund_rate')).toEqual({ refunded_orders: 2, paid_orders: 4, rate_bp: 5_000 });
    expect(await value('finance.refund_rate?date=2026-11-10')).toEqual({ refunded_orders: 1, paid_orders: 1, rate_bp: 10_000 });
    expect(await value('finance.refund_rate?date=2026-11-04')).toEqual({ refunded_orders: 1, paid_orders: 3, rate_bp: 3_333 });
    expect(await value('finance.refund_rate?date=2026-11-01')).toEqual({ refunded_orders: 0, paid_orders: 1, rate_bp: 0 });
    expect(await value('finance.refund_rate?date=2026-11-08')).toEqual({ refunded_orders: 0, paid_orders: 0, rate_bp: null });
  });

  it('finance.gross_margin by channel (default): unknown-cost lines kept apart', async () => {
    const byChannel = [
      { key: 'tmall', revenue_fen: 6_900, cogs_fen: 4_000, margin_fen: 2_900, margin_bp: 4_203, unknown_cost_qty: 0, unknown_cost_revenue_fen: 0 }, // 4,202.9
      { key: 'jd', revenue_fen: 1_500, cogs_fen: 900, margin_fen: 600, margin_bp: 4_000, unknown_cost_qty: 2, unknown_cost_revenue_fen: 2_000 },
      { key: 'own', revenue_fen: 1_160, cogs_fen: 1_200, margin_fen: -40, margin_bp: -345, unknown_cost_qty: 0, unknown_cost_revenue_fen: 0 }, // −344.8
    ];
    expect(await value('finance.gross_margin')).toEqual(byChannel);
    expect(await value('finance.gross_margin?by=channel&date=2026-11-11')).toEqual(byChannel);
    expect(await value('finance.gross_margin?date=2026-11-10')).toEqual([
      { key: 'pdd', revenue_fen: 2_000, cogs_fen: 1_200, margin_fen: 800, margin_bp: 4_000, unknown_cost_qty: 0, unknown_cost_revenue_fen: 0 },
    ]);
  });

  it('finance.gross_margin by category and by campaign', async () => {
    expect(await value('finance.gross_margin?by=category')).toEqual([
      { key: 'rx', revenue_fen: 5_060, cogs_fen: 3_600, margin_fen: 1_460, margin_bp: 2_885, unknown_cost_qty: 0, unknown_cost_revenue_fen: 0 }, // 2,885.4
      { key: 'otc_a', revenue_fen: 3_000, cogs_fen: 1_600, margin_fen: 1_400, margin_bp: 4_667, unknown_cost_qty: 0, unknown_cost_revenue_fen: 0 }, // 4,666.7
      { key: 'supplement', revenue_fen: 1_500, cogs_fen: 900, margin_fen: 600, margin_bp: 4_000, unknown_cost_qty: 0, unknown_cost_revenue_fen: 0 },
      { key: 'unknown', revenue_fen: 0, cogs_fen: 0, margin_fen: 0, margin_bp: null, unknown_cost_qty: 2, unknown_cost_revenue_fen: 2_000 },
    ]);
    expect(await value('finance.gross_margin?by=campaign')).toEqual([
      { key: '双11', revenue_fen: 6_900, cogs_fen: 4_000, margin_fen: 2_900, margin_bp: 4_203, unknown_cost_qty: 0, unknown_cost_revenue_fen: 0 },
      { key: '', revenue_fen: 1_500, cogs_fen: 900, margin_fen: 600, margin_bp: 4_000, unknown_cost_qty: 2, unknown_cost_revenue_fen: 2_000 },
      { key: 'clearance', revenue_fen: 1_160, cogs_fen: 1_200, margin_fen: -40, margin_bp: -345, unknown_cost_qty: 0, unknown_cost_revenue_fen: 0 },
    ]);
    const bad = await getJson(s.url, '/api/v1/metrics/finance.gross_margin?by=shop');
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: 'RXP_ERR_METRIC_PARAM', param: 'by' });
  });

  it('finance.cash_awaiting_settlement: paid, not cancelled, not yet settled as of now', async () => {
    // tmall F1 5,000 − 1,000 − 250 = 3,750 and F9 900 − 0 − 45 = 855 (F3 cancelled, F7 settled this instant);
    // jd F2 3,333 − 200 (199.98) = 3,133; pdd F4 2,000 − 500 − 60 = 1,440; meituan F8 800 − 64 = 736.
    expect(await value('finance.cash_awaiting_settlement')).toEqual([
      { channel: 'tmall', orders: 2, amount_fen: 4_605 },
      { channel: 'jd', orders: 1, amount_fen: 3_133 },
      { channel: 'pdd', orders: 1, amount_fen: 1_440 },
      { channel: 'meituan', orders: 1, amount_fen: 736 },
    ]);
    clock.set('2026-11-11T10:03:31.000+08:00'); // F9 settles
    try {
      const v = await value<{ channel: string }[]>('finance.cash_awaiting_settlement');
      expect(v[0]).toEqual({ channel: 'tmall', orders: 1, amount_fen: 3_750 });
    } finally {
      clock.set(NOW);
    }
    expect((await getJson(s.url, '/api/v1/metrics/finance.cash_awaiting_settlement?date=2026-11-11')).status).toBe(400);
  });

  it('gross margin uses costs known at read time', async () => {
    expect(await putReference('skus', [sku('SKU-X', 'device', 700)])).toBe(200);
    // jd: 1,500 + 2,000 revenue, 900 + 2 × 700 COGS.
    expect((await value<unknown[]>('finance.gross_margin'))[1]).toEqual({
      key: 'jd', revenue_fen: 3_500, cogs_fen: 2_300, margin_fen: 1_200, margin_bp: 3_429, unknown_cost_qty: 0, unknown_cost_revenue_fen: 0, // 3,428.6
    });
  });
});

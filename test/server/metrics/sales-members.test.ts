// members.buyers (new vs returning buyers, 30-day repurchase rate) on hand-made buyers whose payments sit on
// both sides of every boundary: midnight in Shanghai, the first day of the 30-day window. Also the metric
// catalogue lists every sales, finance and member metric. Expected values are worked out by hand.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { created, paid } from '../../helpers/events.ts';
import { fixedClock, getJson, postEvents, removeDir, startServer, type Running } from '../../helpers/server.ts';

// Today is 2026-11-11 (Shanghai); its 30-day window starts 2026-10-13T00:00+08:00.
const clock = fixedClock('2026-11-11T10:03:30.000+08:00');
let s: Running;

async function value<T>(path: string): Promise<T> {
  const r = await getJson(s.url, `/api/v1/metrics/${path}`);
  expect(r.status).toBe(200);
  return r.body.value as T;
}

const pay = (order_id: string, buyer_id: string, ts: string, extra: Record<string, unknown> = {}) =>
  paid({ order_id, buyer_id, ts, paid_fen: 1_000, event_id: `evt-${order_id}`, ...extra });

const MB1 = pay('MB1', 'M-B', '2026-11-11T00:00:00.000+08:00');

beforeAll(async () => {
  s = await startServer({ clock });
  const r = await postEvents(s.url, [
    pay('MA1', 'M-A', '2026-10-01T12:00:00+08:00'), // M-A: first ever long ago, outside the window
    pay('MA2', 'M-A', '2026-11-11T09:00:00+08:00'),
    MB1, // M-B: two orders today, first ever
    pay('MB2', 'M-B', '2026-11-11T09:30:00+08:00'),
    pay('MC1', 'M-C', '2026-10-13T00:00:00.000+08:00'), // first instant of the window
    pay('MC2', 'M-C', '2026-11-11T08:00:00+08:00'),
    pay('MD1', 'M-D', '2026-10-12T23:59:59.999+08:00'), // last instant before the window
    pay('MD2', 'M-D', '2026-11-11T10:00:00+08:00'),
    pay('ME2', 'M-E', '2026-11-10T16:00:00.000Z'), // 00:00 today in Shanghai, written in UTC
    pay('MF1', 'M-F', '2026-11-05T10:00:00+08:00'), // M-F: two orders in the window, none today
    pay('MF2', 'M-F', '2026-11-06T10:00:00+08:00'),
    pay('Q1', 'M-I', '2026-11-03T10:00:00+08:00'),
    pay('MJ1', 'M-J', '2026-11-11T07:00:00+08:00'), // cancelled and refunded later: still a purchase
    { event_id: 'cancel-MJ1', type: 'order.cancelled', ts: '2026-11-11T07:10:00+08:00', order_id: 'MJ1' },
    { event_id: 'refund-MJ1', type: 'order.refunded', ts: '2026-11-11T07:20:00+08:00', order_id: 'MJ1', refund_fen: 1_000 },
    pay('MK1', 'M-K', '2026-11-01T10:00:00+08:00'),
    created({ order_id: 'MG1', buyer_id: 'M-G', ts: '2026-11-11T09:00:00+08:00' }), // never paid
  ]);
  expect(r.body).toEqual({ accepted: 17, duplicates: 0 });
});
afterAll(async () => {
  await s?.close();
  if (s) removeDir(s.dataDir);
});

describe('members.buyers', () => {
  it('new vs returning today; a late older payment turns a new buyer into a returning one', async () => {
    // Buyers today: A B C D E J. New: B, J and (for now) E. Window: A1 B2 C2 D1 E1 F2 I1 J1 K1 → 3 of 9.
    expect(await value('members.buyers')).toEqual({ buyers: 6, new_buyers: 3, returning_buyers: 3, repurchase_rate_bp: 3_333 });
    const late = await postEvents(s.url, [
      pay('ME1', 'M-E', '2026-11-10T23:59:59.999+08:00'), // yesterday's last millisecond, arriving late
      MB1, // retry
      pay('Q1', 'M-I', '2026-11-11T09:45:00+08:00', { event_id: 'evt-Q1-again' }), // second payment of Q1
    ]);
    expect(late.body).toEqual({ accepted: 2, duplicates: 1 });
    // E is returning now and has 2 orders in the window; M-I's second payment adds neither a buyer nor an order.
    expect(await value('members.buyers')).toEqual({ buyers: 6, new_buyers: 2, returning_buyers: 4, repurchase_rate_bp: 4_444 }); // 4 / 9
  });

  it('yesterday: its own day and its own 30-day window', async () => {
    // Buyers 11-10: E (new). Window 10-12…11-10: C1 D1 E1 F2 I1 K1 → 1 of 6.
    expect(await value('members.buyers?date=2026-11-10')).toEqual({ buyers: 1, new_buyers: 1, returning_buyers: 0, repurchase_rate_bp: 1_667 });
  });

  it('a day without buyers, and a window without any', async () => {
    // Window 10-14…11-12: A1 B2 C1 D1 E2 F2 I1 J1 K1 → 3 of 9.
    expect(await value('members.buyers?date=2026-11-12')).toEqual({ buyers: 0, new_buyers: 0, returning_buyers: 0, repurchase_rate_bp: 3_333 });
    expect(await value('members.buyers?date=2026-01-01')).toEqual({ buyers: 0, new_buyers: 0, returning_buyers: 0, repurchase_rate_bp: null });
  });
});

describe('metric catalogue', () => {
  it('lists every sales, finance and member metric with both descriptions', async () => {
    const r = await getJson(s.url, '/api/v1/metrics');
    expect(r.status).toBe(200);
    const list = r.body as { id: string; description: { 'zh-CN': string; en: string }; streams: string[] }[];
    const ids = [
      'sales.gmv', 'sales.paid_orders', 'sales.orders_per_minute',
      'sales.gmv_by_channel', 'sales.gmv_by_province', 'sales.top_skus', 'sales.refunds',
      'sales.aov', 'sales.orders_per_minute_compare', 'sales.gmv_vs_target', 'sales.gmv_by_category', 'sales.latest_orders',
      'finance.net_revenue', 'finance.gross_margin', 'finance.commission', 'finance.refund_rate', 'finance.cash_awaiting_settlement',
      'members.buyers',
    ];
    expect(list.map((m) => m.id)).toEqual(expect.arrayContaining(ids));
    for (const id of ids) {
      const m = list.find((x) => x.id === id);
      expect(m?.description['zh-CN'], id).toBeTruthy();
      expect(m?.description.en, id).toBeTruthy();
      expect(m?.streams.some((x) => x === 'order' || x.startsWith('order.')), id).toBe(true);
    }
  });
});

// The war-room's live sales widgets: orders per minute against the day before, and the latest orders
// ticker (buyer masked). The clock is pinned 2.5 minutes after midnight in Shanghai, so "today" is three
// minutes long and "yesterday" ended 150 s ago: the day boundary is in the middle of the data. Expected values
// are written by hand from the events.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { created, paid } from '../../helpers/events.ts';
import { fixedClock, getJson, postEvents, removeDir, startServer, type Running } from '../../helpers/server.ts';

const NOW = '2026-11-11T00:02:30.000+08:00';
const clock = fixedClock(NOW);
let s: Running;

interface Point {
  minute: string;
  orders: number;
}

async function value<T>(path: string): Promise<T> {
  const r = await getJson(s.url, `/api/v1/metrics/${path}`);
  expect(r.status).toBe(200);
  return r.body.value as T;
}

const total = (points: Point[]) => points.reduce((n, p) => n + p.orders, 0);

const L2 = paid({ order_id: 'L2', event_id: 'evt-L2', ts: '2026-11-10T16:01:10.500Z', paid_fen: 1_200, channel: 'jd', province: '北京' });

beforeAll(async () => {
  s = await startServer({ clock });
  const first = await postEvents(s.url, [
    paid({
      order_id: 'L1', ts: '2026-11-11T00:00:00.000+08:00', paid_fen: 5_000, city: '深圳', buyer_name: '张伟', buyer_phone: '13812345678',
      address: '广东省深圳市南山区科技园1号', lines: [{ sku_id: 'SKU-A', qty: 2, unit_price_fen: 2_000 }, { sku_id: 'SKU-B', qty: 1, unit_price_fen: 1_000 }],
    }),
    paid({ order_id: 'L9', ts: '2026-11-11T00:00:59.999+08:00', paid_fen: 800, channel: 'jd', province: '北京', city: '北京', buyer_name: '王芳' }),
    L2, // 00:01:10.500 Shanghai, written in UTC; no city and no name
    paid({ order_id: 'L5', ts: '2026-11-11T00:02:20.000+08:00', paid_fen: 3_000, channel: 'douyin', province: '浙江', city: '杭州', buyer_name: '赵六' }),
    created({ order_id: 'L4', ts: '2026-11-11T00:02:10.000+08:00' }), // never paid
    paid({ order_id: 'L6', ts: '2026-11-10T12:00:00.000+08:00', paid_fen: 600 }),
    paid({ order_id: 'L7', ts: '2026-11-10T00:00:00.000+08:00', paid_fen: 700 }),
    paid({ order_id: 'L8', ts: '2026-11-09T23:59:59.999+08:00', paid_fen: 900 }),
  ]);
  expect(first.body).toEqual({ accepted: 8, duplicates: 0 });
  const late = await postEvents(s.url, [
    L2, // retry
    paid({ order_id: 'L2', ts: '2026-11-11T00:02:00.000+08:00', paid_fen: 9_999, channel: 'jd', lines: [{ qty: 7 }] }), // second payment
    // Yesterday's last millisecond, arriving after today's orders.
    paid({ order_id: 'L3', ts: '2026-11-10T23:59:59.999+08:00', paid_fen: 800, channel: 'pdd', province: '四川', city: '成都', buyer_name: '李四', lines: [{ qty: 4, unit_price_fen: 200 }] }),
    created({ order_id: 'L5', ts: '2026-11-11T00:01:00.000+08:00' }), // created arrives after paid
    { event_id: 'cancel-L5', type: 'order.cancelled', ts: '2026-11-11T00:02:25.000+08:00', order_id: 'L5' },
  ]);
  expect(late.body).toEqual({ accepted: 4, duplicates: 1 });
});
afterAll(async () => {
  await s?.close();
  if (s) removeDir(s.dataDir);
});

describe('sales.orders_per_minute_compare', () => {
  it('today to the current minute, yesterday whole, across midnight', async () => {
    const v = await value<{ today: Point[]; yesterday: Point[] }>('sales.orders_per_minute_compare');
    expect(v.today).toEqual([
      { minute: '00:00', orders: 2 },
      { minute: '00:01', orders: 1 },
      { minute: '00:02', orders: 1 },
    ]);
    expect(v.today).toEqual(await value('sales.orders_per_minute'));
    expect(v.yesterday).toHaveLength(1_440);
    expect(v.yesterday[0]).toEqual({ minute: '00:00', orders: 1 });
    expect(v.yesterday[720]).toEqual({ minute: '12:00', orders: 1 });
    expect(v.yesterday[1_439]).toEqual({ minute: '23:59', orders: 1 });
    expect(total(v.yesterday)).toBe(3);
  });

  it('a past date: both days whole', async () => {
    const v = await value<{ today: Point[]; yesterday: Point[] }>('sales.orders_per_minute_compare?date=2026-11-10');
    expect(v.today).toHaveLength(1_440);
    expect(total(v.today)).toBe(3);
    expect(v.yesterday).toHaveLength(1_440);
    expect(v.yesterday[1_439]).toEqual({ minute: '23:59', orders: 1 });
    expect(total(v.yesterday)).toBe(1);
  });

  it('grows with the clock', async () => {
    clock.set('2026-11-11T00:03:05.000+08:00');
    try {
      const v = await value<{ today: Point[]; yesterday: Point[] }>('sales.orders_per_minute_compare');
      expect(v.today).toHaveLength(4);
      expect(v.today[3]).toEqual({ minute: '00:03', orders: 0 });
    } finally {
      clock.set(NOW);
    }
  });
});

describe('sales.latest_orders', () => {
  it('first-paid orders newest first by their own ts, buyer masked, items summed', async () => {
    const v = await value<{ order_id: string }[]>('sales.latest_orders');
    expect(v.map((o) => o.order_id)).toEqual(['L5', 'L2', 'L9', 'L1', 'L3', 'L6', 'L7', 'L8']);
    expect(v).toEqual([
      { order_id: 'L5', ts: '2026-11-11T00:02:20.000+08:00', channel: 'douyin', province: '浙江', city: '杭州', buyer: '赵**', paid_fen: 3_000, items: 1 },
      { order_id: 'L2', ts: '2026-11-11T00:01:10.500+08:00', channel: 'jd', province: '北京', city: '', buyer: '', paid_fen: 1_200, items: 1 },
      { order_id: 'L9', ts: '2026-11-11T00:00:59.999+08:00', channel: 'jd', province: '北京', city: '北京', buyer: '王**', paid_fen: 800, items: 1 },
      { order_id: 'L1', ts: '2026-11-11T00:00:00.000+08:00', channel: 'tmall', province: '广东', city: '深圳', buyer: '张**', paid_fen: 5_000, items: 3 },
      { order_id: 'L3', ts: '2026-11-10T23:59:59.999+08:00', channel: 'pdd', province: '四川', city: '成都', buyer: '李**', paid_fen: 800, items: 4 },
      { order_id: 'L6', ts: '2026-11-10T12:00:00.000+08:00', channel: 'tmall', province: '广东', city: '', buyer: '', paid_fen: 600, items: 1 },
      { order_id: 'L7', ts: '2026-11-10T00:00:00.000+08:00', channel: 'tmall', province: '广东', city: '', buyer: '', paid_fen: 700, items: 1 },
      { order_id: 'L8', ts: '2026-11-09T23:59:59.999+08:00', channel: 'tmall', province: '广东', city: '', buyer: '', paid_fen: 900, items: 1 },
    ]);
  });

  it('never returns a phone or an address, masked or not', async () => {
    const r = await getJson(s.url, '/api/v1/metrics/sales.latest_orders');
    const text = JSON.stringify(r.body);
    for (const leak of ['phone', '5678', '1381', '138', '南山', '科技园', '张伟']) expect(text).not.toContain(leak);
  });

  it('limit: default 20, at most 100', async () => {
    const r = await getJson(s.url, '/api/v1/metrics/sales.latest_orders?limit=2');
    expect(r.body.params).toEqual({ limit: 2 });
    expect(r.body.value.map((o: { order_id: string }) => o.order_id)).toEqual(['L5', 'L2']);
    expect((await getJson(s.url, '/api/v1/metrics/sales.latest_orders')).body.params).toEqual({ limit: 20 });
    for (const bad of ['0', '101', 'x']) {
      const b = await getJson(s.url, `/api/v1/metrics/sales.latest_orders?limit=${bad}`);
      expect(b.status).toBe(400);
      expect(b.body).toMatchObject({ code: 'RXP_ERR_METRIC_PARAM', param: 'limit' });
    }
    expect((await getJson(s.url, '/api/v1/metrics/sales.latest_orders?date=2026-11-11')).body).toMatchObject({ code: 'RXP_ERR_METRIC_PARAM', param: 'date' });
  });
});

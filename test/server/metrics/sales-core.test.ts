import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock, getJson, postEvents, removeDir, startServer, type Running } from '../../helpers/server.ts';
import { created, paid } from '../../helpers/events.ts';

// The clock is pinned at 10:03:30 Shanghai on 2026-11-11: "today" is that date and the per-minute series
// runs 00:00 … 10:03.
const clock = fixedClock('2026-11-11T10:03:30.000+08:00');
let s: Running;

beforeAll(async () => {
  s = await startServer({ clock });
  const r = await postEvents(s.url, [
    // Day 2026-11-11 (Shanghai). 00:00:00.000 is the first instant of the day, even though it is 16:00 UTC
    // the day before.
    paid({ order_id: 'A', ts: '2026-11-11T00:00:00.000+08:00', paid_fen: 10_050 }),
    paid({ order_id: 'B', ts: '2026-11-10T16:00:30.000Z', paid_fen: 20_000 }), // 00:00:30 in Shanghai
    paid({ order_id: 'C', ts: '2026-11-11T10:02:59.999+08:00', paid_fen: 1 }),
    paid({ order_id: 'D', ts: Date.parse('2026-11-11T10:03:01+08:00'), paid_fen: 333_333_333 }),
    // A second order.paid of order A (another event_id, another amount): only the first counts.
    paid({ order_id: 'A', ts: '2026-11-11T10:03:10+08:00', paid_fen: 99_999 }),
    // Created but never paid, cancelled, refunded: none of them changes GMV or paid orders.
    created({ order_id: 'E', ts: '2026-11-11T09:00:00+08:00' }),
    { event_id: 'cancel-E', type: 'order.cancelled', ts: '2026-11-11T09:01:00+08:00', order_id: 'E' },
    { event_id: 'refund-B', type: 'order.refunded', ts: '2026-11-11T09:30:00+08:00', order_id: 'B', refund_fen: 20_000 },
    // Other days: 23:59:59.999 the day before, 00:00 the day after.
    paid({ order_id: 'Y', ts: '2026-11-10T23:59:59.999+08:00', paid_fen: 7_000 }),
    paid({ order_id: 'T', ts: '2026-11-12T00:00:00+08:00', paid_fen: 8_000 }),
  ]);
  expect(r.status).toBe(200);
});
afterAll(async () => {
  await s?.close();
  if (s) removeDir(s.dataDir);
});

describe('core sales metrics', () => {
  it('sales.gmv is the sum of first payments of the day, to the fen', async () => {
    const r = await getJson(s.url, '/api/v1/metrics/sales.gmv');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ metric: 'sales.gmv', params: { date: '2026-11-11' }, value: 10_050 + 20_000 + 1 + 333_333_333 });
    expect(r.body.as_of).toMatch(/^2026-11-11T10:03:30\.000\+08:00$/);
    expect((await getJson(s.url, '/api/v1/metrics/sales.gmv?date=2026-11-10')).body.value).toBe(7_000);
    expect((await getJson(s.url, '/api/v1/metrics/sales.gmv?date=2026-11-12')).body.value).toBe(8_000);
    expect((await getJson(s.url, '/api/v1/metrics/sales.gmv?date=2026-11-09')).body.value).toBe(0);
  });

  it('sales.paid_orders counts distinct orders paid that day', async () => {
    expect((await getJson(s.url, '/api/v1/metrics/sales.paid_orders')).body.value).toBe(4);
    expect((await getJson(s.url, '/api/v1/metrics/sales.paid_orders?date=2026-11-10')).body.value).toBe(1);
  });

  it('sales.orders_per_minute has one entry per minute to the current minute, zeros included', async () => {
    const { value } = (await getJson(s.url, '/api/v1/metrics/sales.orders_per_minute')).body as { value: { minute: string; orders: number }[] };
    expect(value).toHaveLength(10 * 60 + 4);
    expect(value[0]).toEqual({ minute: '00:00', orders: 2 });
    expect(value[1]).toEqual({ minute: '00:01', orders: 0 });
    expect(value.at(-2)).toEqual({ minute: '10:02', orders: 1 });
    expect(value.at(-1)).toEqual({ minute: '10:03', orders: 1 });
    expect(value.reduce((n, p) => n + p.orders, 0)).toBe(4);
    const past = (await getJson(s.url, '/api/v1/metrics/sales.orders_per_minute?date=2026-11-10')).body.value as { minute: string; orders: number }[];
    expect(past).toHaveLength(1440);
    expect(past.at(-1)).toEqual({ minute: '23:59', orders: 1 });
  });

  it('answers 404 to an unknown metric and 400 naming a bad param', async () => {
    const unknown = await getJson(s.url, '/api/v1/metrics/sales.nothing');
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('RXP_ERR_METRIC_UNKNOWN');
    const bad = await getJson(s.url, '/api/v1/metrics/sales.gmv?date=2026-02-30');
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: 'RXP_ERR_METRIC_PARAM', param: 'date' });
    const extra = await getJson(s.url, '/api/v1/metrics/sales.gmv?dat=2026-11-11');
    expect(extra.body).toMatchObject({ code: 'RXP_ERR_METRIC_PARAM', param: 'dat' });
  });

  it('serves the metric catalogue', async () => {
    const r = await getJson(s.url, '/api/v1/metrics');
    const ids = (r.body as { id: string }[]).map((m) => m.id);
    expect(ids).toEqual(expect.arrayContaining(['sales.gmv', 'sales.paid_orders', 'sales.orders_per_minute']));
    expect(r.body[0].description['zh-CN']).toBeTruthy();
  });
});

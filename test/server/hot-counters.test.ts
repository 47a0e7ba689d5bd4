// Hot counters (GMV and paid orders kept in memory from the ingest path) must equal ClickHouse: checked by
// reconciliation while four clients ingest at once (with retries, repeated payments, late events of
// yesterday and noise), and against totals written by hand at the end.
import { describe, expect, it } from 'vitest';
import { salesDayTotals } from '../../server/metrics/sales/rollup.ts';
import { businessDate } from '../../server/time.ts';
import { created, paid } from '../helpers/events.ts';
import { getJson, postEvents, useServer } from '../helpers/server.ts';

const server = useServer();

const TZ = 'Asia/Shanghai';
const DAY_MS = 86_400_000;

describe('hot sales counters', () => {
  it('equal ClickHouse under concurrent ingest, and the totals written by hand', async () => {
    const now = Date.now();
    const today = businessDate(now, TZ);
    const yesterday = businessDate(now - DAY_MS, TZ);
    // Seed both dates first, as a screen subscribing would.
    expect(await server().app.hot.get(today)).toEqual({ gmv_fen: 0, orders: 0 });
    expect(await server().app.hot.get(yesterday)).toEqual({ gmv_fen: 0, orders: 0 });

    const want = { [today]: { gmv_fen: 0, orders: 0 }, [yesterday]: { gmv_fen: 0, orders: 0 } };
    const mismatches: string[][] = [];
    let ingesting = true;
    // Reconcile over and over while the clients post: every check must find the counters equal.
    const checker = (async () => {
      while (ingesting) mismatches.push(await server().app.hot.reconcile());
    })();

    await Promise.all(
      [0, 1, 2, 3].map(async (w) => {
        for (let b = 0; b < 15; b++) {
          const batch: unknown[] = [];
          for (let i = 0; i < 12; i++) {
            const id = `H-${w}-${b}-${i}`;
            const fen = 1_000 * w + 10 * b + i + 1;
            // One order in four is of yesterday (a late arrival); times stay inside their business day.
            const late = i % 4 === 0;
            const ts = late ? now - DAY_MS : now;
            const date = late ? yesterday : today;
            batch.push(created({ order_id: id, ts }), paid({ order_id: id, ts, paid_fen: fen }));
            want[date].gmv_fen += fen;
            want[date].orders += 1;
            // A second payment event for the same order (another event_id): never counted again.
            if (i === 5) batch.push(paid({ order_id: id, ts, paid_fen: 99_999, event_id: `${id}-again` }));
          }
          expect((await postEvents(server().url, batch)).status).toBe(200);
          // A client retry of the same batch: all duplicates.
          if (b % 5 === 0) expect((await postEvents(server().url, batch)).body).toMatchObject({ accepted: 0 });
        }
      }),
    );
    ingesting = false;
    await checker;
    expect(mismatches.length).toBeGreaterThan(3);
    expect(mismatches.flat()).toEqual([]);
    expect(server().app.hot.stats.mismatches).toBe(0);

    // At rest: the counters, ClickHouse (the metrics' SQL after the projection) and the hand totals agree.
    await server().app.projector.barrier();
    for (const date of [today, yesterday]) {
      expect(await server().app.hot.get(date)).toEqual(want[date]);
      expect(await salesDayTotals({ storage: server().app.storage, tz: TZ, clock: { now: () => now } }, date)).toEqual(want[date]);
    }
    const api = await getJson(server().url, `/api/v1/metrics/sales.gmv?date=${today}`);
    expect(api.body.value).toBe(want[today].gmv_fen);
    expect((await getJson(server().url, `/api/v1/metrics/sales.paid_orders?date=${yesterday}`)).body.value).toBe(want[yesterday].orders);
  });

  it('counts a payment before its projection is visible', async () => {
    const today = businessDate(Date.now(), TZ);
    const before = await server().app.hot.get(today);
    // Hold the projector in an exclusive section: nothing is projected meanwhile.
    let release!: () => void;
    const held = server().app.projector.exclusive(() => new Promise<void>((r) => (release = r)));
    try {
      expect((await postEvents(server().url, [paid({ ts: Date.now(), paid_fen: 5_005 })])).status).toBe(200);
      expect(await server().app.hot.get(today)).toEqual({ gmv_fen: before.gmv_fen + 5_005, orders: before.orders + 1 });
      const [row] = await server().app.storage.read
        .query({ query: `SELECT sum(gmv_fen) AS g FROM ${server().app.storage.db}.sales_minute`, format: 'JSONEachRow' })
        .then((r) => r.json<{ g: string }>());
      expect(Number(row.g)).toBe(before.gmv_fen + (await server().app.hot.get(businessDate(Date.now() - DAY_MS, TZ))).gmv_fen);
    } finally {
      release();
      await held;
    }
    expect(await server().app.hot.reconcile()).toEqual([]);
  });
});

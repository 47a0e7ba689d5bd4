import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MetricValueMessage as MetricMessage } from '../../server/push/protocol.ts';
import { ADMIN, INGEST, postEvents, removeDir, startServer, type Running } from '../helpers/server.ts';
import { connect, nextUpdate, subscribe, type TestSocket } from '../helpers/socket.ts';
import { paid } from '../helpers/events.ts';

let s: Running;
const sockets: TestSocket[] = [];
const now = () => new Date().toISOString();

beforeAll(async () => {
  s = await startServer();
  // The rules engine's daily rules first run about a second after the start and read the same engine: let
  // them finish, so that the query and computation counts below are the push hub's alone.
  const deadline = Date.now() + 10_000;
  while (s.app.rules.stats.dailyRuns === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  await s.app.rules.idle();
});
afterAll(async () => {
  for (const so of sockets) so.close();
  await s?.close();
  if (s) removeDir(s.dataDir);
});

describe('socket.io push', () => {
  it('refuses a socket without a valid read token', async () => {
    await expect(connect(s.url, null)).rejects.toThrow(/RXP_ERR_AUTH_MISSING/);
    await expect(connect(s.url, INGEST)).rejects.toThrow(/RXP_ERR_AUTH_FORBIDDEN/);
  });

  it('sends a snapshot on subscribe, then the new value after an ingest', async () => {
    const so = await connect(s.url, ADMIN);
    sockets.push(so);
    const snap = (await subscribe(so, 'sales.gmv')) as MetricMessage;
    expect(snap).toMatchObject({ type: 'snapshot', metric: 'sales.gmv', seq: 1, value: 0 });
    const update = nextUpdate(so, snap.key, (m) => m.value === 4_321);
    expect((await postEvents(s.url, [paid({ ts: now(), paid_fen: 4_321 })])).status).toBe(200);
    const m = await update;
    expect(m).toMatchObject({ type: 'update', seq: 2, value: 4_321 });
    expect(Date.parse(m.as_of)).toBeGreaterThan(Date.parse(snap.as_of) - 1);
  });

  it('answers a bad subscription with a coded error', async () => {
    const so = await connect(s.url, ADMIN);
    sockets.push(so);
    expect(await subscribe(so, 'sales.nothing')).toMatchObject({ code: 'RXP_ERR_METRIC_UNKNOWN' });
    expect(await subscribe(so, 'sales.gmv', { date: '2026-13-01' })).toMatchObject({ code: 'RXP_ERR_METRIC_PARAM', param: 'date' });
  });

  it('computes each subscription once per update, whatever the number of sockets', async () => {
    const clients = await Promise.all(Array.from({ length: 25 }, () => connect(s.url, ADMIN)));
    sockets.push(...clients);
    const snaps = (await Promise.all(clients.map((c) => subscribe(c, 'sales.paid_orders')))) as MetricMessage[];
    const base = snaps[0].value as number;
    const before = s.app.hub.stats.computations;
    const updates = Promise.all(clients.map((c) => nextUpdate(c, snaps[0].key, (m) => m.value === base + 3)));
    expect((await postEvents(s.url, [paid({ ts: now(), paid_fen: 1 }), paid({ ts: now(), paid_fen: 2 }), paid({ ts: now(), paid_fen: 3 })])).status).toBe(200);
    const got = await updates;
    expect(new Set(got.map((m) => m.seq)).size).toBe(1);
    // Two subscriptions are live (sales.gmv of the earlier test and this one): each is computed at the commit
    // and again when the projection follows, unless both fall in one 20 ms coalescing window, plus once more
    // if a minute tick lands in between: 2 to 6 computations, never one per socket (25 here).
    expect(s.app.hub.subscriptionCount).toBe(2);
    expect(s.app.hub.stats.computations - before).toBeGreaterThanOrEqual(2);
    expect(s.app.hub.stats.computations - before).toBeLessThanOrEqual(6);
  });

  it('runs the same ClickHouse queries for an update whether 1 or 40 sockets hold the subscription', async () => {
    // Count the queries the metric code sends to the engine (the read client is the only path to it). The
    // storage hands out its clients behind a gate (a Proxy that runs `query` one at a time): the spy sits on
    // the client itself, under the gate, and calls the client's own method (going through the gate again
    // would wait for itself).
    const read = s.app.storage.read;
    const own = Object.getPrototypeOf(read).query as typeof read.query;
    let queries = 0;
    read.query = function (this: unknown, ...args: Parameters<typeof read.query>) {
      queries++;
      return own.apply(this, args);
    } as typeof read.query;
    try {
      const queriesForOneUpdate = async (n: number, fen: number): Promise<number> => {
        const clients = await Promise.all(Array.from({ length: n }, () => connect(s.url, ADMIN)));
        sockets.push(...clients);
        const snaps = (await Promise.all(clients.map((c) => subscribe(c, 'sales.latest_orders', { limit: 7 })))) as MetricMessage[];
        const got = Promise.all(clients.map((c) => nextUpdate(c, snaps[0].key, (m) => (m.value as { paid_fen: number }[])[0]?.paid_fen === fen)));
        await new Promise((r) => setTimeout(r, 100)); // settle: nothing else in flight
        const before = queries;
        expect((await postEvents(s.url, [paid({ ts: now(), paid_fen: fen })])).status).toBe(200);
        await got;
        await new Promise((r) => setTimeout(r, 100));
        const used = queries - before;
        for (const c of clients) c.close();
        await new Promise((r) => setTimeout(r, 100)); // the subscription is dropped with its last socket
        return used;
      };
      const one = await queriesForOneUpdate(1, 91_001);
      const forty = await queriesForOneUpdate(40, 91_002);
      expect(one).toBeGreaterThan(0);
      expect(forty).toBe(one);
    } finally {
      delete (read as unknown as { query?: unknown }).query;
    }
  });

  it('drops a subscription when its last socket leaves', async () => {
    const so = await connect(s.url, ADMIN);
    const snap = (await subscribe(so, 'sales.gmv', { date: '2026-11-11' })) as MetricMessage;
    expect(s.app.hub.subscriptionCount).toBe(3);
    so.emit('metric:unsubscribe', { key: snap.key });
    await new Promise((r) => setTimeout(r, 100));
    expect(s.app.hub.subscriptionCount).toBe(2);
    so.close();
  });
});

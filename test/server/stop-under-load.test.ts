// A clean stop under load (issue 15, item 8). The real server runs in a child process (server/main.ts, as
// deployed: close-with-grace, SIGTERM → app.close() → process.exit); this process holds thousands of
// socket.io clients (a few of them frozen), keeps ingest, metric reads (some abandoned by their client) and
// socket requests in flight, and sends SIGTERM. The stop must exit 0 (no SIGSEGV from chDB torn down under a
// query, no force-exit by close-with-grace's 10 s delay, which exits 1), and every event acknowledged with
// 200 must be in the `events` log: read after a restart on the same data directory (which must also stop
// cleanly), then from chDB in this process once both are gone (one process per data path).
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { io, type Socket } from 'socket.io-client';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/config.ts';
import { openStorage } from '../../server/plugins/clickhouse.ts';
import type { ClientToServerEvents, ServerToClientEvents } from '../../server/push/protocol.ts';
import { businessDate } from '../../server/time.ts';
import { paid } from '../helpers/events.ts';
import { ADMIN, INGEST, removeDir, tempDataDir } from '../helpers/server.ts';
import { startChild, stop, type Child } from '../helpers/child-server.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** Sockets held at the stop, spread over loopback source addresses (many walls, not one: the server limits
 *  connections per client address). */
const SOCKETS = 2_000;
const ADDRESSES = 40;
/** Walls that freeze just before the stop (asleep, network gone): they never answer the server's close. */
const FROZEN = 5;
/** Concurrent ingest loops, events per POST. */
const POSTERS = 4;
const BATCH = 100;
/** close-with-grace force-exits (code 1) after this: a normal stop must end well before. */
const GRACE_MS = 10_000;
const TZ = 'Asia/Shanghai';
/** What a wall subscribes to: the war-room screen's metrics (its widgets' order). */
const METRICS = [...new Set((JSON.parse(readFileSync(`${ROOT}screens/builtin/war-room.json`, 'utf8')) as { widgets: { metric?: string }[] }).widgets.flatMap((w) => (w.metric ? [w.metric] : [])))];

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Keep-alive HTTP like a load balancer's pool; a request cut by the stop resolves with status 0.
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
function request(url: string, method: 'GET' | 'POST', path: string, token: string, body?: string, abortAfterMs?: number): Promise<{ status: number; text: string }> {
  const u = new URL(path, url);
  return new Promise((resolve) => {
    const req = http.request(
      {
        host: u.hostname,
        port: u.port,
        path: `${u.pathname}${u.search}`,
        method,
        agent,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
        res.on('error', () => resolve({ status: 0, text: '' }));
      },
    );
    req.on('error', () => resolve({ status: 0, text: '' }));
    // An impatient client (a proxy's timeout): the server's handler goes on computing without a connection.
    if (abortAfterMs !== undefined) setTimeout(() => req.destroy(), abortAfterMs);
    req.end(body);
  });
}

/** One socket from loopback address `n`, subscribed to METRICS; retried a few times if the busy box refuses. */
async function openClient(url: string, n: number, counts: Record<string, number>): Promise<Client | null> {
  const localAddress = `127.0.${1 + Math.floor((n % ADDRESSES) / 250)}.${1 + ((n % ADDRESSES) % 250)}`;
  for (let attempt = 0; attempt < 5; attempt++) {
    const s: Client = io(url, { auth: { token: ADMIN }, transports: ['websocket'], forceNew: true, reconnection: false, timeout: 30_000, localAddress } as Parameters<typeof io>[1]);
    const ok = await new Promise<boolean>((resolve) => {
      s.once('connect', () => resolve(true));
      s.once('connect_error', () => resolve(false));
    });
    if (ok) {
      const replies = await Promise.all(METRICS.map((metric) => s.timeout(30_000).emitWithAck('metric:subscribe', { metric, params: {} }).catch(() => ({ error: 'timeout' }))));
      if (replies.every((r) => !('error' in r) || r.error === undefined)) return s;
      counts.subscribeFailed = (counts.subscribeFailed ?? 0) + 1;
    } else counts.connectFailed = (counts.connectFailed ?? 0) + 1;
    s.close();
    await sleep(200 * (attempt + 1));
  }
  return null;
}

describe('storage.close', () => {
  it('waits for the query running on each connection, and refuses the waiting and the new ones', async () => {
    const dataDir = tempDataDir();
    try {
      const storage = await openStorage(loadConfig({ RXPULSE_DATA_DIR: dataDir, RXPULSE_ADMIN_TOKEN: ADMIN, RXPULSE_INGEST_TOKEN: INGEST }));
      const settled: string[] = [];
      const outcome = (name: string, p: Promise<unknown>) =>
        p.then(
          () => settled.push(`${name}: done`),
          (err: { code?: string }) => settled.push(`${name}: ${err.code}`),
        );
      const slow = (client: typeof storage.read) => client.query({ query: 'SELECT sleep(0.4)', format: 'JSONEachRow' });
      const calls = [
        outcome('read running', slow(storage.read)),
        outcome('read waiting', storage.read.query({ query: 'SELECT 1', format: 'JSONEachRow' })),
        outcome('write running', slow(storage.write)),
        outcome('write waiting', storage.write.command({ query: 'SELECT 1' })),
      ];
      expect(storage.pending).toBe(4);
      const closing = storage.close().then(() => settled.push('closed'));
      calls.push(outcome('read after close', storage.read.query({ query: 'SELECT 1', format: 'JSONEachRow' })));
      await closing;
      await Promise.all(calls);
      // Queued and late calls are refused at once; the running ones finish, and only then does storage close.
      expect(settled.slice(0, 3).sort()).toEqual(['read after close: RXP_ERR_SHUTTING_DOWN', 'read waiting: RXP_ERR_SHUTTING_DOWN', 'write waiting: RXP_ERR_SHUTTING_DOWN']);
      expect(settled.slice(3, 5).sort()).toEqual(['read running: done', 'write running: done']);
      expect(settled[5]).toBe('closed');
      expect(storage.pending).toBe(0);
      await expect(storage.project.insert({ table: `${storage.db}.events`, values: [], format: 'JSONEachRow' })).rejects.toMatchObject({ code: 'RXP_ERR_SHUTTING_DOWN' });
      await storage.close(); // idempotent
    } finally {
      removeDir(dataDir);
    }
  });
});

describe('a clean stop under load', () => {
  it('exits 0 under thousands of sockets and ingest, and every acknowledged event is stored', { timeout: 180_000 }, async () => {
    const dataDir = tempDataDir();
    const clients: Client[] = [];
    try {
      const server = await startChild(dataDir);
      const { url } = server;

      // ---- thousands of sockets, ramped (100 per 30 ms), each subscribed like a wall ----
      const counts: Record<string, number> = {};
      const opening: Promise<Client | null>[] = [];
      for (let i = 0; i < SOCKETS; i += 100) {
        for (let j = i; j < Math.min(SOCKETS, i + 100); j++) opening.push(openClient(url, j, counts));
        await sleep(30);
      }
      for (const c of await Promise.all(opening)) if (c) clients.push(c);
      expect(clients.length, `sockets that connected and subscribed (${JSON.stringify(counts)})`).toBe(SOCKETS);
      let told = 0;
      let disconnected = 0;
      for (const c of clients) {
        c.once('server:shutdown', () => told++);
        c.once('disconnect', () => disconnected++);
      }

      // ---- load kept up until the server is gone ----
      let running = true;
      const acked = new Set<string>();
      const statuses: Record<string, number> = {};
      const count = (k: string) => (statuses[k] = (statuses[k] ?? 0) + 1);
      let postsInFlight = 0;
      let seq = 0;
      /** Business dates of the events posted (a run may straddle midnight in Shanghai). */
      const dates = new Set<string>();
      const poster = async (p: number) => {
        while (running) {
          const events = Array.from({ length: BATCH }, () => {
            const id = `stop-${p}-${seq++}`;
            const ts = Date.now();
            dates.add(businessDate(ts, TZ));
            return paid({ ts, paid_fen: 100, event_id: id, order_id: `SO-${id}` });
          });
          postsInFlight++;
          const r = await request(url, 'POST', '/api/v1/events', INGEST, JSON.stringify(events));
          postsInFlight--;
          count(`POST ${r.status}`);
          if (r.status === 200) {
            expect(JSON.parse(r.text)).toEqual({ accepted: BATCH, duplicates: 0 });
            for (const e of events) acked.add(e.event_id);
          } else if (r.status === 0) await sleep(50); // refused: the server is going or gone
        }
      };
      const reader = async (path: string | (() => string), abortAfterMs?: () => number) => {
        while (running) {
          const r = await request(url, 'GET', typeof path === 'string' ? path : path(), ADMIN, undefined, abortAfterMs?.());
          count(`GET ${abortAfterMs ? 'abandoned ' : ''}${r.status}`);
          await sleep(abortAfterMs ? 20 : r.status === 0 ? 50 : 0);
        }
      };
      // Past days (each a distinct computation, some seeding the hot counters) asked by impatient clients.
      const pastDay = () => businessDate(Date.now() - Math.floor(1 + Math.random() * 60) * 86_400_000, TZ);
      const heavy = ['sales.gmv', 'sales.gmv_by_province', 'sales.top_skus', 'sales.orders_per_minute_compare'];
      // Socket requests that start queries while the stop runs: snapshots asked again and again.
      const chatty = clients.slice(0, 50);
      const keys = (await Promise.all(METRICS.map((metric) => chatty[0].timeout(30_000).emitWithAck('metric:subscribe', { metric, params: {} })))).map((r) => String(r.key));
      let k = 0;
      const asker = async (c: Client) => {
        while (running && c.connected) {
          await c.timeout(5_000).emitWithAck('metric:snapshot', { key: keys[k++ % keys.length] }).catch(() => undefined);
          await sleep(100);
        }
      };
      const load = [
        ...Array.from({ length: POSTERS }, (_, p) => poster(p)),
        reader('/api/v1/metrics/sales.gmv'),
        reader('/api/v1/metrics/sales.latest_orders'),
        reader('/api/v1/health'),
        reader(() => `/api/v1/metrics/${heavy[Math.floor(Math.random() * heavy.length)]}?date=${pastDay()}`, () => 5 + Math.random() * 25),
        ...chatty.map(asker),
      ];
      // Until a few commits went through with every socket connected.
      while (acked.size < 20 * BATCH && server.proc.exitCode === null) await sleep(50);
      await sleep(500);

      // The last walls stop reading their connection (engine.io-client's WebSocket, ws's TCP socket).
      for (const c of clients.slice(-FROZEN)) (c.io.engine.transport as unknown as { ws: { _socket: { pause(): void } } }).ws._socket.pause();
      const connectedAtStop = clients.filter((c) => c.connected).length;
      const inFlightAtStop = postsInFlight;
      const ackedBeforeStop = acked.size;
      const stopped = await stop(server);
      running = false;
      await Promise.all(load);
      const why = `stop: ${JSON.stringify(stopped)}; requests: ${JSON.stringify(statuses)}\n--- server output ---\n${server.output()}`;

      expect(connectedAtStop, why).toBe(SOCKETS);
      expect(inFlightAtStop, why).toBeGreaterThan(0);
      expect(stopped.signal, why).toBeNull();
      expect(stopped.code, why).toBe(0);
      expect(stopped.ms, why).toBeLessThan(GRACE_MS - 2_000);
      expect(server.output(), why).not.toMatch(/killed by timeout|RXP_ERR_INTERNAL|unhandled/i);
      // Every wall that still reads is told (a box this busy may cut a few before they read it: 5 % slack).
      expect(told, why).toBeGreaterThanOrEqual(Math.floor(0.95 * (connectedAtStop - FROZEN)));
      expect(disconnected, why).toBeGreaterThanOrEqual(told);
      expect(acked.size, why).toBeGreaterThanOrEqual(ackedBeforeStop);
      for (const c of clients) c.close();
      clients.length = 0;

      // ---- restart on the same data directory: it recovers (projection) and stops cleanly again ----
      const again = await startChild(dataDir);
      let projected = 0;
      for (const date of dates) {
        const r = await request(again.url, 'GET', `/api/v1/metrics/sales.paid_orders?date=${date}`, ADMIN);
        expect(r.status, again.output()).toBe(200);
        projected += JSON.parse(r.text).value as number;
      }
      const second = await stop(again);
      expect(second, again.output()).toMatchObject({ code: 0, signal: null });

      // ---- what is stored (the servers are gone: chDB opens here) ----
      const storage = await openStorage(loadConfig({ RXPULSE_DATA_DIR: dataDir, RXPULSE_ADMIN_TOKEN: ADMIN, RXPULSE_INGEST_TOKEN: INGEST }));
      let stored: Set<string>;
      try {
        const rs = await storage.read.query({ query: `SELECT event_id FROM ${storage.db}.events WHERE startsWith(event_id, 'stop-')`, format: 'JSONCompactEachRow' });
        const ids = (await rs.json<[string]>()).map(([id]) => id);
        stored = new Set(ids);
        expect(ids.length, 'no event stored twice').toBe(stored.size);
      } finally {
        await storage.close();
      }
      const missing = [...acked].filter((id) => !stored.has(id));
      expect(missing.length, `acknowledged but not stored (of ${acked.size}): ${missing.slice(0, 5).join(', ')}`).toBe(0);
      // Each event is a distinct paid order: after the restart the projection holds every stored one.
      expect(projected).toBe(stored.size);
    } finally {
      for (const c of clients) c.close();
      agent.destroy();
      removeDir(dataDir);
    }
  });
});

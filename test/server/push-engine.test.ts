// The push engine seen from the screen runtime itself (LiveMetrics, run in Node against a real server and
// real chDB): deltas for long series, a stalled client that the server does not queue for, and a screen that
// comes back by itself after a server restart.
import { createServer } from 'node:net';
import type { Socket as NetSocket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiveMetrics } from '../../screens/runtime/live-metrics.ts';
import { MAX_BACKLOG } from '../../server/push/hub.ts';
import type { MetricMessage } from '../../server/push/protocol.ts';
import { paid } from '../helpers/events.ts';
import { ADMIN, getJson, postEvents, removeDir, startServer, tempDataDir, type Running } from '../helpers/server.ts';

let s: Running;
const dataDir = tempDataDir();
let port = 0;
const clients: LiveMetrics[] = [];

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const { port: p } = srv.address() as { port: number };
  await new Promise((r) => srv.close(r));
  return p;
}

async function until(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function live(): LiveMetrics {
  const l = new LiveMetrics(s.url, ADMIN);
  clients.push(l);
  return l;
}

/** The TCP socket under a runtime's websocket (engine.io-client over `ws` in Node). */
function tcpOf(l: LiveMetrics): NetSocket {
  const transport = l.socket.io.engine.transport as unknown as { ws: { _socket: NetSocket } };
  return transport.ws._socket;
}

const apiValue = async (path: string) => (await getJson(s.url, `/api/v1/metrics/${path}`)).body.value;
const now = () => new Date().toISOString();

beforeAll(async () => {
  port = await freePort();
  s = await startServer({ dataDir, port });
});
afterAll(async () => {
  for (const l of clients) l.close();
  await s?.close();
  removeDir(dataDir);
});

describe('push engine', () => {
  it('follows a day of minutes by deltas, equal to the read API after every change', async () => {
    const l = live();
    const state = l.watch('opm', 'sales.orders_per_minute');
    const seen: MetricMessage[] = [];
    l.socket.on('metric:update', (m) => seen.push(m));
    await until(() => state.seq > 0, 'the snapshot');
    for (let i = 0; i < 5; i++) {
      const want = state.seq + 1;
      expect((await postEvents(s.url, [paid({ ts: now(), paid_fen: 100 + i })])).status).toBe(200);
      await until(() => state.seq >= want, `update ${i}`);
    }
    const deltas = seen.filter((m) => m.type === 'delta');
    expect(deltas.length).toBeGreaterThan(0);
    for (const d of deltas) expect(JSON.stringify(d).length).toBeLessThan(1_000); // not the whole day
    await until(async () => JSON.stringify(await apiValue('sales.orders_per_minute')) === JSON.stringify(state.value), 'runtime value = API value');
    expect(l.gaps).toBe(0);
  });

  it('skips updates for a client that stopped reading, which then catches up by itself', async () => {
    const l = live();
    // Sixteen large values (≈ 15 KB each, sent whole: the newest order comes first), so that the updates
    // soon exceed what the kernel buffers for a client that reads nothing (≈ 4 MB here).
    const states = Array.from({ length: 16 }, (_, i) => l.watch(`latest-${i}`, 'sales.latest_orders', { limit: 85 + i }));
    const state = states[15];
    await until(() => states.every((st) => st.seq > 0), 'the snapshots');
    const server = s.app.io.sockets.sockets.get(l.socket.id!)!;
    expect(server).toBeDefined();
    const tcp = tcpOf(l);
    tcp.pause();
    const updatesBefore = s.app.hub.stats.updates;
    const heapBefore = process.memoryUsage().heapUsed;
    let maxQueued = 0;
    // Until 640 updates went out: how many commits that takes depends on how many the hub folds into one
    // recomputation (more on a busy machine).
    for (let i = 0; i < 2_000 && s.app.hub.stats.updates - updatesBefore < 640; i++) {
      await postEvents(s.url, Array.from({ length: 5 }, (_, j) => paid({ ts: now(), paid_fen: 1_000 + i * 5 + j, buyer_name: '王小明' })));
      await new Promise((r) => setTimeout(r, 30));
      maxQueued = Math.max(maxQueued, (server.conn as unknown as { writeBuffer: unknown[] }).writeBuffer.length);
    }
    expect(s.app.hub.stats.updates - updatesBefore).toBeGreaterThanOrEqual(640); // ≈ 10 MB of whole values
    // The server held back almost nothing for the stalled client: a few packets, heap not grown by the values.
    expect(maxQueued).toBeLessThanOrEqual(MAX_BACKLOG + 2); // + engine.io's ping (every 25 s)
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(60 * 1024 * 1024);
    tcp.resume();
    // It reads what the kernel held, sees the gap in seq (or the heartbeat's seq) and takes a snapshot.
    const allCaughtUp = async () => {
      for (const [i, st] of states.entries()) {
        if (JSON.stringify(await apiValue(`sales.latest_orders?limit=${85 + i}`)) !== JSON.stringify(st.value)) return false;
      }
      return true;
    };
    await until(allCaughtUp, 'every value caught up with the API', 20_000);
    // It noticed the gap and repaired (a snapshot, or a new subscription whose seq starts over).
    expect(l.gaps).toBeGreaterThan(0);
  }, 120_000);

  it('comes back with correct values after the server restarts', async () => {
    const l = live();
    const gmv = l.watch('gmv', 'sales.gmv');
    await until(() => gmv.seq > 0, 'the snapshot');
    await s.close();
    await until(() => l.link === 'down', 'the link to go down');
    expect(gmv.freshness).toBe('stale');
    s = await startServer({ dataDir, port });
    expect((await postEvents(s.url, [paid({ ts: now(), paid_fen: 777_777 })])).status).toBe(200);
    const want = await apiValue('sales.gmv');
    await until(() => l.link === 'live' && gmv.value === want, 'the runtime to resubscribe with the new value', 20_000);
    expect(gmv.freshness).toBe('live');
  });
});

// chDB binds one data directory per process: this file restarts a server on the same directory, so it
// runs in its own fork, apart from the other server tests.
import { describe, expect, it } from 'vitest';
import { ADMIN, getJson, postEvents, removeDir, startServer } from '../helpers/server.ts';
import { connect } from '../helpers/socket.ts';
import { businessDate } from '../../server/time.ts';
import { paid } from '../helpers/events.ts';

const TS = '2026-11-11T10:00:00.000+08:00';

describe('idempotency across a restart', () => {
  it('does not double-count a batch retried after the server restarted on the same data dir', async () => {
    const a = await startServer();
    const batch = [paid({ ts: TS, paid_fen: 12_345, event_id: 'restart-1' }), paid({ ts: TS, paid_fen: 55, event_id: 'restart-2' })];
    expect((await postEvents(a.url, batch)).body).toEqual({ accepted: 2, duplicates: 0 });
    await a.close();
    const b = await startServer({ dataDir: a.dataDir });
    try {
      expect((await postEvents(b.url, batch)).body).toEqual({ accepted: 0, duplicates: 2 });
      const gmv = await getJson(b.url, '/api/v1/metrics/sales.gmv?date=2026-11-11');
      expect(gmv.body.value).toBe(12_400);
    } finally {
      await b.close();
      removeDir(a.dataDir);
    }
  });
});

describe('graceful shutdown', () => {
  it('finishes in-flight ingests, acknowledges them, and tells the sockets', async () => {
    const a = await startServer();
    const socket = await connect(a.url, ADMIN);
    const told = new Promise<{ reason: string }>((resolve) => socket.once('server:shutdown', resolve));
    const events = Array.from({ length: 10_000 }, (_, i) => paid({ ts: TS, paid_fen: 1, event_id: `inflight-${i}` }));
    const inflight = postEvents(a.url, events);
    // The stop begins while the request is being written.
    while (!a.app.writer.busy) await new Promise((r) => setTimeout(r, 1));
    const closing = a.close();
    const r = await inflight;
    await closing;
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ accepted: 10_000, duplicates: 0 });
    expect((await told).reason).toBeTruthy();
    socket.close();
    // Everything acknowledged is there after the restart.
    const b = await startServer({ dataDir: a.dataDir });
    try {
      expect((await getJson(b.url, '/api/v1/metrics/sales.paid_orders?date=2026-11-11')).body.value).toBe(10_000);
    } finally {
      await b.close();
      removeDir(a.dataDir);
    }
  });
});

describe('duplicate filter', () => {
  it('finds retries of recent events without a lookup, also after a restart (filter rebuilt from storage)', async () => {
    const now = Date.now();
    const batch = Array.from({ length: 500 }, (_, i) => paid({ ts: now - i * 1_000, paid_fen: 100, event_id: `recent-${i}`, order_id: `R-${i}` }));
    const a = await startServer();
    const lookups = a.app.writer.stats.lookups;
    expect((await postEvents(a.url, batch)).body).toEqual({ accepted: 500, duplicates: 0 });
    // New ids of recent days are decided in memory: no ClickHouse lookup (a rare fingerprint clash aside).
    expect(a.app.writer.stats.lookups - lookups).toBeLessThanOrEqual(1);
    expect((await postEvents(a.url, batch)).body).toEqual({ accepted: 0, duplicates: 500 });
    await a.close();
    const b = await startServer({ dataDir: a.dataDir });
    try {
      expect((await postEvents(b.url, batch)).body).toEqual({ accepted: 0, duplicates: 500 });
      // A second order.paid of an order already paid (new event_id) does not count again.
      const again = paid({ ts: now, paid_fen: 999, event_id: 'recent-again', order_id: 'R-0' });
      expect((await postEvents(b.url, [again])).body).toEqual({ accepted: 1, duplicates: 0 });
      // The batch spans the last 500 s: it may straddle midnight in Shanghai, so count over both days.
      const days = [...new Set([now, now - 500_000].map((t) => businessDate(t, 'Asia/Shanghai')))];
      let orders = 0;
      let gmv = 0;
      for (const d of days) {
        orders += (await getJson(b.url, `/api/v1/metrics/sales.paid_orders?date=${d}`)).body.value as number;
        gmv += (await getJson(b.url, `/api/v1/metrics/sales.gmv?date=${d}`)).body.value as number;
      }
      expect(orders).toBe(500);
      expect(gmv).toBe(50_000);
    } finally {
      await b.close();
      removeDir(a.dataDir);
    }
  });
});

describe('an event_id reused on another day', () => {
  it('is a duplicate however many days lie between, also after a restart (no day window)', async () => {
    const day = 86_400_000;
    const now = Date.now();
    const original = paid({ ts: now - 40 * day, paid_fen: 700, event_id: 'far-reuse', order_id: 'FAR-1' });
    const a = await startServer();
    try {
      expect((await postEvents(a.url, [original])).body).toEqual({ accepted: 1, duplicates: 0 });
      // Events on ten other days between: whatever a per-day cache held, the first day is long out of it.
      for (let d = 1; d <= 10; d++) {
        expect((await postEvents(a.url, [paid({ ts: now - d * day, paid_fen: 1, event_id: `between-${d}`, order_id: `B-${d}` })])).status).toBe(200);
      }
      const reused = paid({ ts: now, paid_fen: 99_999, event_id: 'far-reuse', order_id: 'FAR-2' });
      expect((await postEvents(a.url, [reused])).body).toEqual({ accepted: 0, duplicates: 1 });
      // A second order.paid of the far order (another event_id, today) does not count it again either.
      const paidAgain = paid({ ts: now, paid_fen: 5, event_id: 'far-paid-again', order_id: 'FAR-1' });
      expect((await postEvents(a.url, [paidAgain])).body).toEqual({ accepted: 1, duplicates: 0 });
      await a.close();
      const b = await startServer({ dataDir: a.dataDir });
      try {
        expect((await postEvents(b.url, [{ ...reused, ts: new Date(now - 3 * day).toISOString() }])).body).toEqual({ accepted: 0, duplicates: 1 });
        const today = businessDate(now, 'Asia/Shanghai');
        // Today holds only the reused id and the second payment: neither counts.
        expect((await getJson(b.url, `/api/v1/metrics/sales.gmv?date=${today}`)).body.value).toBe(0);
        const stored = await b.app.storage.read.query({ query: `SELECT event_id, count() AS n, any(first_paid) AS f FROM ${b.app.storage.db}.events WHERE event_id IN ('far-reuse', 'far-paid-again') GROUP BY event_id ORDER BY event_id`, format: 'JSONEachRow' });
        expect(await stored.json()).toEqual([
          { event_id: 'far-paid-again', n: '1', f: 0 },
          { event_id: 'far-reuse', n: '1', f: 1 },
        ]);
      } finally {
        await b.close();
      }
    } finally {
      await a.close().catch(() => {});
      removeDir(a.dataDir);
    }
  });
});

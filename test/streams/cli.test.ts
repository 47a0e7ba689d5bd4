// streams/cli.ts end to end against a real RxPulse (chDB in a temp dir, real HTTP): reference upload, NDJSON
// batches, retries that resend the same batch, pacing, Ctrl-C, and the paid-order count the server reports.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main, parseCli } from '../../streams/cli.ts';
import { demoReference, REFERENCE_ORDER } from '../../streams/demo/index.ts';
import { demoOrderEventsForSecond, type DemoOptions } from '../../streams/orders/demo.ts';
import { getJson, INGEST, removeDir, sql, startServer, type Running } from '../helpers/server.ts';
import { at, DATE, TZ } from './demo-helpers.ts';

const OPTS: DemoOptions = { seed: 'cli', tz: TZ, ratePerSecond: 3 };
const args = (from: string, to: string, ...more: string[]): string[] => ['--url', srv.url, '--token', INGEST, '--date', DATE,
  '--from', from, '--to', to, '--seed', OPTS.seed, '--rate', String(OPTS.ratePerSecond), '--tz', TZ, ...more];

/** Distinct paid orders the generator makes in [from, to) local time. */
function paidOrders(from: string, to: string): number {
  const ids = new Set<string>();
  for (let s = at(`${DATE}T${from}:00`); s < at(`${DATE}T${to}:00`); s++) {
    for (const e of demoOrderEventsForSecond(OPTS, s)) if (e.type === 'order.paid') ids.add(e.order_id);
  }
  return ids.size;
}

let srv: Running;
beforeAll(async () => { srv = await startServer(); });
afterAll(async () => {
  await srv.close();
  removeDir(srv.dataDir);
});

describe('streams/cli.ts', () => {
  it('uploads the reference, replays 00:00–00:02 at full speed, and the server counts the same paid orders', async () => {
    const logs: string[] = [];
    const s = await main(args('00:00', '00:02', '--speed', 'max'), { log: (l) => logs.push(l) });
    const ref = demoReference(OPTS, DATE);
    expect(s.referenceRows).toBe(REFERENCE_ORDER.reduce((n, k) => n + ref[k].length, 0));
    expect(s).toMatchObject({ seconds: 120, duplicates: 0, stopped: false, from: '00:00:00', to: '00:02:00' });
    expect(s.accepted).toBe(s.events);
    expect(s.paidOrders).toBe(paidOrders('00:00', '00:02'));
    expect(s.paidOrders).toBeGreaterThan(1000); // the midnight burst
    const metric = await getJson(srv.url, `/api/v1/metrics/sales.paid_orders?date=${DATE}`);
    expect(metric.body.value).toBe(s.paidOrders);
    const skus = await sql<{ n: string }>(srv.app, 'SELECT count() AS n FROM {db}.ref_skus FINAL');
    expect(Number(skus[0].n)).toBe(ref.skus.length);
    expect(logs.some((l) => l.startsWith('done:'))).toBe(true);
  }, 120_000);

  it('resends a batch whose answer was lost, and overlapping windows count nothing twice', async () => {
    let lost = 0;
    const flaky: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      if (init?.method === 'POST' && lost === 0) {
        lost++;
        throw new TypeError('fetch failed: socket hang up'); // stored, but the client never hears it
      }
      return res;
    };
    const s = await main(args('00:01', '00:03', '--speed', 'max', '--no-reference', '--quiet', '--batch', '2000'), { log: () => {}, fetch: flaky });
    expect(lost).toBe(1);
    expect(s.accepted + s.duplicates).toBe(s.events);
    expect(s.duplicates).toBeGreaterThan(2000); // 00:01–00:02 again, and the whole retried batch
    const metric = await getJson(srv.url, `/api/v1/metrics/sales.paid_orders?date=${DATE}`);
    expect(metric.body.value).toBe(paidOrders('00:00', '00:03'));
    const stock = await getJson(srv.url, '/api/v1/metrics/inventory.stock');
    expect((stock.body.value as Array<{ qty: number }>).every((r) => r.qty > 0)).toBe(true);
  }, 120_000);

  it('paces a replay at N× speed, and stops cleanly when interrupted', async () => {
    const t0 = Date.now();
    const paced = await main(args('00:03', '00:04', '--speed', '120', '--no-reference', '--quiet'), { log: () => {} });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(450); // 60 simulated seconds at 120× ≥ 0.5 s
    expect(paced.seconds).toBe(60);
    const ctrl = new AbortController();
    // Aborted once the first POST has been answered (not a fixed time after it was sent: on a loaded machine
    // that answer may take longer).
    const firstPostAborts: typeof fetch = (input, init) =>
      fetch(input, init).then((res) => {
        setTimeout(() => ctrl.abort(), 100);
        return res;
      });
    const stopped = await main(args('00:04', '00:30', '--speed', '10', '--no-reference', '--quiet'), { log: () => {}, signal: ctrl.signal, fetch: firstPostAborts });
    expect(stopped.stopped).toBe(true);
    expect(stopped.seconds).toBeGreaterThan(0);
    expect(stopped.seconds).toBeLessThan(26 * 60);
    expect(stopped.accepted + stopped.duplicates).toBe(stopped.events); // what was generated was sent
  }, 60_000);

  it('refuses bad arguments before sending anything', () => {
    const now = Date.parse(`${DATE}T12:00:00+08:00`);
    expect(() => parseCli(['--token', 'x'], now)).toThrow(RangeError);
    expect(() => parseCli(['--url', 'http://x', '--token', 't', '--from', '25:00'], now)).toThrow(RangeError);
    expect(() => parseCli(['--url', 'http://x', '--token', 't', '--from', '10:00', '--to', '09:00'], now)).toThrow(RangeError);
    expect(() => parseCli(['--url', 'http://x', '--token', 't', '--violations', 'NOPE=0.1'], now)).toThrow(RangeError);
    expect(() => parseCli(['--url', 'http://x', '--token', 't', '--bogus'], now)).toThrow(TypeError);
    const live = parseCli(['--url', 'http://x/', '--token', 't'], now);
    expect(live).toMatchObject({ date: DATE, live: true, speed: 1, target: { url: 'http://x' } });
    expect(parseCli(['--url', 'http://x', '--token', 't', '--date', '2026-11-12', '--speed', '60'], now).live).toBe(false);
  });
});

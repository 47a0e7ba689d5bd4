// The in-process side of the fuzz suite (test/server/fuzz-*.test.ts): a real server whose stop is bounded
// (a stalled projector must not hang the file), row counts that do not wait for projection, crash and
// prototype-pollution watches, the health checks run after each file, and fc.assert with the seed printed.
import fc from 'fast-check';
import { afterAll, beforeAll } from 'vitest';
import { FUZZ_SEED, FUZZ_SCALE, fuzzParams, show, type Reply } from './arbitraries.ts';
import { send as clientSend } from './fuzz-client.ts';
import { ADMIN, INGEST, removeDir, startServer, type Running } from './server.ts';
import { connect, subscribe, nextUpdate } from './socket.ts';

/** One server for the file; its stop gives up after 20 s (a projector stalled by a poison event never drains). */
export function useFuzzServer(): () => Running {
  let s: Running | undefined;
  beforeAll(async () => {
    s = await startServer();
    console.log(`fuzz: seed ${FUZZ_SEED} (FUZZ_SEED=${FUZZ_SEED} replays it), scale ${FUZZ_SCALE}`);
  });
  afterAll(async () => {
    if (!s) return;
    const closed = await Promise.race([s.close().then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 20_000).unref())]);
    if (!closed) console.error('fuzz: the server did not stop within 20 s (projector or writer stuck)');
    removeDir(s.dataDir);
  });
  return () => s!;
}

// --- crashes: an exception no handler caught would end a real server process --------------------------
export const crashes: string[] = [];
let watching = false;
export function watchCrashes(): void {
  if (watching) return;
  watching = true;
  process.on('uncaughtException', (err) => crashes.push(`uncaughtException: ${(err as Error)?.stack ?? String(err)}`));
  process.on('unhandledRejection', (err) => crashes.push(`unhandledRejection: ${(err as Error)?.stack ?? String(err)}`));
}

// --- prototype pollution ---------------------------------------------------------------------------------
const PROTOS: [string, object][] = [['Object', Object.prototype], ['Array', Array.prototype], ['Function', Function.prototype], ['String', String.prototype]];
const protoBaseline = PROTOS.map(([, p]) => Object.getOwnPropertyNames(p).sort().join(','));
export function pollution(): string[] {
  return PROTOS.flatMap(([name, p], i) => (Object.getOwnPropertyNames(p).sort().join(',') === protoBaseline[i] ? [] : [`${name}.prototype changed: ${Object.getOwnPropertyNames(p).join(',')}`]));
}

/** Violations that concern the whole process, checked after every case. */
export function processViolations(crashesBefore: number): string[] {
  return [...crashes.slice(crashesBefore).map((c) => `process would exit: ${c.split('\n').slice(0, 4).join(' | ')}`), ...pollution()];
}

// --- storage, without waiting for projection ---------------------------------------------------------------
export async function rows<T = Record<string, unknown>>(s: Running, query: string, params: Record<string, unknown> = {}): Promise<T[]> {
  const rs = await s.app.storage.read.query({ query: query.replaceAll('{db}', s.app.storage.db), query_params: params, format: 'JSONEachRow' });
  return rs.json<T>();
}
export async function count(s: Running, table: string): Promise<number> {
  return Number((await rows<{ n: string }>(s, `SELECT count() AS n FROM {db}.${table}`))[0].n);
}

/** Whether everything acknowledged is projected within `ms`. */
export async function settles(s: Running, ms: number): Promise<boolean> {
  return Promise.race([s.app.projector.barrier().then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms).unref())]);
}

// --- HTTP: the admin token unless told otherwise ---------------------------------------------------------
export function send(url: string, method: string, path: string, o: Parameters<typeof clientSend>[3] = {}): ReturnType<typeof clientSend> {
  return clientSend(url, method, path, { ...o, token: o.token === undefined ? ADMIN : o.token });
}

// --- fc.assert with the seed and the first failure printed -----------------------------------------------
/**
 * Runs `check` (which returns violations) as a fast-check property. The first failing case is printed in full
 * before shrinking; fast-check's own report (seed, path, shrunk counterexample, its violations) is thrown.
 * Past `budgetMs` the remaining runs (and shrink attempts) are skipped as passing, so a file stays bounded;
 * unlike fast-check's interruptAfterTimeLimit this never drops the outcome of a run already under way (a
 * request that blocks the server for 30 s is still judged).
 */
export async function property<T>(
  name: string,
  arb: fc.Arbitrary<T>,
  numRuns: number,
  budgetMs: number,
  check: (c: T) => Promise<string[]>,
  /** Cases run first, whatever the seed: counterexamples found before (e.g. by bench/fuzz.ts) pinned. */
  examples: T[] = [],
): Promise<void> {
  let first = true;
  let runs = 0;
  let skipped = 0;
  const started = performance.now();
  const params = fuzzParams(name, numRuns, budgetMs);
  try {
    await fc.assert(
      fc.asyncProperty(arb, async (c) => {
        if (performance.now() - started > params.budgetMs) {
          skipped++;
          return;
        }
        runs++;
        const v = await check(c);
        if (v.length > 0) {
          if (first) {
            first = false;
            console.error(`fuzz ${name}: first failure (seed ${params.seed}, FUZZ_SEED=${FUZZ_SEED}) on\n  ${show(c)}\n  → ${v.join('\n  → ')}`);
          }
          throw new Error(v.join('\n'));
        }
      }),
      { seed: params.seed, numRuns: params.numRuns, examples: examples.map((e) => [e] as [T]) },
    );
  } finally {
    const over = skipped ? `, ${skipped} skipped past the ${params.budgetMs / 1000} s budget` : '';
    console.log(`fuzz ${name}: ${runs} runs checked (numRuns ${params.numRuns}${over}) in ${((performance.now() - started) / 1000).toFixed(1)} s, seed ${params.seed} (FUZZ_SEED=${FUZZ_SEED})`);
  }
}

// --- the server is still healthy ---------------------------------------------------------------------------
const shanghaiDate = (ms: number) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(ms);

/**
 * After a fuzz run: health 200/ok; everything acknowledged is projected; a normal subscription still works;
 * a valid order.paid moves sales.gmv (on the socket and on the read API) and a valid rx.issued moves rx.funnel
 * (a projected metric); no crash, no pollution. Returns what failed.
 */
export async function healthViolations(s: Running, crashesBefore: number): Promise<string[]> {
  const v: string[] = [];
  const h = await send(s.url, 'GET', '/api/v1/health', { token: null, timeoutMs: 15_000 }).catch((e: Error) => ({ status: 0, body: e.message, text: '' }));
  if (h.status !== 200 || (h.body as { status?: string }).status !== 'ok') v.push(`GET /api/v1/health → ${h.status} ${show(h.body)}`);
  if (!(await settles(s, 15_000))) v.push(`acknowledged events not projected within 15 s (projection ${show((h.body as { projection?: unknown }).projection)})`);
  const now = Date.now();
  const date = shanghaiDate(now);
  const tag = `${now.toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  let socket: Awaited<ReturnType<typeof connect>> | undefined;
  try {
    socket = await connect(s.url, ADMIN);
    const snap = await subscribe(socket, 'sales.gmv', { date });
    if ('error' in snap) v.push(`subscribe sales.gmv refused: ${show(snap)}`);
    else {
      const before = Number(snap.value);
      const update = nextUpdate(socket, snap.key, (m) => Number(m.value) === before + 1_234, 10_000);
      const funnelBefore = await send(s.url, 'GET', `/api/v1/metrics/rx.funnel?date=${date}`, { timeoutMs: 15_000 });
      const post = await send(s.url, 'POST', '/api/v1/events', {
        token: INGEST,
        contentType: 'application/json',
        body: JSON.stringify([
          { event_id: `health-paid-${tag}`, type: 'order.paid', ts: now - 1_000, order_id: `health-${tag}`, channel: 'jd', shop_id: 'S-1', buyer_id: 'B-1', province: '广东', lines: [{ sku_id: 'SKU-H', qty: 1, unit_price_fen: 1_234 }], paid_fen: 1_234 },
          { event_id: `health-rx-${tag}`, type: 'rx.issued', ts: now - 1_000, rx_id: `RX-${tag}`, order_id: `health-${tag}`, source: 'upload' },
        ]),
      });
      if (post.status !== 200 || (post.body as { accepted?: number }).accepted !== 2) v.push(`a valid ingest → ${post.status} ${show(post.body)}`);
      await update.catch((e: Error) => v.push(`sales.gmv did not move by 1234 on the socket: ${e.message}`));
      const gmv = await send(s.url, 'GET', `/api/v1/metrics/sales.gmv?date=${date}`, { timeoutMs: 15_000 });
      if (gmv.status !== 200 || Number((gmv.body as { value?: unknown }).value) !== before + 1_234) v.push(`GET sales.gmv → ${gmv.status} ${show(gmv.body)}, expected ${before + 1_234}`);
      const funnel = await send(s.url, 'GET', `/api/v1/metrics/rx.funnel?date=${date}`, { timeoutMs: 15_000 });
      const issued = (r: Reply) => Number((r.body as { value?: { issued?: unknown } }).value?.issued);
      if (funnel.status !== 200 || issued(funnel) !== issued(funnelBefore) + 1) v.push(`rx.funnel did not move: ${show(funnelBefore.body)} → ${funnel.status} ${show(funnel.body)}`);
    }
  } catch (e) {
    v.push(`health check failed: ${(e as Error).message}`);
  } finally {
    socket?.close();
  }
  v.push(...processViolations(crashesBefore));
  return v;
}

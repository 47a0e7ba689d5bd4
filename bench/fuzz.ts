// The fuzz suite at volume: the arbitraries and oracle of test/server/fuzz-*.test.ts (test/helpers/arbitraries.ts,
// fuzz-oracle.ts, fuzz-client.ts) against a real server in a child process (bench/lib.ts), `cases` cases
// spread over the targets, a few in flight per target. Unlike the tests it does not stop at the first failure:
// it counts. Prints per target the cases run, the status histogram, 5xx (must be 0), violations of the
// CONTRACT's answer grouped by kind (one example each), crashes of the server process (must be 0; it is
// restarted after one, with the cases in flight printed), cases/s; then whether every acknowledged event was
// counted and projected. Socket clients spread over 127.0.0.0/8 source addresses (per-address handshake limits).
// Usage: npx tsx bench/fuzz.ts [cases=100000] [seed=20261207] [port=3931] [concurrency=4] [budget=600 s per target] [log=fatal]
import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import {
  FUZZ_SEED, acknowledge, contentTypeVerdict, expectIngest, expectMetricQuery, expectReference, ingestBody, ingestCase, isObject, judgeIngest, judgeMetricQuery, judgeReference,
  metricQueryCase, metricUrl, rawIngestCase, referenceCase, screenCase, show, socketCase, viaJson, MUTATION_CLASSES,
  type Catalogue, type IngestCase, type KnownIds, type JsonObject, type MetricQuery, type RawCase, type ReferenceCase, type ScreenCase, type SocketOp,
} from '../test/helpers/arbitraries.ts';
import { send, socketViolations, type SocketState } from '../test/helpers/fuzz-client.ts';
import { ADMIN, INGEST, startServer, type BenchServer } from './lib.ts';

const positional = process.argv.slice(2).filter((a) => !a.includes('='));
const args = Object.fromEntries(process.argv.slice(2).filter((a) => a.includes('=')).map((a) => a.split('=')));
const CASES = Number(positional[0] ?? args.cases ?? 100_000);
const SEED = Number(args.seed ?? FUZZ_SEED);
const PORT = Number(args.port ?? 3931);
const CONCURRENCY = Number(args.concurrency ?? 4);
/** Seconds a target may take: past it, it takes no more cases (a request that stalls the server costs each
 *  of its cases ~30 s). @default 600 s */
const TARGET_BUDGET_S = Number(args.budget ?? 600);
/** The server's LOG_LEVEL (`log=error` shows the stack of each 5xx). */
const LOG_LEVEL = args.log ?? 'fatal';
const CHUNK = 100;
const ROOT = new URL('..', import.meta.url).pathname;

/** Each target's share of the cases. */
const SHARES = { 'ingest/valid': 0.08, 'ingest/mutated': 0.35, 'ingest/raw': 0.05, reference: 0.15, 'metrics/params': 0.22, 'screens/put': 0.05, socket: 0.1 } as const;
type Target = keyof typeof SHARES;

interface Figures {
  cases: number;
  /** Stopped at the target's time budget before its share of cases. */
  stopped: boolean;
  seconds: number;
  statuses: Map<string, number>;
  fivexx: number;
  /** violation kind → count, first example */
  violations: Map<string, { n: number; example: string; input: string }>;
}
const figures = new Map<Target, Figures>();
const crashes: { at: Target; inFlight: string[]; exit: string }[] = [];
let acknowledged = 0;

// --- the server, restarted after a crash --------------------------------------------------------------------
let server!: BenchServer;
let restarting: Promise<void> | null = null;
const inFlight = new Map<number, { target: Target; input: string }>();
let nextId = 0;
/** event_ids acknowledged by this server (reset with its data at a restart), and those in flight. */
let known: KnownIds = new Map();
const flying = new Map<string, number>();

async function boot(): Promise<void> {
  // Auth failures are part of the fuzz: no per-address lockout while it runs.
  server = await startServer(PORT, { LOG_LEVEL, RXPULSE_AUTH_FAIL_MAX: '1000000' });
  known = new Map();
  acknowledged = 0;
}
const dead = () => server.child.exitCode !== null || server.child.signalCode !== null;

async function recover(target: Target): Promise<void> {
  if (!restarting) {
    restarting = (async () => {
      const exit = `${server.child.signalCode ?? `code ${server.child.exitCode}`}`;
      crashes.push({ at: target, inFlight: [...inFlight.values()].map((f) => `[${f.target}] ${f.input}`), exit });
      console.error(`fuzz: the server exited (${exit}) during ${target}; restarting`);
      await server.stop();
      await boot();
    })().finally(() => (restarting = null));
  }
  await restarting;
}

// --- violation kinds: the message template, plus what the server named ----------------------------------------
function kindOf(v: string): string {
  const base = v.split(/: |, expected | \(|, not /)[0].replace(/#\d+/g, '#n').replace(/\d+/g, 'N').slice(0, 90);
  const field = /"field":"([^"]*)"/.exec(v)?.[1];
  const reason = /"reason":"([^"]{0,60})/.exec(v)?.[1];
  const code = /"code":"([A-Z_]+)"/.exec(v)?.[1];
  const refused = /refuses: #\d+ ([^;\n]*)/.exec(v)?.[1] ?? /\(([a-z_.[\]0-9, ]+)\) not listed/.exec(v)?.[1];
  const extra = [field !== undefined && `field=${field}`, reason && `reason=${reason}`, code && `code=${code}`, refused && `paths=${refused}`].filter(Boolean).map((s) => String(s).replace(/\[\d+\]/g, '[]'));
  return extra.length ? `${base} [${extra.join('; ')}]` : base;
}

function record(target: Target, status: string, violations: string[], input: string): void {
  const f = figures.get(target)!;
  f.cases++;
  f.statuses.set(status, (f.statuses.get(status) ?? 0) + 1);
  if (/^5\d\d$/.test(status)) f.fivexx++;
  for (const v of violations) {
    const k = kindOf(v);
    const e = f.violations.get(k);
    if (e) e.n++;
    else f.violations.set(k, { n: 1, example: v.slice(0, 700), input: input.slice(0, 900) });
  }
}

// --- one case per target: its status and violations ----------------------------------------------------------
type Outcome = { status: string; violations: string[] };

async function ingest(c: IngestCase): Promise<Outcome> {
  const x = expectIngest(c);
  const { body, contentType } = ingestBody(c);
  const ids = x.ids.filter((id): id is string => id !== null);
  const contested = ids.some((id) => (flying.get(id) ?? 0) > 0);
  for (const id of ids) flying.set(id, (flying.get(id) ?? 0) + 1);
  try {
    const r = await send(server.url, 'POST', '/api/v1/events', { body, contentType, token: INGEST });
    // An id another request carries at the same moment: which one is first is not decided.
    const v = judgeIngest(x, r, known).filter((m) => !(contested && m.startsWith('accepted ')));
    if (r.status === 200) {
      acknowledge(known, x);
      if (isObject(r.body) && typeof r.body.accepted === 'number') acknowledged += r.body.accepted;
      if (c.resend) {
        const again = await send(server.url, 'POST', '/api/v1/events', { body, contentType, token: INGEST });
        if (again.status !== 200 || !isObject(again.body) || again.body.accepted !== 0 || again.body.duplicates !== x.ids.length) {
          v.push(`sent again → ${again.status} ${show(again.body)}, expected {"accepted":0,"duplicates":${x.ids.length}}`);
          if (isObject(again.body) && typeof again.body.accepted === 'number') acknowledged += again.body.accepted;
        }
      }
    }
    return { status: String(r.status), violations: v };
  } finally {
    for (const id of ids) flying.set(id, flying.get(id)! - 1);
  }
}

async function raw(c: RawCase): Promise<Outcome> {
  const r = await send(server.url, 'POST', '/api/v1/events', { body: c.body, contentType: c.contentType, token: INGEST });
  const v: string[] = [];
  if (r.status >= 500) v.push(`${r.status} (a 5xx): ${show(r.body)}`);
  if (contentTypeVerdict(c.contentType) === 'invalid' && r.status < 400) v.push(`${r.status} for content type ${JSON.stringify(c.contentType)}: ${show(r.body)}`);
  if (r.status === 200 && isObject(r.body) && typeof r.body.accepted === 'number') acknowledged += r.body.accepted;
  return { status: String(r.status), violations: v };
}

async function reference(c: ReferenceCase): Promise<Outcome> {
  const r = await send(server.url, 'PUT', `/api/v1/reference/${encodeURIComponent(c.kind)}`, { body: JSON.stringify(c.rows), contentType: 'application/json', token: INGEST });
  return { status: String(r.status), violations: judgeReference(c, expectReference(c), r) };
}

const TOKENS: Record<MetricQuery['token'], string | null> = { admin: ADMIN, ingest: INGEST, none: null, wrong: 'wrong-token-0123456789' };
let catalogue: Catalogue = [];
async function metric(q: MetricQuery): Promise<Outcome> {
  const r = await send(server.url, 'GET', metricUrl(q), { token: TOKENS[q.token], timeoutMs: 20_000 });
  return { status: String(r.status), violations: judgeMetricQuery(q, expectMetricQuery(catalogue, q), r) };
}

async function screen(c: ScreenCase): Promise<Outcome> {
  const path = `/api/v1/screens/${c.id}`;
  const t0 = performance.now();
  const mine = (putsOf.get(c.id) ?? 0) + 1;
  putsOf.set(c.id, mine);
  const r = await send(server.url, 'PUT', path, { body: JSON.stringify(c.doc), contentType: c.contentType || null, token: ADMIN });
  const ms = performance.now() - t0;
  const v: string[] = [];
  // A screen is at most a 48 × 48 grid: checking one is instant. Seconds here stall every wall and ingest.
  if (ms > 10_000) v.push(`answered ${r.status} after ${(ms / 1000).toFixed(0)} s (the server was busy with this request alone)`);
  if (r.status >= 500) v.push(`${r.status} (a 5xx): ${show(r.body)}`);
  else if (![200, 400, 404, 413, 415, 429].includes(r.status)) v.push(`unexpected status ${r.status}: ${show(r.body)}`);
  if (c.pristine && r.status !== 200) v.push(`${r.status} for a built-in screen under a new id: ${show(r.body)}`);
  // Other workers may write the same id meanwhile (well-known ones, and small random ones: fast-check favours
  // them): read back only a random id no other PUT touched since this one started.
  if (r.status === 200 && c.id.startsWith('fuzz-')) {
    const now = await send(server.url, 'GET', path, { token: ADMIN });
    if (putsOf.get(c.id) !== mine) return { status: String(r.status), violations: v };
    const sent = viaJson(c.doc) as JsonObject;
    if (now.status !== 200 || !isObject(now.body) || JSON.stringify(now.body.widgets) !== JSON.stringify(sent.widgets)) v.push(`200 but GET ${path} → ${now.status} ${show(now.body)}`);
  }
  return { status: String(r.status), violations: v };
}

/** PUTs started per screen id (the read-back check skips an id another worker wrote meanwhile). */
const putsOf = new Map<string, number>();

const socketStates: SocketState[] = [];
let address = 0;
async function socketOps(ops: SocketOp[], worker: number): Promise<Outcome> {
  const state = (socketStates[worker] ??= { main: null, localAddress: () => `127.${1 + worker}.${Math.floor(address / 250) % 250}.${1 + (address++ % 250)}` });
  const v = await socketViolations(server.url, ops, { catalogue, admin: ADMIN, state });
  return { status: v.length ? 'violation' : 'ok', violations: v };
}

// --- the run ------------------------------------------------------------------------------------------------
async function run<T>(target: Target, arb: fc.Arbitrary<T>, n: number, exec: (c: T, worker: number) => Promise<Outcome>, concurrency = CONCURRENCY): Promise<void> {
  const f: Figures = { cases: 0, stopped: false, seconds: 0, statuses: new Map(), fivexx: 0, violations: new Map() };
  figures.set(target, f);
  const started = performance.now();
  let chunk = 0;
  let queue: T[] = [];
  let taken = 0;
  const next = (): T | undefined => {
    if (taken >= n) return undefined;
    if (performance.now() - started > TARGET_BUDGET_S * 1000) {
      f.stopped = true;
      return undefined;
    }
    if (queue.length === 0) queue = fc.sample(arb, { seed: SEED + Object.keys(SHARES).indexOf(target) * 1_000_003 + chunk++, numRuns: Math.min(CHUNK, n - taken) });
    taken++;
    return queue.shift();
  };
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      for (let c = next(); c !== undefined; c = next()) {
        const id = nextId++;
        const input = show(c);
        inFlight.set(id, { target, input });
        try {
          if (restarting) await restarting;
          const o = await exec(c, worker);
          record(target, o.status, o.violations, input);
        } catch (err) {
          if (dead()) {
            record(target, 'crash', [], input);
            await recover(target);
          } else record(target, 'no answer', [`no answer: ${(err as Error).message}`], input);
        } finally {
          inFlight.delete(id);
        }
        if (dead()) await recover(target);
        if (f.cases % 2_000 === 0) process.stderr.write(`  ${target}: ${f.cases}/${n}\r`);
      }
    }),
  );
  for (const s of socketStates) s?.main?.socket.close();
  f.seconds = (performance.now() - started) / 1000;
}

const builtins = readdirSync(`${ROOT}screens/builtin`)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => JSON.parse(readFileSync(`${ROOT}screens/builtin/${f}`, 'utf8')) as JsonObject);

await boot();
const started = performance.now();
console.log(`fuzz: ${CASES} cases, seed ${SEED}, server on :${PORT} (pid ${server.child.pid}), ${CONCURRENCY} in flight per target`);
try {
  catalogue = ((await send(server.url, 'GET', '/api/v1/metrics', { token: ADMIN })).body as { id: string; params: Catalogue[number]['params'] }[]).map((m) => ({ id: m.id, params: m.params ?? {} }));
  const share = (t: Target) => Math.max(1, Math.round(CASES * SHARES[t]));
  // Ingest answers once the group commit is durable: more in flight share a commit.
  await run('ingest/valid', ingestCase({ classes: [], minMutated: 0, maxMutated: 0, maxValid: 30 }), share('ingest/valid'), ingest, CONCURRENCY * 2);
  await run('ingest/mutated', ingestCase({ classes: MUTATION_CLASSES, maxValid: 8 }), share('ingest/mutated'), ingest, CONCURRENCY * 2);
  await run('ingest/raw', rawIngestCase, share('ingest/raw'), raw);
  await run('reference', referenceCase(MUTATION_CLASSES), share('reference'), reference);
  await run('metrics/params', metricQueryCase(catalogue), share('metrics/params'), metric);
  await run('screens/put', screenCase(builtins, { extreme: true }), share('screens/put'), screen);
  await run('socket', socketCase(catalogue, { admin: ADMIN, ingest: INGEST }), share('socket'), socketOps);

  // Every acknowledged event counted once by the server, and projected (visible to metrics) within 60 s.
  type Health = { ingest: { accepted: number }; projection: { events: number } };
  const health = async () => (await send(server.url, 'GET', '/api/v1/health', { token: ADMIN })).body as Health;
  const deadline = performance.now() + 60_000;
  let h = await health();
  while (h.projection.events < h.ingest.accepted && performance.now() < deadline) {
    await new Promise((r) => setTimeout(r, 500));
    h = await health();
  }
  const seconds = (performance.now() - started) / 1000;

  console.log(`\n${'target'.padEnd(16)}${'cases'.padStart(8)}${'cases/s'.padStart(9)}${'5xx'.padStart(6)}${'viol.'.padStart(7)}  statuses`);
  let total = 0;
  let fivexx = 0;
  for (const [t, f] of figures) {
    total += f.cases;
    fivexx += f.fivexx;
    const statuses = [...f.statuses].sort((a, b) => b[1] - a[1]).map(([s, n]) => `${s}×${n}`).join(' ');
    const nv = [...f.violations.values()].reduce((a, e) => a + e.n, 0);
    console.log(`${t.padEnd(16)}${String(f.cases).padStart(8)}${(f.cases / f.seconds).toFixed(0).padStart(9)}${String(f.fivexx).padStart(6)}${String(nv).padStart(7)}  ${statuses}${f.stopped ? `  (stopped at the ${TARGET_BUDGET_S} s budget)` : ''}`);
  }
  console.log(`\nall: ${total} cases in ${seconds.toFixed(0)} s (${(total / seconds).toFixed(0)} cases/s); 5xx: ${fivexx} (must be 0); crashes: ${crashes.length} (must be 0)`);
  console.log(`acknowledged events: ${acknowledged} by the answers${crashes.length ? ' (since the last restart)' : ''}, ${h.ingest.accepted} by /api/v1/health; projected ${h.projection.events}`);
  for (const c of crashes) console.log(`\ncrash (${c.exit}) during ${c.at}; cases in flight:\n  ${c.inFlight.join('\n  ')}`);
  for (const [t, f] of figures) {
    if (f.violations.size === 0) continue;
    console.log(`\nviolations of ${t} (${f.violations.size} kinds):`);
    for (const [k, e] of [...f.violations].sort((a, b) => b[1].n - a[1].n)) {
      console.log(`  ×${e.n}  ${k}\n      e.g. ${e.example}\n      on ${e.input}`);
    }
  }
} finally {
  await server.stop();
}

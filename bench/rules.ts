// What the compliance rules cost at the ingest target, and how soon a new alert reaches the wall (a real
// server in a child process on chDB; this load generator, the server and Chromium share the machine's cores).
//   cost:  the same mixed load on a fresh server each time, alternately with every rule off (a rules file)
//          and with the defaults, `pairs` times: `events` events of the generated day with the demo's default
//          violation rates, its reference data stored first, in NDJSON batches of 1,000 with `concurrency`
//          posts in flight, paced at `rate` events/s (the server's max when it cannot keep up), event times
//          from the load's start (stamp=day: as generated, from 00:00 today). Per run: events/s acked, ack
//          latency per batch, the server process's CPU (/proc/<pid>/stat); with the rules, the engine's busy
//          time and the alerts it opened. The differences of the medians are what rule evaluation adds. Each
//          load waits until the rest of the machine is quiet (other tests share it), at most a minute.
//   alert: the compliance screen in Chromium under `background` events/s of the generated day (violations
//          off: only this bench's alerts open), `alerts` times: two outbound scans of one new trace code in
//          one POST (TRACE_CODE_DUPLICATE, critical) → the feed row with that code drawn. Date.now() on both
//          ends (one machine, one clock): just before the POST, and the first animation frame after the row
//          is in the feed's DOM.
// Needs public/build (`npx vite build`).
// Usage: npx tsx bench/rules.ts [events=300000 rate=25000 concurrency=4 pairs=3 alerts=50 background=5000 only=cost|alert stamp=now|day]
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { RULE_IDS } from '../streams/demo/index.ts';
import { launchChromium, watchErrors } from '../test/helpers/browser.ts';
import { demoBatches, demoDay, demoDayReference, uploadReference, type DemoSecond } from './day.ts';
import { ADMIN, INGEST, cpuMeter, getJson, post, postAll, startServer, summary, waitProjected, waitQuiet, type BenchServer, type CpuUse } from './lib.ts';

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.split('=')));
const EVENTS = Number(args.events ?? 300_000);
const RATE = Number(args.rate ?? 25_000);
const CONCURRENCY = Number(args.concurrency ?? 4);
const ALERTS = Number(args.alerts ?? 50);
/** Runs of each kind, alternating (off, on, off, on…); the table shows medians. */
const PAIRS = Number(args.pairs ?? 3);
const BACKGROUND = Number(args.background ?? 5_000);
/** `now` (default): the day's ts moved to start at the load's start; `day`: as generated, from 00:00 today (as bench/ingest.ts sends them). */
const STAMP = args.stamp ?? 'now';
/** `cost` or `alert` runs that part alone. */
const ONLY = args.only ?? '';
const BATCH = 1_000;
/** An alert whose row is not drawn by then is counted as missed (and looked for in the API). */
const MISS_MS = 10_000;
const PORT = 3911;
const CORES = availableParallelism();
/** Every violation rate 0: the generated day breaks no rule. */
const QUIET = Object.fromEntries(RULE_IDS.map((id) => [id, 0]));

interface Health {
  projection: { events: number };
  rules: {
    events: number; hits: number; steps: number; lastStepMs: number; busyMs: number; dailyRuns: number; errors: number; open_alerts: number;
    alerts: { opened: number; updated: number; flushes: number; failedFlushes: number };
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const health = (s: BenchServer) => getJson<Health>(`${s.url}/api/v1/health`);
const pct = (x: number) => `${(x * 100).toFixed(0)} %`;
const fmt = (x: number | undefined, digits = 0) => (Number.isFinite(x) ? x!.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : '—');
const signed = (x: number, digits = 0) => `${x >= 0 ? '+' : '−'}${fmt(Math.abs(x), digits)}`;

/** Once the projector has every event and the engine has taken no step for 0.5 s. */
async function drained(s: BenchServer, accepted: number): Promise<Health> {
  await waitProjected(s.url, accepted);
  let last = await health(s);
  let quietSince = performance.now();
  for (;;) {
    await sleep(100);
    const h = await health(s);
    if (h.rules.steps !== last.rules.steps) [last, quietSince] = [h, performance.now()];
    else if (performance.now() - quietSince >= 500) return h;
  }
}

/** The alerts of a server by rule: `RULE n, …`. */
async function alertsByRule(s: BenchServer): Promise<string> {
  const counts = new Map<string, number>();
  for (const a of await getJson<{ rule: string }[]>(`${s.url}/api/v1/alerts?limit=10000`, ADMIN)) counts.set(a.rule, (counts.get(a.rule) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1]).map(([rule, n]) => `${rule} ${n}`).join(', ') || 'none';
}

interface CostRun {
  enabled: number;
  /** The machine was quiet (other processes under 15 %) before the load began. */
  quiet: boolean;
  acked: number;
  seconds: number;
  lat: ReturnType<typeof summary>;
  load: CpuUse;
  /** From the first POST until projected and the engine idle. */
  all: CpuUse;
  before: Health;
  atAck: Health;
  after: Health;
  byRule: string;
}

async function costRun(day: readonly DemoSecond[], env: Record<string, string>): Promise<CostRun> {
  const server = await startServer(PORT, env);
  try {
    await uploadReference(server.url, INGEST, demoDayReference());
    const enabled = (await getJson<{ enabled: boolean }[]>(`${server.url}/api/v1/rules`, ADMIN)).filter((r) => r.enabled).length;
    // Meanwhile the engine reloads the reference and runs the daily rules once.
    const quiet = await waitQuiet(server.child.pid!);
    const bodies = demoBatches(day, BATCH, STAMP === 'day' ? undefined : Date.now());
    const before = await health(server);
    const meter = cpuMeter(server.child.pid!);
    const run = await postAll(server.url, bodies, { concurrency: CONCURRENCY, rate: RATE });
    const load = meter();
    const atAck = await health(server);
    const after = await drained(server, run.accepted);
    return { enabled, quiet, acked: run.accepted, seconds: run.seconds, lat: summary(run.latencies), load, all: meter(), before, atAck, after, byRule: await alertsByRule(server) };
  } finally {
    await server.stop();
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b), m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
/** Share of the machine other processes used during a run's load; runs under QUIET_SHARE make the table when each kind has one. */
const othersShare = (r: CostRun) => r.load.othersS / r.load.machineS;
const QUIET_SHARE = 0.1;

async function cost(): Promise<void> {
  const day = demoDay(EVENTS);
  const dir = mkdtempSync(join(tmpdir(), 'rxpulse-bench-rules-'));
  const offFile = join(dir, 'rules-off.json');
  writeFileSync(offFile, JSON.stringify(Object.fromEntries(RULE_IDS.map((id) => [id, { enabled: false }]))));
  const offs: CostRun[] = [], ons: CostRun[] = [];
  try {
    for (let i = 0; i < PAIRS; i++) {
      offs.push(await costRun(day, { RXPULSE_RULES_FILE: offFile }));
      ons.push(await costRun(day, {}));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const rows: Array<[string, (r: CostRun) => number, number]> = [
    ['events/s durable-acked', (r) => r.acked / r.seconds, 0],
    ['ack latency p50 ms (batch of 1,000)', (r) => r.lat.p50, 0],
    ['ack latency p99 ms', (r) => r.lat.p99, 0],
    ['ack latency max ms', (r) => r.lat.max, 0],
    ['server CPU during the load, % of one core', (r) => (100 * r.load.serverS) / r.load.wallS, 0],
    [`server CPU during the load, % of the machine (${CORES} cores)`, (r) => (100 * r.load.serverS) / r.load.machineS, 0],
    ['server CPU µs per event (until projected and rules idle)', (r) => (1e6 * r.all.serverS) / r.acked, 1],
  ];
  const quietOffs = offs.filter((r) => othersShare(r) < QUIET_SHARE), quietOns = ons.filter((r) => othersShare(r) < QUIET_SHARE);
  const useQuiet = quietOffs.length > 0 && quietOns.length > 0;
  const [tOff, tOn] = useQuiet ? [quietOffs, quietOns] : [offs, ons];
  const ts = STAMP === 'day' ? 'ts as generated, from 00:00 today' : "ts moved to the load's start";
  console.log(`rules cost: ${fmt(offs[0].acked)} mixed events of the generated day (default violation rates, reference data stored first, ${ts}),`);
  console.log(`  NDJSON batches of ${fmt(BATCH)}, ${CONCURRENCY} posts in flight, paced at ${fmt(RATE)} events/s (or the server's max); ${PAIRS} × (rules off, rules on),`);
  console.log(`  medians of ${useQuiet ? `the runs with other processes under ${pct(QUIET_SHARE)} of the machine (${tOff.length} off, ${tOn.length} on)` : 'all runs (no quiet run of each kind)'}:`);
  console.log(`  ${''.padEnd(60)}${'rules off'.padStart(11)}${'rules on'.padStart(11)}${'added'.padStart(10)}`);
  for (const [label, f, d] of rows) {
    const a = median(tOff.map(f)), b = median(tOn.map(f));
    console.log(`  ${label.padEnd(60)}${fmt(a, d).padStart(11)}${fmt(b, d).padStart(11)}${signed(b - a, d).padStart(10)}`);
  }
  offs.concat(ons).forEach((r, i) => {
    const name = `${i < offs.length ? 'off' : 'on'} ${(i % offs.length) + 1}`;
    console.log(`  rules ${name.padEnd(5)}: ${r.enabled} of ${RULE_IDS.length} rules, ${fmt(r.acked / r.seconds)} events/s, ack p99 ${fmt(r.lat.p99)} ms, ${fmt((1e6 * r.all.serverS) / r.acked, 1)} µs CPU/event;`
      + ` meanwhile other processes ${pct(othersShare(r))} of the machine${r.quiet ? '' : ' (never under 15 % for 2 s within a minute before the load)'}, this load generator ${pct(r.load.selfS / r.load.machineS)}`);
  });
  const busy = tOn.map((r) => (r.atAck.rules.busyMs - r.before.rules.busyMs) / r.seconds);
  const on = tOn[tOn.length - 1];
  const busyAll = on.after.rules.busyMs - on.before.rules.busyMs;
  const judged = on.after.rules.events - on.before.rules.events;
  const steps = on.after.rules.steps - on.before.rules.steps;
  const r = on.after.rules;
  console.log(`  rules engine during the load: busy ${fmt(median(busy))} ms per second of wall time (median as above; wall time in evaluation, ClickHouse lookups included)`);
  console.log(`    its last run until idle: ${fmt(judged)} events judged in ${fmt(steps)} steps, ${fmt(busyAll / steps, 1)} ms a step (last ${fmt(r.lastStepMs, 1)} ms), ${fmt((1000 * busyAll) / judged, 1)} µs busy per judged event; ${r.dailyRuns} daily rule runs, ${r.errors} errors`);
  console.log(`    alerts: ${r.alerts.opened} opened (${on.before.rules.alerts.opened} of them before the load: daily rules on the reference data), ${r.alerts.updated} updates, ${r.alerts.flushes} flushes, ${r.alerts.failedFlushes} failed; ${r.open_alerts} open: ${on.byRule}`);
  for (const x of offs) if (x.after.rules.alerts.opened > 0 || x.after.rules.errors > 0) console.log(`  rules off opened ${x.after.rules.alerts.opened} alerts (${x.byRule}), ${x.after.rules.errors} errors`);
  for (const x of ons) if (x.after.rules.errors > 0 || x.after.rules.alerts.failedFlushes > 0) console.log(`  rules on: ${x.after.rules.errors} errors, ${x.after.rules.alerts.failedFlushes} failed alert flushes`);
}

async function alertToWall(): Promise<void> {
  if (!existsSync('public/build/index.html')) throw new Error('public/build is missing: run `npx vite build` first');
  const ref = demoDayReference(QUIET);
  const traced = ref.skus.find((s) => s.traced && ref.batches.some((b) => b.sku_id === s.sku_id))!;
  const batch = ref.batches.find((b) => b.sku_id === traced.sku_id)!;
  const [whA, whB] = ref.warehouses;
  // Enough background for the whole run (≈ 1.2 s an alert); what is left over is not sent.
  const day = demoDay(BACKGROUND * (20 + ALERTS * 1.2), QUIET);
  const server = await startServer(PORT);
  const quiet = await waitQuiet(server.child.pid!);
  const browser = await launchChromium();
  const stop = new AbortController();
  let background: Promise<unknown> = Promise.resolve();
  try {
    await uploadReference(server.url, INGEST, ref);
    let ranOut = false; // every generated event sent before the last alert
    const bgRun = postAll(server.url, demoBatches(day, BATCH, Date.now()), { concurrency: CONCURRENCY, rate: BACKGROUND, signal: stop.signal }).then((r) => {
      ranOut = !stop.signal.aborted;
      return r;
    });
    background = bgRun;

    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    const errors = watchErrors(page);
    await page.goto(`${server.url}/screens/compliance?token=${ADMIN}`);
    const feed = page.locator('[data-widget=alerts] rx-alert-feed');
    await feed.and(page.locator(':not([state=loading])')).waitFor({ timeout: 20_000 });
    // In the page: when each alert row first entered the feed's DOM, and the first animation frame after.
    await feed.evaluate((el) => {
      const rows = new Map<string, { text: string; dom: number; frame: number }>();
      (window as unknown as { __rows: typeof rows }).__rows = rows;
      const root = el.shadowRoot!;
      // No named functions in here: tsx would wrap them in a helper the page does not have.
      new MutationObserver(() => {
        for (const li of root.querySelectorAll<HTMLElement>('[data-alert]')) {
          const id = li.dataset.alert!;
          if (rows.has(id)) continue;
          const row = { text: li.textContent ?? '', dom: Date.now(), frame: 0 };
          rows.set(id, row);
          requestAnimationFrame(() => (row.frame = Date.now()));
        }
      }).observe(root, { childList: true, subtree: true });
    });

    const drawn: number[] = [], inDom: number[] = [], acked: number[] = [], misses: string[] = [];
    for (let i = 0; i < ALERTS; i++) {
      const code = `9${String(Date.now()).padStart(14, '0')}${String(i).padStart(5, '0')}`; // 20 digits, new each time
      const scan = (k: number, warehouse_id: string) => JSON.stringify({ event_id: `rules-bench-${code}-${k}`, type: 'trace.scan', ts: Date.now(), code,
        sku_id: traced.sku_id, batch_no: batch.batch_no, warehouse_id, direction: 'out' });
      const body = `${scan(0, whA.warehouse_id)}\n${scan(1, whB.warehouse_id)}`;
      const sent = Date.now();
      const res = await post(server.url, body);
      if (res.status !== 200) throw new Error(`ingest answered ${res.status}: ${JSON.stringify(await res.json())}`);
      acked.push(Date.now() - sent);
      // The feed shows the entity in words (`追溯码 <code>`): the code itself identifies the row.
      const row = await page.waitForFunction((c) => [...(window as unknown as { __rows: Map<string, { text: string; dom: number; frame: number }> }).__rows.values()]
        .find((r) => r.text.includes(c) && r.frame > 0), code, { timeout: MISS_MS, polling: 10 }).then((h) => h.jsonValue(), () => null);
      if (row) {
        inDom.push(row.dom - sent);
        drawn.push(row.frame - sent);
      } else {
        const alert = (await getJson<{ entity: string; first_seen: string }[]>(`${server.url}/api/v1/alerts?rule=TRACE_CODE_DUPLICATE`, ADMIN)).find((a) => a.entity === `trace:${code}`);
        const feedRows = await feed.evaluate((el) => el.shadowRoot!.querySelectorAll('[data-alert]').length);
        misses.push(`#${i}: ${alert ? `alert opened (first_seen ${alert.first_seen})` : 'no alert'}, ${feedRows} rows in the feed`);
      }
      await sleep(50 + Math.random() * 200); // a varied phase against the background batches and the alert flush timer
    }
    stop.abort();
    const bg = await bgRun;
    const h = await health(server);
    const s = summary(drawn), d = summary(inDom), a = summary(acked);
    console.log(`event → alert on the wall over ${s.n} alerts: 2 outbound scans of a new trace code in one POST (TRACE_CODE_DUPLICATE, critical)`);
    console.log(`  → its row drawn in the compliance feed (Chromium, 1920×1080), background ${fmt(bg.accepted / bg.seconds)} events/s of the generated day, violations off${quiet ? '' : ' (the machine was busy with other processes at the start)'}:`);
    console.log(`  p50 ${fmt(s.p50)} ms  p90 ${fmt(s.p90)} ms  p99 ${fmt(s.p99)} ms  max ${fmt(s.max)} ms`);
    console.log(`  (row in the DOM: p50 ${fmt(d.p50)} ms, p99 ${fmt(d.p99)} ms; POST acked: p50 ${fmt(a.p50)} ms, p99 ${fmt(a.p99)} ms; background batch ack p99 ${fmt(summary(bg.latencies).p99)} ms)`);
    if (ranOut) console.log(`  the background ran out of events before the last alert (${fmt(bg.accepted)} sent): later alerts had none`);
    if (misses.length) console.log(`  not drawn within ${MISS_MS / 1000} s: ${misses.length} (${misses.join('; ')})`);
    console.log(`  alerts opened ${h.rules.alerts.opened} (${await alertsByRule(server)}), rules errors ${h.rules.errors}, failed alert flushes ${h.rules.alerts.failedFlushes}${errors.length ? `; page errors: ${errors.slice(0, 3).join(' | ')}` : ''}`);
  } finally {
    stop.abort();
    await background.catch(() => undefined); // its failure matters only when nothing else failed first
    await browser.close();
    await server.stop();
  }
}

if (ONLY !== 'alert') await cost();
if (ONLY !== 'cost') await alertToWall();

// Fan-out: `clients` concurrent socket.io clients (spread over `procs` worker processes, bench/fanout-client.ts)
// each subscribed to the war-room screen's metrics, while paid orders arrive at `rate` per second. Measures
// the issue's three claims:
//   - server heap with every client connected ≤ 150 MB above idle. Two live-heap estimates from /api/v1/health
//     `process.heap_used_bytes`: the minimum of a few samples 1 s apart (a single sample includes garbage; an
//     idle server may not collect for a while, so this is an upper bound), and the heap right after a forced
//     full GC (the server runs with --expose-gc and a one-line preload calling gc() on SIGWINCH);
//   - every client gets every update: per client and subscription, the last seq equals the server's final seq,
//     the updates counted equal final seq − snapshot seq, no gaps; the value held (whole values and deltas
//     applied) equals the server's, and sales.gmv equals GET /api/v1/metrics/sales.gmv;
//   - ClickHouse work independent of the number of clients: the hub's computations per second (one query each)
//     against distinct subscriptions × the observed update rate per subscription.
// The server runs in a child process (bench/lib.ts), on the same 2 cores as the workers.
// Usage: npx tsx bench/fanout.ts [clients=10000 procs=4 seconds=30 rate=2 ramp=100]
//   ramp = sockets opened per 30 ms over all workers. Needs `ulimit -n` ≥ clients + 1024 (the server holds one
//   descriptor per client).
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { io } from 'socket.io-client';
import { ADMIN, post, startServer, summary } from './lib.ts';
import { ask, closeWorkers, metricValue, nextMessage, paidOrder, warRoomMetrics, WORKER_PATH, type BenchSocket, type ReadyMessage, type ReportMessage, type WireReply } from './fanout-client.ts';

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.split('=')));
const CLIENTS = Number(args.clients ?? 10_000);
const PROCS = Math.max(1, Math.min(Number(args.procs ?? 4), CLIENTS));
const SECONDS = Number(args.seconds ?? 30);
const RATE = Number(args.rate ?? 2);
const RAMP = Number(args.ramp ?? 100);
const PORT = 3903;
const HEAP_LIMIT_MB = 150;
const METRICS = warRoomMetrics();

interface Health {
  push: { sockets?: number; subscriptions: number; computations: number; updates: number; failures: number };
  process?: { heap_used_bytes: number; rss_bytes: number };
}

const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Descriptors: the server needs one per client, each worker one per client it holds; children inherit ours.
const fdLimit = Number(execFileSync('sh', ['-c', 'ulimit -n']).toString().trim());
if (Number.isFinite(fdLimit) && fdLimit < CLIENTS + 1_024) {
  console.error(`ulimit -n is ${fdLimit}: ${CLIENTS} clients need at least ${CLIENTS + 1_024} open files in the server process.`);
  console.error(`Raise it in this shell (e.g. \`ulimit -n 65536\`, up to the hard limit \`ulimit -Hn\`) or use fewer clients.`);
  process.exit(1);
}

async function health(url: string): Promise<Health> {
  return (await (await fetch(`${url}/api/v1/health`, { headers: { authorization: `Bearer ${ADMIN}` } })).json()) as Health;
}

interface HeapFigures {
  /** Minimum heap_used over samples 1 s apart, and the rss of that sample. */
  heap: number;
  rss: number;
  /** heap_used just after a forced full GC. */
  afterGc: number;
}

/** Live-heap estimates: the minimum heap_used over `n` samples 1 s apart, then the heap after a forced GC. */
async function heapSample(url: string, n = 5): Promise<HeapFigures> {
  let best = { heap: Infinity, rss: 0 };
  for (let i = 0; i < n; i++) {
    if (i > 0) await sleep(1_000);
    const p = (await health(url)).process;
    if (!p) throw new Error('/api/v1/health has no `process` section (heap_used_bytes, rss_bytes)');
    if (p.heap_used_bytes < best.heap) best = { heap: p.heap_used_bytes, rss: p.rss_bytes };
  }
  let afterGc = Infinity;
  for (let i = 0; i < 2; i++) {
    server.child.kill('SIGWINCH');
    await sleep(1_000);
    afterGc = Math.min(afterGc, (await health(url)).process!.heap_used_bytes);
  }
  return { ...best, afterGc };
}

// gc() on SIGWINCH in the server (a data: URL preload without spaces: lib.ts splits BENCH_NODE_ARGS on them).
process.env.BENCH_NODE_ARGS = [process.env.BENCH_NODE_ARGS ?? '', '--expose-gc', "--import=data:text/javascript,process.on('SIGWINCH',()=>gc())"].join(' ');
const server = await startServer(PORT);
const workers: ChildProcess[] = [];
let checker: BenchSocket | null = null;
try {
  const idle = await heapSample(server.url);

  // Workers: clients/procs sockets each, ramped together at RAMP sockets per 30 ms overall.
  const rampStarted = Date.now();
  for (let i = 0; i < PROCS; i++) {
    const n = Math.floor(CLIENTS / PROCS) + (i < CLIENTS % PROCS ? 1 : 0);
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', WORKER_PATH, `url=${server.url}`, `token=${ADMIN}`, `child=${i}`, `clients=${n}`, `ramp=${Math.max(1, Math.round(RAMP / PROCS))}`, 'mode=fanout', `metrics=${METRICS.join(',')}`],
      { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
    );
    workers.push(child);
  }
  const ready: ReadyMessage[] = await Promise.all(workers.map((w) => nextMessage(w, 'ready', 600_000)));
  const rampSeconds = (Date.now() - rampStarted) / 1000;
  const subscribed = ready.reduce((s, r) => s + r.subscribed, 0);
  const readyErrors: Record<string, number> = {};
  for (const r of ready) for (const [k, v] of Object.entries(r.errors)) readyErrors[k] = (readyErrors[k] ?? 0) + v;

  const loaded = await health(server.url);
  const withClients = await heapSample(server.url);

  // Paid orders at RATE per second (one event a post, sent on schedule without waiting for the previous one).
  const gmvBefore = Number(await metricValue(server.url, ADMIN, 'sales.gmv'));
  const h0 = await health(server.url);
  const total = Math.round(RATE * SECONDS);
  const postLatencies: number[] = [];
  const posts: Promise<void>[] = [];
  let postedFen = 0;
  const t0 = performance.now();
  for (let i = 0; i < total; i++) {
    await sleep(Math.max(0, t0 + (i * 1000) / RATE - performance.now()));
    const fen = 1_000 + i;
    postedFen += fen;
    const sent = performance.now();
    posts.push(
      post(server.url, paidOrder(`fanout-${i}`, fen)).then((res) => {
        if (res.status !== 200) throw new Error(`ingest answered ${res.status}`);
        postLatencies.push(performance.now() - sent);
      }),
    );
  }
  await Promise.all(posts);
  const postSeconds = total / RATE; // the window the posts were spread over
  await sleep(2_000); // the last projection and recomputation, and the messages in flight
  const h1 = await health(server.url);
  const afterUpdates = await heapSample(server.url);

  // The server's final seq and value per subscription, from one more socket, around the workers' reports
  // (again if a seq moved meanwhile, e.g. orders_per_minute at a minute boundary).
  checker = io(server.url, { auth: { token: ADMIN }, transports: ['websocket'], forceNew: true, reconnection: false }) as BenchSocket;
  const c = checker;
  await new Promise<void>((resolve, reject) => {
    c.once('connect', () => resolve());
    c.once('connect_error', reject);
  });
  const snapshot = async (): Promise<WireReply[]> =>
    Promise.all(METRICS.map((metric) => c.timeout(15_000).emitWithAck('metric:subscribe', { metric, params: {} })));
  let finals: WireReply[] = [];
  let reports: ReportMessage[] = [];
  for (let attempt = 0; attempt < 3; attempt++) {
    finals = await snapshot();
    reports = await Promise.all(workers.map((w) => ask(w, { type: 'report' }, 'report')));
    const again = await snapshot();
    if (again.every((r, i) => r.seq === finals[i].seq)) break;
    await sleep(1_000);
  }
  const restGmv = await metricValue(server.url, ADMIN, 'sales.gmv');

  // ---- figures ----
  const push0 = h0.push;
  const push1 = h1.push;
  const computations = push1.computations - push0.computations;
  const updates = push1.updates - push0.updates;
  const subs = loaded.push.subscriptions;
  const perSubRate = updates / subs / postSeconds;
  const connected = reports.reduce((s, r) => s + r.connected, 0);
  const disconnects: Record<string, number> = {};
  for (const r of reports) for (const [k, v] of Object.entries(r.disconnects)) disconnects[k] = (disconnects[k] ?? 0) + v;

  console.log(`fan-out: ${CLIENTS} socket.io clients in ${PROCS} processes on the war-room metrics (${METRICS.join(', ')}); ${RATE} paid orders/s for ${SECONDS} s`);
  console.log(`  clients: ${subscribed}/${CLIENTS} subscribed to all ${METRICS.length} metrics (ramp ${rampSeconds.toFixed(1)} s), ${connected} still connected at the end; server sockets ${loaded.push.sockets ?? '?'}, distinct subscriptions ${subs}`);
  if (Object.keys(readyErrors).length) console.log(`    failed to connect or subscribe: ${JSON.stringify(readyErrors)}`);
  if (Object.keys(disconnects).length) console.log(`    disconnects during the run: ${JSON.stringify(disconnects)}`);
  const heapLine = (what: string, pick: (h: HeapFigures) => number) => {
    const delta = pick(withClients) - pick(idle);
    const deltaAfter = pick(afterUpdates) - pick(idle);
    const verdict = Math.max(delta, deltaAfter) <= HEAP_LIMIT_MB * 2 ** 20 ? 'within' : 'OVER';
    console.log(
      `  server heap, ${what}: idle ${mb(pick(idle))} MB, with all clients ${mb(pick(withClients))} MB (+${mb(delta)} MB, ${(delta / Math.max(1, subscribed) / 1024).toFixed(1)} KB a client), after the updates ${mb(pick(afterUpdates))} MB (+${mb(deltaAfter)} MB): ${verdict} +${HEAP_LIMIT_MB} MB`,
    );
  };
  heapLine('min of heap_used over 5 samples 1 s apart (upper bound: an idle server may not have collected yet)', (h) => h.heap);
  heapLine('after a forced full GC', (h) => h.afterGc);
  console.log(`  server rss: idle ${mb(idle.rss)} MB, with all clients ${mb(withClients.rss)} MB, after the updates ${mb(afterUpdates.rss)} MB`);

  let allGood = true;
  let delivered = 0;
  let gapsTotal = 0;
  const lines: string[] = [];
  METRICS.forEach((metric, i) => {
    const final = finals[i];
    const finalSeq = final.seq ?? NaN;
    const finalJson = JSON.stringify(final.value);
    let holders = 0;
    let atFinal = 0;
    let complete = 0;
    let gaps = 0;
    let updatesSeen = 0;
    let sameValue = 0;
    let unknown = 0;
    let minSnap = Infinity;
    for (const r of reports) {
      const k = r.keys[i];
      for (let j = 0; j < k.snapSeq.length; j++) {
        if (k.snapSeq[j] === 0) continue;
        holders++;
        minSnap = Math.min(minSnap, k.snapSeq[j]);
        if (k.lastSeq[j] === finalSeq) atFinal++;
        if (k.gaps[j] === 0 && k.updates[j] === k.lastSeq[j] - k.snapSeq[j]) complete++;
        gaps += k.gaps[j];
        updatesSeen += k.updates[j];
      }
      sameValue += k.values[finalJson] ?? 0;
      unknown += k.unknownValues;
    }
    delivered += updatesSeen;
    gapsTotal += gaps;
    const ok = holders === subscribed && atFinal === holders && complete === holders && sameValue + unknown === holders;
    allGood &&= ok;
    lines.push(
      `    ${metric}: server seq ${finalSeq} (snapshots from seq ${minSnap}); ${atFinal}/${holders} clients at the final seq, ${complete}/${holders} with every update and no gap, ${gaps} seqs missed; value equal to the server's: ${unknown ? `${sameValue}/${holders - unknown} (${unknown} not compared: a delta came after a gap)` : `${sameValue}/${holders}`}`,
    );
  });
  const gmvOk = JSON.stringify(finals[METRICS.indexOf('sales.gmv')]?.value) === JSON.stringify(restGmv) && Number(restGmv) === gmvBefore + postedFen;
  allGood &&= gmvOk;
  console.log(`  every client got every update: ${allGood && subscribed === CLIENTS ? 'yes' : allGood ? `every subscribed client did, but ${CLIENTS - subscribed} of ${CLIENTS} never subscribed` : 'NO'}`);
  for (const l of lines) console.log(l);
  console.log(`    sales.gmv pushed ${JSON.stringify(finals[METRICS.indexOf('sales.gmv')]?.value)}, GET /api/v1/metrics/sales.gmv ${JSON.stringify(restGmv)}, expected ${gmvBefore + postedFen}: ${gmvOk ? 'equal' : 'DIFFERENT'}`);
  console.log(`  messages delivered: ${delivered} updates (${Math.round(delivered / postSeconds)}/s over the clients), ${gapsTotal} seqs missed, ${reports.reduce((s, r) => s + r.stale, 0)} duplicates`);
  console.log(
    `  ClickHouse: ${computations} computations in ${postSeconds.toFixed(0)} s = ${(computations / postSeconds).toFixed(2)} queries/s; distinct subscriptions ${subs} × update rate ${perSubRate.toFixed(2)}/s a subscription = ${(subs * perSubRate).toFixed(2)}/s (${updates} updates, ${computations - updates} computations without a change, ${push1.failures - push0.failures} failures)`,
  );
  const lat = summary(postLatencies);
  console.log(`  ingest while fanning out: ${total} posts, p50 ${lat.p50.toFixed(0)} ms  p99 ${lat.p99.toFixed(0)} ms  max ${lat.max.toFixed(0)} ms`);
} finally {
  checker?.close();
  await closeWorkers(workers);
  // stop() waits for the exit: only if the server is still there (it leaves its temp data dir otherwise).
  if (server.child.exitCode === null && server.child.signalCode === null) await server.stop();
  else console.error(`the server exited early (code ${server.child.exitCode}, signal ${server.child.signalCode})`);
}

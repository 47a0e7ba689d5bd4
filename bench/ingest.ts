// Ingest throughput and latency against a real server on chDB (in a child process), every answer
// acknowledged only when durable.
//   batch  (default): NDJSON batches of 1,000 mixed events of a generated 双11 day, `concurrency` posts at once
//   single: `clients` concurrent clients each posting single-event requests back to back (saturation)
//   burst:  rounds of `clients` single-event POSTs sent at once, a pause between rounds (group commit at work)
// Usage: npx tsx bench/ingest.ts [mode=batch|single|burst] [events=200000] [concurrency=4] [clients=500] [rounds=20]
import { demoEventsForSecond } from './day.ts';
import { businessDate, dayRange } from '../server/time.ts';
import { post, startServer, summary } from './lib.ts';

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.split('=')));
const MODE = args.mode ?? 'batch';
const EVENTS = Number(args.events ?? (MODE === 'batch' ? 200_000 : 50_000));
const CONCURRENCY = Number(args.concurrency ?? 4);
const CLIENTS = Number(args.clients ?? 500);
const BATCH = 1_000;
const ROUNDS = Number(args.rounds ?? 20);

/** Mixed events of a busy day (today's, from 00:00 Shanghai: live ingest, not a replay), as NDJSON lines. */
function generate(n: number): string[] {
  const lines: string[] = [];
  const today = dayRange(businessDate(Date.now(), 'Asia/Shanghai'), 'Asia/Shanghai').fromMs / 1000;
  for (let s = today; lines.length < n; s++) {
    for (const e of demoEventsForSecond({ seed: 'bench', tz: 'Asia/Shanghai', ratePerSecond: 30 }, s)) lines.push(JSON.stringify(e));
  }
  return lines.slice(0, n);
}

const lines = generate(EVENTS);
const server = await startServer(3901);
try {
  const latencies: number[] = [];
  let accepted = 0;
  const started = performance.now();
  if (MODE === 'burst') {
    for (let round = 0; round < ROUNDS; round++) {
      await Promise.all(
        lines.slice(round * CLIENTS, (round + 1) * CLIENTS).map(async (body) => {
          const t0 = performance.now();
          const res = await post(server.url, body);
          const json = (await res.json()) as { accepted: number };
          if (res.status !== 200) throw new Error(`ingest answered ${res.status}`);
          latencies.push(performance.now() - t0);
          accepted += json.accepted;
        }),
      );
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  // Each worker posts bodies until none is left: batches of 1,000 lines, or single events.
  const bodies = MODE === 'burst' ? [] : MODE === 'batch' ? Array.from({ length: Math.ceil(lines.length / BATCH) }, (_, i) => lines.slice(i * BATCH, (i + 1) * BATCH).join('\n')) : lines;
  let next = 0;
  await Promise.all(
    Array.from({ length: MODE === 'batch' ? CONCURRENCY : CLIENTS }, async () => {
      while (next < bodies.length) {
        const body = bodies[next++];
        const t0 = performance.now();
        const res = await post(server.url, body);
        const json = (await res.json()) as { accepted: number };
        if (res.status !== 200) throw new Error(`ingest answered ${res.status}: ${JSON.stringify(json)}`);
        latencies.push(performance.now() - t0);
        accepted += json.accepted;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000 - (MODE === 'burst' ? ROUNDS * 0.2 : 0);
  // Acknowledged is durable in the log; screens see an event once the projector has fanned it out.
  for (;;) {
    const h = (await (await fetch(`${server.url}/api/v1/health`)).json()) as { projection: { events: number } };
    if (h.projection.events >= accepted) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const projectedSeconds = (performance.now() - started) / 1000 - (MODE === 'burst' ? ROUNDS * 0.2 : 0);
  const lat = summary(latencies);
  const health = (await (await fetch(`${server.url}/api/v1/health`)).json()) as { ingest: { commits: number } };
  const what = {
    batch: `${accepted} mixed events (all streams) in NDJSON batches of ${BATCH}, ${CONCURRENCY} posts at once`,
    single: `${accepted} single-event posts from ${CLIENTS} concurrent clients, back to back`,
    burst: `${ROUNDS} rounds of ${CLIENTS} single-event posts sent at once (${accepted} events)`,
  }[MODE as 'batch' | 'single' | 'burst'];
  console.log(`ingest: ${what}`);
  console.log(`  throughput: ${Math.round(accepted / seconds)} events/s durable-acked (${seconds.toFixed(1)} s, ${health.ingest.commits} group commits)`);
  console.log(`  projected (visible to metrics): all ${accepted} after ${projectedSeconds.toFixed(1)} s = ${Math.round(accepted / projectedSeconds)} events/s`);
  console.log(`  request latency ms: p50 ${lat.p50.toFixed(1)}  p90 ${lat.p90.toFixed(1)}  p99 ${lat.p99.toFixed(1)}  max ${lat.max.toFixed(1)}`);
} finally {
  await server.stop();
}

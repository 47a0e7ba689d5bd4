// Ingest throughput and latency against a real server on chDB (in a child process), every answer
// acknowledged only when durable.
//   batch  (default): NDJSON batches of 1,000 mixed events of a generated 双11 day, `concurrency` posts at once
//   single: `clients` concurrent clients each posting single-event requests back to back (saturation)
//   burst:  rounds of `clients` single-event POSTs sent at once, a pause between rounds (group commit at work)
// Usage: npx tsx bench/ingest.ts [mode=batch|single|burst] [events=200000] [concurrency=4] [clients=500] [rounds=20]
import { demoBatches, demoDay } from './day.ts';
import { getJson, postAll, startServer, summary, waitProjected } from './lib.ts';

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.split('=')));
const MODE = args.mode ?? 'batch';
const EVENTS = Number(args.events ?? (MODE === 'batch' ? 200_000 : 50_000));
const CONCURRENCY = Number(args.concurrency ?? 4);
const CLIENTS = Number(args.clients ?? 500);
const BATCH = 1_000;
const ROUNDS = Number(args.rounds ?? 20);

// Batches of 1,000 lines, or single events.
const bodies = demoBatches(demoDay(EVENTS), MODE === 'batch' ? BATCH : 1);
const server = await startServer(3901);
try {
  const latencies: number[] = [];
  let accepted = 0;
  let seconds = 0;
  const started = performance.now();
  const run = async (list: typeof bodies, concurrency: number): Promise<void> => {
    const r = await postAll(server.url, list, { concurrency });
    latencies.push(...r.latencies);
    accepted += r.accepted;
    seconds += r.seconds;
  };
  if (MODE === 'burst') {
    for (let round = 0; round < ROUNDS; round++) {
      await run(bodies.slice(round * CLIENTS, (round + 1) * CLIENTS), CLIENTS);
      await new Promise((r) => setTimeout(r, 200));
    }
  } else {
    // Each worker posts bodies until none is left.
    await run(bodies, MODE === 'batch' ? CONCURRENCY : CLIENTS);
  }
  // Acknowledged is durable in the log; screens see an event once the projector has fanned it out.
  await waitProjected(server.url, accepted);
  const projectedSeconds = (performance.now() - started) / 1000 - (MODE === 'burst' ? ROUNDS * 0.2 : 0);
  const lat = summary(latencies);
  const health = await getJson<{ ingest: { commits: number } }>(`${server.url}/api/v1/health`);
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

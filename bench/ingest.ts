// Ingest throughput: NDJSON batches of 1,000 order.paid events (1–4 lines each, from the demo catalogue)
// posted to a real server on chDB, each acknowledged only when durable. Prints events/s and batch latency.
// Usage: npm run bench:ingest [-- batches=200 concurrency=4]
import { demoOrderEventsForSecond } from '../streams/orders/demo.ts';
import { post, startServer, summary } from './lib.ts';

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.split('=')));
const BATCHES = Number(args.batches ?? 200);
const CONCURRENCY = Number(args.concurrency ?? 4);
const BATCH = 1_000;

// Realistic paid orders: take the demo generator's order.paid events of a busy day.
const paidEvents: string[] = [];
for (let s = Date.parse('2026-11-11T00:00:00+08:00') / 1000; paidEvents.length < BATCHES * BATCH; s++) {
  for (const e of demoOrderEventsForSecond({ seed: 'bench', tz: 'Asia/Shanghai', ratePerSecond: 50 }, s)) {
    if (e.type === 'order.paid') paidEvents.push(JSON.stringify(e));
  }
}
const bodies = Array.from({ length: BATCHES }, (_, i) => paidEvents.slice(i * BATCH, (i + 1) * BATCH).join('\n'));

const server = await startServer(3901);
try {
  const latencies: number[] = [];
  let next = 0;
  let accepted = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
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
  const seconds = (performance.now() - started) / 1000;
  const lat = summary(latencies);
  console.log(`ingest: ${accepted} order.paid events in ${BATCHES} NDJSON batches of ${BATCH}, concurrency ${CONCURRENCY}`);
  console.log(`  throughput: ${Math.round(accepted / seconds)} events/s (durable-acked), ${(seconds).toFixed(1)} s`);
  console.log(`  batch latency ms: p50 ${lat.p50.toFixed(0)}  p90 ${lat.p90.toFixed(0)}  p99 ${lat.p99.toFixed(0)}  max ${lat.max.toFixed(0)}`);
  // Retrying everything must count nothing twice.
  const retry = await post(server.url, bodies[0]);
  console.log(`  retry of a stored batch: ${JSON.stringify(await retry.json())}`);
} finally {
  await server.stop();
}

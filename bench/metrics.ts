// Metric query times on a day of ~5 million events (chDB, in-process, same code as the server). Generates
// the demo day into a data directory (kept for re-runs with dir=…), then runs every metric of the catalogue
// `runs` times with its default params and prints p50/p99 per metric.
// Usage: npx tsx bench/metrics.ts [events=5000000] [runs=30] [dir=/tmp/rxpulse-bench-day] [date=2026-11-11]
import { mkdirSync } from 'node:fs';
import { buildApp } from '../server/app.ts';
import { loadConfig } from '../server/config.ts';
import { validateEvents } from '../server/ingest/validate.ts';
import { METRICS } from '../server/metrics/index.ts';
import { evaluate } from '../server/metrics/run.ts';
import { dayRange } from '../server/time.ts';
import { demoEventsForSecond, DEMO_EVENTS_PER_ORDER } from './day.ts';
import { summary } from './lib.ts';

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.split('=')));
const EVENTS = Number(args.events ?? 5_000_000);
const RUNS = Number(args.runs ?? 30);
const DIR = args.dir ?? '/tmp/rxpulse-bench-day';
const DATE = args.date ?? '2026-11-11';
const TZ = 'Asia/Shanghai';

mkdirSync(DIR, { recursive: true });
const { fromMs, toMs } = dayRange(DATE, TZ);
const clock = { now: () => toMs - 10_000 }; // 23:59:50 of that day: the whole day is "today"
const config = loadConfig({ RXPULSE_DATA_DIR: DIR, RXPULSE_DEMO: 'off', RXPULSE_ADMIN_TOKEN: 'bench-admin-token-0123456789', RXPULSE_INGEST_TOKEN: 'bench-ingest-token-0123456789' });
const app = await buildApp(config, { logger: false, clock });
await app.ready();

const countRs = await app.storage.read.query({ query: `SELECT count() AS n FROM ${app.storage.db}.events`, format: 'JSONEachRow' });
const stored = Number((await countRs.json<{ n: string }>())[0].n);
if (stored < EVENTS * 0.95) {
  const rate = EVENTS / DEMO_EVENTS_PER_ORDER / 86_400;
  console.log(`generating ${DATE} at ${rate.toFixed(1)} paid orders/s (≈ ${EVENTS} events)…`);
  const started = performance.now();
  let batch: unknown[] = [];
  let total = 0;
  for (let s = fromMs / 1000; s < toMs / 1000; s++) {
    for (const e of demoEventsForSecond({ seed: 'bench-day', tz: TZ, ratePerSecond: rate }, s)) batch.push(e);
    if (batch.length >= 20_000) {
      const v = validateEvents(batch, Date.now());
      if (!v.ok) throw new Error(JSON.stringify(v.errors.slice(0, 3)));
      await app.writer.submit(v.events);
      total += batch.length;
      batch = [];
    }
  }
  if (batch.length) {
    const v = validateEvents(batch, Date.now());
    if (!v.ok) throw new Error(JSON.stringify(v.errors.slice(0, 3)));
    await app.writer.submit(v.events);
    total += batch.length;
  }
  await app.projector.barrier();
  const seconds = (performance.now() - started) / 1000;
  console.log(`  ${total} events in ${seconds.toFixed(0)} s (${Math.round(total / seconds)} events/s in-process, durable, projected)`);
}

const ctx = { storage: app.storage, tz: TZ, clock };
console.log(`\nmetric query time over ${RUNS} runs (ms), day ${DATE}:`);
const misses: string[] = [];
for (const def of METRICS.values()) {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    await evaluate(def, {}, ctx);
    times.push(performance.now() - t);
  }
  const s = summary(times);
  if (s.p99 > 20) misses.push(def.id);
  console.log(`  ${def.id.padEnd(36)} p50 ${s.p50.toFixed(1).padStart(6)}  p99 ${s.p99.toFixed(1).padStart(6)}${s.p99 > 20 ? '  > 20 ms' : ''}`);
}
console.log(misses.length ? `\nover 20 ms at p99: ${misses.join(', ')}` : '\nall metrics ≤ 20 ms at p99');
await app.close();

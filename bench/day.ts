// The generated day the benchmarks ingest: every stream of the demo, from 00:00 of today (Shanghai) — live
// ingest, not a replay — with its reference data.
import { businessDate } from '../server/time.ts';
import {
  demoEventsForSecond, demoReference, dayStartSecond, zoneFor, REFERENCE_ORDER, type DemoEvent, type DemoOptions, type DemoReference, type Violations,
} from '../streams/demo/index.ts';
import { stamper } from '../streams/demo/time.ts';
import { NdjsonBatcher, putReference, sleep, type Batch } from '../streams/demo/upload.ts';

export { demoEventsForSecond };
/** Average events per paid order in the generated day (orders, rx, inventory, trace, sensors, live). */
export const DEMO_EVENTS_PER_ORDER = 8;

const TZ = 'Asia/Shanghai';
/** The day's options: 30 paid orders/s on average (≈ 720 events per second of demo time after midnight). */
const dayOptions = (violations?: Partial<Violations>): DemoOptions => ({ seed: 'bench', tz: TZ, ratePerSecond: 30, violations });

export interface DemoSecond {
  second: number;
  events: DemoEvent[];
}

/** The first `n` events of today's generated day, by epoch second; `violations` as in DemoOptions. */
export function demoDay(n: number, violations?: Partial<Violations>): DemoSecond[] {
  const opts = dayOptions(violations);
  const out: DemoSecond[] = [];
  let count = 0;
  for (let s = dayStartSecond(TZ, businessDate(Date.now(), TZ)); count < n; s++) {
    const events = demoEventsForSecond(opts, s).slice(0, n - count);
    count += events.length;
    if (events.length > 0) out.push({ second: s, events });
  }
  return out;
}

/**
 * NDJSON batches of `perBatch` events of `day`. With `startMs`, every ts moves by the same whole number of
 * seconds so that the day's first second is startMs's: live ingest (event times from the wall clock on, ahead
 * of it at benchmark rates; alerts first seen "now"), not a catch-up of the hours since midnight.
 */
export function demoBatches(day: readonly DemoSecond[], perBatch: number, startMs?: number): Batch[] {
  const zone = zoneFor(TZ);
  const shift = startMs === undefined || day.length === 0 ? 0 : Math.floor(startMs / 1000) - day[0].second;
  const batcher = new NdjsonBatcher(perBatch);
  const out: Batch[] = [];
  for (const { second, events } of day) {
    // A demo ts is `YYYY-MM-DDTHH:MM:SS.mmm±hh:mm` inside its second: only the second changes.
    const stamp = shift === 0 ? null : stamper(zone, second + shift);
    for (const e of events) {
      const full = batcher.add(stamp ? { ...e, ts: stamp(Number(e.ts.slice(20, 23))) } : e);
      if (full) out.push(full);
    }
  }
  const last = batcher.take();
  if (last) out.push(last);
  return out;
}

/** Today's reference data of the generated day (SKUs, shops, warehouses, batches, sensors, targets). */
export function demoDayReference(violations?: Partial<Violations>): DemoReference {
  return demoReference(dayOptions(violations), businessDate(Date.now(), TZ));
}

/** Stores reference data kind by kind, as the demo CLI does; the rows stored. */
export async function uploadReference(url: string, token: string, ref: DemoReference): Promise<number> {
  const deps = { fetch, sleep, log: (line: string) => console.error(line) };
  let rows = 0;
  for (const kind of REFERENCE_ORDER) rows += await putReference({ url, token, retries: 3 }, deps, kind, ref[kind]);
  return rows;
}

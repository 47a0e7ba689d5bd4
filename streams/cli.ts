// Streams the demo 双11 day into a running RxPulse server: uploads the day's reference data, then posts every
// stream's events as NDJSON batches, live (speed 1 on today: catch up from --from, then follow the clock) or
// replaying a day at N× speed. Safe to stop and start again: event ids make every resend a duplicate.
//   npx tsx streams/cli.ts --url http://127.0.0.1:3000 --token <ingest token> [--rate 3] [--seed rxpulse]
//     [--date 2026-11-11] [--speed 1|N|max] [--from HH:MM|now] [--to HH:MM] [--tz Asia/Shanghai]
//     [--violations RULE=p,…] [--batch 5000] [--retries 20] [--no-reference] [--quiet]
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import {
  demoEventsForSecond, demoReference, openingReceipts, parseViolations, REFERENCE_ORDER, resolveOptions,
  type DemoOptions,
} from './demo/index.ts';
import { dateOfSecond, dayStartSecond, stamper, zoneFor } from './demo/time.ts';
import { NdjsonBatcher, postEvents, putReference, sleep, UploadError, type Batch, type Fetch, type UploadTarget } from './demo/upload.ts';

export const USAGE = 'usage: npx tsx streams/cli.ts --url http://host:port --token <ingest token> [--rate 3] [--seed rxpulse] '
  + '[--date YYYY-MM-DD] [--speed 1|N|max] [--from HH:MM|now] [--to HH:MM] [--tz Asia/Shanghai] [--violations RULE=p,…] '
  + '[--batch 5000] [--retries 20] [--no-reference] [--quiet]';

export interface CliDeps {
  log?: (line: string) => void;
  /** Wall clock, epoch ms. */
  now?: () => number;
  fetch?: Fetch;
  /** Aborting stops after the batch in hand is sent (Ctrl-C). */
  signal?: AbortSignal;
}

export interface CliSummary {
  date: string; from: string; to: string; seconds: number;
  events: number; accepted: number; duplicates: number; batches: number;
  /** Distinct orders whose order.paid was sent. */
  paidOrders: number;
  referenceRows: number;
  stopped: boolean;
}

interface Plan { opts: DemoOptions; date: string; startS: number; endS: number; speed: number; live: boolean;
  target: UploadTarget; batch: number; reference: boolean; quiet: boolean }

function clockTime(s: string, flag: string): number {
  const m = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(s);
  if (!m || Number(m[1]) > 24 || Number(m[2]) > 59 || Number(m[3] ?? 0) > 59) throw new RangeError(`${flag} must be HH:MM, got "${s}"`);
  return Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3] ?? 0);
}

function positive(raw: string | undefined, flag: string, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!(n > 0) || !Number.isFinite(n)) throw new RangeError(`${flag} must be a positive number, got "${raw}"`);
  return n;
}

export function parseCli(argv: readonly string[], nowMs: number): Plan {
  const { values: v } = parseArgs({ args: [...argv], strict: true, allowPositionals: false, options: {
    url: { type: 'string' }, token: { type: 'string' }, rate: { type: 'string' }, seed: { type: 'string' },
    date: { type: 'string' }, speed: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' },
    tz: { type: 'string' }, violations: { type: 'string' }, batch: { type: 'string' }, retries: { type: 'string' },
    'no-reference': { type: 'boolean' }, quiet: { type: 'boolean' },
  } });
  if (!v.url || !v.token) throw new RangeError('--url and --token are required');
  const opts: DemoOptions = { seed: v.seed ?? 'rxpulse', tz: v.tz ?? 'Asia/Shanghai', ratePerSecond: positive(v.rate, '--rate', 3),
    violations: v.violations ? parseViolations(v.violations) : undefined };
  const o = resolveOptions(opts); // checks seed, zone and rates before anything is sent
  const today = dateOfSecond(o.zone, Math.floor(nowMs / 1000));
  const date = v.date ?? today;
  const dayStart = dayStartSecond(o.tz, date); // throws on an impossible date
  const dayEnd = dayStartSecond(o.tz, new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10));
  const speed = v.speed === 'max' ? Infinity : positive(v.speed, '--speed', 1);
  const startS = v.from === 'now' ? Math.floor(nowMs / 1000) : dayStart + (v.from ? clockTime(v.from, '--from') : 0);
  const endS = v.to ? dayStart + clockTime(v.to, '--to') : dayEnd;
  if (!(startS >= dayStart && startS < endS && endS <= dayEnd)) throw new RangeError('--from must come before --to, inside the day');
  const batch = positive(v.batch, '--batch', 5000);
  if (!Number.isInteger(batch) || batch > 10_000) throw new RangeError('--batch must be an integer up to 10000');
  return { opts, date, startS, endS, speed, live: speed === 1 && date === today, batch,
    target: { url: v.url.replace(/\/+$/, ''), token: v.token, retries: Math.floor(positive(v.retries, '--retries', 20)) },
    reference: !v['no-reference'], quiet: v.quiet ?? false };
}

const hhmmss = (plan: Plan, s: number): string => {
  const d = s - dayStartSecond(plan.opts.tz, plan.date);
  return [Math.floor(d / 3600), Math.floor((d % 3600) / 60), d % 60].map((x) => String(x).padStart(2, '0')).join(':');
};

export async function main(argv: readonly string[], deps: CliDeps = {}): Promise<CliSummary> {
  const now = deps.now ?? Date.now;
  const log = deps.log ?? ((line: string) => console.log(line));
  const plan = parseCli(argv, now());
  const up = { fetch: deps.fetch ?? fetch, sleep, log, signal: deps.signal };
  const s: CliSummary = { date: plan.date, from: hhmmss(plan, plan.startS), to: hhmmss(plan, plan.endS), seconds: 0, events: 0,
    accepted: 0, duplicates: 0, batches: 0, paidOrders: 0, referenceRows: 0, stopped: false };
  const paid = new Set<string>();

  if (plan.reference) {
    const ref = demoReference(plan.opts, plan.date);
    for (const kind of REFERENCE_ORDER) s.referenceRows += await putReference(plan.target, up, kind, ref[kind]);
    log(`reference for ${plan.date}: ${s.referenceRows} rows (${REFERENCE_ORDER.join(', ')})`);
  }

  // One POST in flight while the next batch is generated; its failure surfaces at the next send.
  let inflight: Promise<void> = Promise.resolve();
  let failure: { error: unknown } | null = null;
  const settle = async (): Promise<void> => {
    await inflight;
    if (failure) throw failure.error;
  };
  const send = async (b: Batch | null): Promise<void> => {
    await settle();
    if (!b) return;
    inflight = postEvents(plan.target, up, b.body).then((r) => {
      s.accepted += r.accepted;
      s.duplicates += r.duplicates;
      s.batches++;
    }, (error: unknown) => { failure = { error }; });
  };
  const batcher = new NdjsonBatcher(plan.batch);
  const queue = async (events: ReadonlyArray<{ type: string; order_id?: string }>): Promise<void> => {
    for (const e of events) {
      if (e.type === 'order.paid' && e.order_id) paid.add(e.order_id);
      s.events++;
      const full = batcher.add(e);
      if (full) await send(full);
    }
  };

  // A day started after midnight still needs its opening stock, or every pick would drive stock negative.
  const dayStart = dayStartSecond(plan.opts.tz, plan.date);
  if (plan.startS > dayStart) {
    await queue(openingReceipts(resolveOptions(plan.opts), plan.date, stamper(zoneFor(plan.opts.tz), dayStart)(0)));
  }

  const wall0 = now();
  const simNow = (): number => plan.live ? now() / 1000
    : plan.speed === Infinity ? Infinity : plan.startS + ((now() - wall0) / 1000) * plan.speed;
  let lastReport = wall0, reported = 0;
  const report = (force = false): void => {
    const t = now();
    if (plan.quiet || (!force && t - lastReport < 2000)) return;
    const rate = ((s.events - reported) * 1000) / Math.max(1, t - lastReport);
    log(`[${plan.date} ${hhmmss(plan, plan.startS + s.seconds)}] events ${s.events} (${Math.round(rate)}/s) `
      + `accepted ${s.accepted} duplicates ${s.duplicates} batches ${s.batches} paid orders ${paid.size}`);
    lastReport = t;
    reported = s.events;
  };

  for (let sec = plan.startS; sec < plan.endS; sec++) {
    if (deps.signal?.aborted) { s.stopped = true; break; }
    // Caught up with the (simulated) clock: send what is buffered, then wait for the second to be over.
    if (sec + 1 > simNow()) {
      await send(batcher.take());
      await settle();
      report();
      const waitMs = plan.live ? (sec + 1) * 1000 - now() : ((sec + 1 - plan.startS) / plan.speed) * 1000 - (now() - wall0);
      if (waitMs > 0) await sleep(waitMs, deps.signal);
      if (deps.signal?.aborted) { s.stopped = true; break; }
    }
    await queue(demoEventsForSecond(plan.opts, sec));
    s.seconds++;
    report();
  }
  await send(batcher.take());
  await settle();
  s.paidOrders = paid.size;
  report(true);
  log(`${s.stopped ? 'stopped' : 'done'}: ${plan.date} ${s.from}–${hhmmss(plan, plan.startS + s.seconds)}, ${s.events} events `
    + `(${s.accepted} accepted, ${s.duplicates} duplicates) in ${s.batches} batches, ${s.paidOrders} paid orders`);
  return s;
}

// Run as a script: Ctrl-C stops cleanly after the batch in hand; a failure exits 1 with the reason.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const ctrl = new AbortController();
  process.once('SIGINT', () => ctrl.abort());
  process.once('SIGTERM', () => ctrl.abort());
  main(process.argv.slice(2), { signal: ctrl.signal }).then(
    () => { process.exitCode = 0; },
    (err: unknown) => {
      console.error(err instanceof UploadError || err instanceof RangeError || err instanceof TypeError
        ? `${err.message}\n${USAGE}` : err);
      process.exitCode = 1;
    },
  );
}

// The built-in demo stream (RXPULSE_DEMO=on, the default of `npm start`): a whole 双11 day of every stream
// (streams/demo). Its events go through the same validation and group-commit writer as POST /api/v1/events.
// The generator is deterministic per second, so after a restart the demo resumes where the stored events end
// and any overlap is deduplicated by event_id. The day's reference data (SKUs, shops, batches, sensors,
// targets) is stored first, as PUT /api/v1/reference/{kind} would, and again when the business day turns.
import type { FastifyBaseLogger } from 'fastify';
import { Compile } from 'typebox/compile';
import { demoEventsForSecond, demoReference, REFERENCE_ORDER, type DemoOptions } from '../streams/demo/index.ts';
import { REFERENCE_BY_KIND } from '../streams/reference/schema.ts';
import type { Config } from './config.ts';
import type { IngestWriter } from './ingest/writer.ts';
import { validateEvents } from './ingest/validate.ts';
import type { Storage } from './plugins/clickhouse.ts';
import { dayRange, businessDate, type Clock } from './time.ts';

/** Events per submitted batch during the catch-up from the start of the business day. */
const BACKFILL_BATCH = 5_000;

export interface Demo {
  stop(): Promise<void>;
  readonly stats: { events: number; backfilledTo: number };
}

/**
 * Stores the demo reference rows of a date that are not stored yet (or changed), so a restart adds nothing
 * to the reference history. Rows are checked against the same schemas as the PUT route.
 */
async function storeReference(storage: Storage, clock: Clock, opts: DemoOptions, date: string): Promise<number> {
  const reference = demoReference(opts, date);
  let stored = 0;
  for (const kind of REFERENCE_ORDER) {
    const def = REFERENCE_BY_KIND.get(kind)!;
    const check = Compile(def.schema);
    const rs = await storage.read.query({
      query: `SELECT key, argMax(body, version) AS body FROM ${storage.db}.reference_log WHERE kind = {kind:String} GROUP BY key`,
      query_params: { kind },
      format: 'JSONEachRow',
    });
    const known = new Map((await rs.json<{ key: string; body: string }>()).map((r) => [r.key, r.body]));
    const version = clock.now() * 1000;
    const values: Array<{ kind: string; key: string; version: number; body: string }> = [];
    for (const row of reference[kind] as ReadonlyArray<Record<string, unknown>>) {
      if (!check.Check(row)) throw new Error(`demo reference ${kind} row is invalid: ${JSON.stringify(row)}`);
      const key = def.key.map((k) => String(row[k] ?? '')).join('|');
      const body = JSON.stringify(row);
      if (known.get(key) !== body) values.push({ kind, key, version: version + values.length, body });
    }
    if (values.length > 0) await storage.write.insert({ table: `${storage.db}.reference_log`, values, format: 'JSONEachRow' });
    stored += values.length;
  }
  return stored;
}

export function startDemo(deps: { config: Config; writer: IngestWriter; storage: Storage; clock: Clock; logger: FastifyBaseLogger }): Demo {
  const { config, writer, storage, clock, logger } = deps;
  const opts: DemoOptions = { seed: config.demoSeed, tz: config.tzBusiness, ratePerSecond: config.demoRate };
  const stats = { events: 0, backfilledTo: 0 };
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let next = 0; // next epoch second to generate
  let inflight: Promise<void> = Promise.resolve();
  let referenceDay = { from: 0, to: 0 }; // epoch seconds of the business day whose reference is stored

  const ensureReference = async (epochSecond: number) => {
    if (epochSecond >= referenceDay.from && epochSecond < referenceDay.to) return;
    const date = businessDate(epochSecond * 1000, config.tzBusiness);
    const rows = await storeReference(storage, clock, opts, date);
    const { fromMs, toMs } = dayRange(date, config.tzBusiness);
    referenceDay = { from: fromMs / 1000, to: toMs / 1000 };
    if (rows > 0) logger.info({ date, rows }, 'demo reference data stored');
  };

  const submit = async (events: unknown[]) => {
    const v = validateEvents(events);
    if (!v.ok) throw new Error(`demo generated invalid events: ${JSON.stringify(v.errors.slice(0, 3))}`);
    await writer.submit(v.events);
    stats.events += v.events.length;
  };

  // Generates every second in [next, until) and submits in batches.
  const catchUp = async (until: number) => {
    let batch: unknown[] = [];
    while (next < until && !stopped) {
      await ensureReference(next);
      batch.push(...demoEventsForSecond(opts, next));
      next++;
      if (batch.length >= BACKFILL_BATCH) {
        await submit(batch);
        batch = [];
      }
    }
    if (batch.length > 0 && !stopped) await submit(batch);
  };

  const run = async () => {
    const rs = await storage.read.query({
      query: `SELECT toUnixTimestamp(max(ts)) AS s, count() AS n FROM ${storage.db}.events WHERE startsWith(event_id, {prefix:String})`,
      query_params: { prefix: `demo-${config.demoSeed}-` },
      format: 'JSONEachRow',
    });
    const [row] = await rs.json<{ s: string | number; n: string | number }>();
    const dayStart = dayRange(businessDate(clock.now(), config.tzBusiness), config.tzBusiness).fromMs / 1000;
    next = Number(row?.n ?? 0) > 0 ? Math.max(dayStart, Number(row.s)) : dayStart;
    const started = clock.now();
    await ensureReference(Math.floor(clock.now() / 1000));
    await catchUp(Math.floor(clock.now() / 1000));
    stats.backfilledTo = next;
    logger.info({ events: stats.events, ms: clock.now() - started }, 'demo stream caught up with the clock; now live');
    const tick = async () => {
      try {
        await catchUp(Math.floor(clock.now() / 1000));
      } catch (err) {
        logger.warn({ err }, 'demo tick failed; retrying next second');
      }
      if (!stopped) timer = setTimeout(() => (inflight = tick()), 1000 - (clock.now() % 1000)).unref();
    };
    await tick();
  };

  const running = run().catch((err) => {
    if (!stopped) logger.error({ err }, 'demo stream stopped');
  });

  return {
    stats,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
      await inflight;
    },
  };
}

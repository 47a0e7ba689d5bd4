// The built-in demo stream (RXPULSE_DEMO=on, the default of `npm start`): a whole 双11 day of every stream
// (streams/demo). Its events go through the same validation and group-commit writer as POST /api/v1/events.
// The generator is deterministic per second, so after a restart the demo resumes where the stored events end
// and any overlap is deduplicated by event_id. The day's reference data (SKUs, shops, batches, sensors,
// targets) is stored first, as PUT /api/v1/reference/{kind} would, and again when the business day turns.
import type { FastifyBaseLogger } from 'fastify';
import { demoEventsForSecond, demoReference, REFERENCE_ORDER, type DemoOptions } from '../streams/demo/index.ts';
import type { ReferenceStore } from './reference/store.ts';
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

export function startDemo(deps: { config: Config; writer: IngestWriter; storage: Storage; reference: ReferenceStore; clock: Clock; logger: FastifyBaseLogger }): Demo {
  const { config, writer, storage, reference, clock, logger } = deps;
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
    // Stored as PUT /api/v1/reference/{kind} would; unchanged rows are skipped, so restarts add no history.
    const ref = demoReference(opts, date);
    let rows = 0;
    for (const kind of REFERENCE_ORDER) {
      const list = ref[kind] as readonly Record<string, unknown>[];
      const errors = reference.validate(kind, list);
      if (errors.length > 0) throw new Error(`demo reference ${kind} is invalid: ${JSON.stringify(errors.slice(0, 3))}`);
      rows += await reference.upsert(kind, list, { onlyChanged: true });
    }
    const { fromMs, toMs } = dayRange(date, config.tzBusiness);
    referenceDay = { from: fromMs / 1000, to: toMs / 1000 };
    if (rows > 0) logger.info({ date, rows }, 'demo reference data stored');
  };

  const submit = async (events: unknown[]) => {
    const v = validateEvents(events, clock.now());
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

// The built-in demo stream (RXPULSE_DEMO=on, the default of `npm start`). Its events go through the same
// validation and group-commit writer as POST /api/v1/events. The generator is deterministic per second, so
// after a restart the demo resumes where the stored events end and any overlap is deduplicated by event_id.
import type { FastifyBaseLogger } from 'fastify';
import { demoOrderEventsForSecond, type DemoOptions } from '../streams/orders/demo.ts';
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

export function startDemo(deps: { config: Config; writer: IngestWriter; storage: Storage; clock: Clock; logger: FastifyBaseLogger }): Demo {
  const { config, writer, storage, clock, logger } = deps;
  const opts: DemoOptions = { seed: config.demoSeed, tz: config.tzBusiness, ratePerSecond: config.demoRate };
  const stats = { events: 0, backfilledTo: 0 };
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let next = 0; // next epoch second to generate
  let inflight: Promise<void> = Promise.resolve();

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
      batch.push(...demoOrderEventsForSecond(opts, next));
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

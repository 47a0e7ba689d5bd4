// The ingest sink of a fleet: the in-process writer and the Redis Stream in front of it pass the same suite
// (counts exact, retries deduplicated, what is acknowledged is stored); the stream then shows what only a
// fleet has: entries waiting for a leader, a dead writer's entries claimed by the next, Redis going away.
// Real chDB (one server for the file), real redis-server.
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { StreamConsumer, StreamIngest, streamNames, type IngestSink, type StreamNames } from '../../server/cluster/ingest-queue.ts';
import { RxpError } from '../../server/errors.ts';
import { validateEvents, type ValidEvent } from '../../server/ingest/validate.ts';
import { connectRedis, redisReady } from '../../server/plugins/redis.ts';
import { paid } from '../helpers/events.ts';
import { useRedis } from '../helpers/redis.ts';
import { useServer } from '../helpers/server.ts';

const s = useServer();
const redisServer = useRedis();
const opened: Redis[] = [];
const stops: Array<() => unknown> = [];

afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
  for (const r of opened.splice(0)) r.disconnect();
});

async function redis(blocking = false): Promise<Redis> {
  const r = connectRedis(redisServer().url, { name: 'test', blocking });
  opened.push(r);
  await redisReady(r);
  return r;
}

function events(n: number, tag = randomUUID()): ValidEvent[] {
  const raw = Array.from({ length: n }, (_, i) => paid({ event_id: `e-${tag}-${i}`, order_id: `O-${tag}-${i}`, ts: Date.now() - i * 1000, paid_fen: 100 + i }));
  const v = validateEvents(raw, Date.now());
  if (!v.ok) throw new Error(JSON.stringify(v.errors));
  return v.events;
}

async function storedCount(ids: string[]): Promise<number> {
  const { storage } = s().app;
  const rs = await storage.read.query({ query: `SELECT count() AS n FROM ${storage.db}.events WHERE event_id IN {ids:Array(String)}`, query_params: { ids }, format: 'JSONEachRow' });
  return Number((await rs.json<{ n: string }>())[0].n);
}

async function submitter(names: StreamNames, instanceId = randomUUID()): Promise<StreamIngest> {
  const ingest = new StreamIngest({ redis: await redis(), subscriber: await redis(true), instanceId, names, logger: s().app.log, replyTimeoutMs: 8_000 });
  await ingest.start();
  stops.push(() => ingest.close());
  return ingest;
}

async function consumer(names: StreamNames, name = randomUUID()): Promise<StreamConsumer> {
  const c = new StreamConsumer({ blocking: await redis(true), redis: await redis(), consumer: name, names, writer: s().app.writer, logger: s().app.log });
  c.start();
  stops.push(() => c.stop());
  return c;
}

/** Requests submitted while no writer runs, then read from the group by a writer that dies at once. */
async function readByDeadWriter(batches: ValidEvent[][]) {
  const names = streamNames(`t:${randomUUID()}:`);
  const ingest = await submitter(names);
  const r = await redis();
  await r.xgroup('CREATE', names.stream, names.group, '0', 'MKSTREAM');
  const answers = batches.map((b) => ingest.submit(b));
  await new Promise((res) => setTimeout(res, 200));
  const res = (await r.xreadgroup('GROUP', names.group, 'dead-writer', 'COUNT', 10, 'STREAMS', names.stream, '>')) as [string, [string, string[]][]][];
  return { names, r, answers, read: res[0][1] };
}

const variants: Array<{ name: string; sink(): Promise<IngestSink> }> = [
  { name: 'in-process', sink: async () => s().app.writer },
  {
    name: 'Redis Stream',
    async sink() {
      const names = streamNames(`t:${randomUUID()}:`);
      await consumer(names);
      return submitter(names);
    },
  },
];

for (const v of variants) {
  describe(`ingest sink, ${v.name}`, () => {
    it('accepts new events, counts a retry as duplicates, and stores each event once', async () => {
      const sink = await v.sink();
      const batch = events(50);
      expect(await sink.submit(batch)).toEqual({ accepted: 50, duplicates: 0 });
      expect(await sink.submit(batch)).toEqual({ accepted: 0, duplicates: 50 });
      const more = [...batch.slice(0, 10), ...events(5)];
      expect(await sink.submit(more)).toEqual({ accepted: 5, duplicates: 10 });
      expect(await storedCount([...batch, ...more].map((e) => e.event_id))).toBe(55);
    });

    it('answers concurrent overlapping requests exactly: the first to be written wins each id', async () => {
      const sink = await v.sink();
      const all = events(200);
      const requests = Array.from({ length: 8 }, (_, k) => all.slice(k * 20, k * 20 + 60)); // overlapping windows
      const results = await Promise.all(requests.map((r) => sink.submit(r)));
      expect(results.reduce((n, r) => n + r.accepted, 0)).toBe(new Set(requests.flat().map((e) => e.event_id)).size);
      results.forEach((r, k) => expect(r.accepted + r.duplicates).toBe(requests[k].length));
      expect(await storedCount(all.map((e) => e.event_id))).toBe(200);
    });
  });
}

describe('ingest through a Redis Stream, what only a fleet has', () => {
  it('a request taken while no leader writes waits, and is answered once one starts', async () => {
    const names = streamNames(`t:${randomUUID()}:`);
    const ingest = await submitter(names);
    const batch = events(20);
    const pending = ingest.submit(batch);
    await new Promise((r) => setTimeout(r, 700));
    expect(ingest.waiting).toBe(1);
    await consumer(names);
    expect(await pending).toEqual({ accepted: 20, duplicates: 0 });
  });

  it("a writer that read entries and died: the next claims them, writes them once and answers the requests", async () => {
    const a = events(30);
    const b = events(10);
    // A writer reads both entries and dies before writing or acknowledging them.
    const { names, r, answers, read } = await readByDeadWriter([a, b]);
    expect(read).toHaveLength(2);
    expect(Number(await r.xlen(names.stream))).toBe(2);
    const c = await consumer(names);
    expect(await Promise.all(answers)).toEqual([{ accepted: 30, duplicates: 0 }, { accepted: 10, duplicates: 0 }]);
    expect(c.stats.claimed).toBe(2);
    expect(await storedCount([...a, ...b].map((e) => e.event_id))).toBe(40);
    // Acknowledged entries leave the stream and the group's pending list.
    expect(Number(await r.xlen(names.stream))).toBe(0);
    expect(((await r.xpending(names.stream, names.group)) as [number])[0]).toBe(0);
  });

  it('an entry written whose acknowledgement was lost is answered from its result, not written again', async () => {
    const batch = events(5);
    // A writer read it, wrote it and stored its result, then died before the acknowledgement.
    const { names, r, answers: [answer], read } = await readByDeadWriter([batch]);
    const [id] = read[0];
    expect(await s().app.writer.submit(batch)).toEqual({ accepted: 5, duplicates: 0 });
    await r.set(names.resultKey(id), JSON.stringify({ id, accepted: 5, duplicates: 0 }));
    const c = await consumer(names);
    expect(await answer).toEqual({ accepted: 5, duplicates: 0 });
    expect(c.stats.replayed).toBe(1);
    expect(await storedCount(batch.map((e) => e.event_id))).toBe(5);
  });

  it('Redis down: submits fail within 2 s with 503 + Retry-After; after Redis is back it works again by itself', async () => {
    const names = streamNames(`t:${randomUUID()}:`);
    await consumer(names);
    const ingest = await submitter(names);
    expect((await ingest.submit(events(3))).accepted).toBe(3);
    await redisServer().stop();
    try {
      for (let i = 0; i < 3; i++) {
        const t0 = performance.now();
        const err = await ingest.submit(events(3)).then(() => null, (e: unknown) => e);
        expect(performance.now() - t0).toBeLessThan(2_000);
        expect(err).toBeInstanceOf(RxpError);
        expect((err as RxpError).code).toBe('RXP_ERR_FLEET_UNAVAILABLE');
        expect((err as RxpError).statusCode).toBe(503);
        expect((err as RxpError).retryAfter).toBeGreaterThan(0);
        await new Promise((res) => setTimeout(res, 300));
      }
    } finally {
      await redisServer().start();
    }
    const batch = events(7);
    const t0 = performance.now();
    let result: unknown = null;
    while (!result && performance.now() - t0 < 10_000) {
      result = await ingest.submit(batch).catch(() => null);
      if (!result) await new Promise((res) => setTimeout(res, 200));
    }
    expect(result).toEqual({ accepted: 7, duplicates: 0 });
    expect(await storedCount(batch.map((e) => e.event_id))).toBe(7);
  });
});

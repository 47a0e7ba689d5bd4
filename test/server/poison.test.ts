// Poison isolation on real chDB (CONTRACT "Bounds": nothing acknowledged may stall ingest, projection or
// reads). What the validator lets through but storage refuses must fail nothing else:
// - ingest: a commit group storage refuses is split by request; the innocents are written, the refused
//   request alone answers 400 (the writer bisect, driven with hand-built events that bypassed validation,
//   since validation now refuses every value known to break storage);
// - projection: a row storage refuses goes to dead_letters, the projection moves on, also across restarts;
// - reads wait at most 2 s for the projection and then say how far behind they are.
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { getJson, postEvents, removeDir, sql, startServer, type Running } from '../helpers/server.ts';
import { paid } from '../helpers/events.ts';
import { validateEvents, type ValidEvent } from '../../server/ingest/validate.ts';
import { RxpError } from '../../server/errors.ts';
import { MAX_PROJECTION_WAIT_MS } from '../../server/metrics/run.ts';
import { StreamConsumer, StreamIngest, streamNames } from '../../server/cluster/ingest-queue.ts';
import { connectRedis, redisReady } from '../../server/plugins/redis.ts';
import { useRedis } from '../helpers/redis.ts';

const DAY = '2026-11-11';
const TS = `${DAY}T09:00:00.000+08:00`;

let s: Running;
const servers: Running[] = [];
async function start(dataDir?: string): Promise<Running> {
  s = await startServer({ dataDir });
  servers.push(s);
  return s;
}
afterAll(async () => {
  for (const x of servers) await x.close().catch(() => undefined);
  for (const dir of new Set(servers.map((x) => x.dataDir))) removeDir(dir);
});

/** Events as the route hands them to the writer. */
function valid(raw: Record<string, unknown>[]): ValidEvent[] {
  const v = validateEvents(raw, Date.now());
  if (!v.ok) throw new Error(JSON.stringify(v.errors));
  return v.events;
}
const sensor = (event_id: string, sensor_id = 'SN-OK', temp_c = 4) => ({ event_id, type: 'sensor.reading', ts: TS, sensor_id, temp_c });
const ids = (list: string[]) => list.map((i) => `'${i}'`).join(',');
const count = async (table: string, where: string) => Number((await sql<{ n: string }>(s.app, `SELECT count() AS n FROM {db}.${table} WHERE ${where}`))[0].n);

describe('ingest: a poison request fails nothing else', () => {
  it('three innocent requests in flight with a poison one: 200 and stored; the poison 400, nothing of it stored', async () => {
    await start();
    for (const poison of [
      sensor('attack-surrogate', '\ud800'), // acknowledged before, then stalled the projector for ever
      { ...sensor('attack-1969'), ts: '1969-12-31T23:00:00Z' }, // failed its whole commit group with 503
      paid({ event_id: 'attack-qty', ts: TS, paid_fen: 1, lines: [{ qty: 1_000_000, unit_price_fen: Number.MAX_SAFE_INTEGER }] }),
    ]) {
      const tag = poison.event_id;
      const innocents = [0, 1, 2].map((i) => [sensor(`${tag}-in-${i}-a`), paid({ event_id: `${tag}-in-${i}-b`, ts: TS, paid_fen: 100 + i })]);
      const all = await Promise.all([
        postEvents(s.url, innocents[0]),
        postEvents(s.url, [paid({ event_id: `${tag}-p-ok`, ts: TS, paid_fen: 1 }), poison]),
        postEvents(s.url, innocents[1]),
        postEvents(s.url, innocents[2]),
      ]);
      expect(all.map((r) => r.status)).toEqual([200, 400, 200, 200]);
      for (const i of [0, 2, 3]) expect(all[i].body).toEqual({ accepted: 2, duplicates: 0 });
      const errors = all[1].body.errors as { index: number; event_id: string }[];
      expect(errors.length).toBeGreaterThan(0);
      expect(errors.every((e) => e.index === 1 && e.event_id === tag)).toBe(true);
      expect(await count('events', `event_id IN (${ids(innocents.flat().map((e) => e.event_id as string))})`)).toBe(6);
      expect(await count('events', `event_id IN ('${tag}', '${tag}-p-ok')`)).toBe(0);
    }
  });

  it('the writer splits a group storage refuses: innocents written, the refused request alone answers 400', async () => {
    const { writer } = s.app;
    // A lone surrogate in event_id: validation refuses it, storage too (the INSERT fails). Built by hand, as
    // anything a future validator might let through.
    const [poison] = valid([sensor('poison-placeholder')]);
    poison.event_id = 'poison-\ud800-1';
    const r1 = valid([paid({ event_id: 'w-r1-a', ts: TS, order_id: 'W-A', paid_fen: 10 }), { event_id: 'w-shared', type: 'order.cancelled', ts: TS, order_id: 'W-C' }]);
    // The poison request also pays order W-FP, before r2 does: refused, so r2's payment is the first.
    const rp = [...valid([paid({ event_id: 'w-rp-pay', ts: TS, order_id: 'W-FP', paid_fen: 777 })]), poison];
    const r2 = valid([paid({ event_id: 'w-r2-pay', ts: TS, order_id: 'W-FP', paid_fen: 500 })]);
    const r3 = valid([paid({ event_id: 'w-r3-pay', ts: TS, order_id: 'W-FP', paid_fen: 900 }), { event_id: 'w-shared', type: 'order.cancelled', ts: TS, order_id: 'W-C' }]);
    const splits = writer.stats.splits;
    const refused = writer.stats.refused;
    // The first submit starts a group of its own; the next four queue meanwhile and form one group.
    const warm = writer.submit(valid([sensor('w-warm')]));
    const results = await Promise.allSettled([writer.submit(r1), writer.submit(rp), writer.submit(r2), writer.submit(r3)]);
    expect(await warm).toEqual({ accepted: 1, duplicates: 0 });
    expect(results[0]).toEqual({ status: 'fulfilled', value: { accepted: 2, duplicates: 0 } });
    expect(results[2]).toEqual({ status: 'fulfilled', value: { accepted: 1, duplicates: 0 } });
    expect(results[3]).toEqual({ status: 'fulfilled', value: { accepted: 1, duplicates: 1 } });
    expect(results[1].status).toBe('rejected');
    const err = (results[1] as PromiseRejectedResult).reason as RxpError;
    expect(err).toBeInstanceOf(RxpError);
    expect(err.code).toBe('RXP_ERR_INGEST_INVALID');
    expect(err.statusCode).toBe(400);
    expect(err.body.errors).toEqual([{ index: 1, event_id: 'poison-\ud800-1', field: 'event_id', reason: expect.stringMatching(/storage refused.*CANNOT_PARSE_ESCAPE_SEQUENCE/) }]);
    expect(writer.stats.splits - splits).toBe(2); // [r1 rp r2 r3] → [r1 rp] [r2 r3] → [r1] [rp]
    expect(writer.stats.refused - refused).toBe(1);
    // Innocents stored once each, nothing of the refused request; the first payment of W-FP is r2's.
    const rows = await sql<{ event_id: string; first_paid: number }>(s.app, "SELECT event_id, first_paid FROM {db}.events WHERE startsWith(event_id, 'w-') ORDER BY event_id");
    expect(rows).toEqual([
      { event_id: 'w-r1-a', first_paid: 1 },
      { event_id: 'w-r2-pay', first_paid: 1 },
      { event_id: 'w-r3-pay', first_paid: 0 },
      { event_id: 'w-shared', first_paid: 0 },
      { event_id: 'w-warm', first_paid: 0 },
    ]);
    expect(await count('events', "startsWith(event_id, 'poison-')")).toBe(0);
    // Projected like any other group, and counted once.
    expect(await count('order_events', "order_id = 'W-FP' AND first_paid = 1")).toBe(1);
    expect((await getJson(s.url, `/api/v1/metrics/sales.refunds?date=${DAY}`)).status).toBe(200);
  });

  it('an event storage cannot address at all is refused at submit, alone', async () => {
    const [early] = valid([sensor('early')]);
    early.tsMs = -3_600_000; // 1969: the id filters and rollups count seconds from 1970
    await expect(s.app.writer.submit([early])).rejects.toMatchObject({ code: 'RXP_ERR_INGEST_INVALID', body: { errors: [expect.objectContaining({ index: 0, field: 'ts' })] } });
    expect(await s.app.writer.submit(valid([sensor('after-early')]))).toEqual({ accepted: 1, duplicates: 0 });
  });
});

describe('projection: a row storage refuses is dead-lettered, the projection moves on', () => {
  let cycle: { from: number; to: number };

  it('writes the rest of the cycle, keeps the refused row with its reason, counts it, metrics keep answering', async () => {
    const { writer, projector } = s.app;
    // Acknowledged (the log keeps the body as text) but refused by sensor_readings: the attacker's case 1.
    const [bad] = valid([sensor('dl-bad')]);
    bad.body.sensor_id = 'SN-\ud800';
    // A body the projection cannot read (a shape validation never lets through).
    const [broken] = valid([{ event_id: 'dl-broken', type: 'order.shipped', ts: TS, order_id: 'DL-S', warehouse_id: 'WH-1', boxes: [] }]);
    broken.body.boxes = [null];
    const good = valid([sensor('dl-good-1', 'SN-DL'), sensor('dl-good-2', 'SN-DL'), { event_id: 'dl-stock', type: 'inventory.receipt', ts: TS, warehouse_id: 'WH-DL', sku_id: 'SKU-DL', batch_no: 'L-DL', qty: 7 }]);
    const before = projector.stats.deadLetters;
    // One request, one group: the projector gets all of it in one cycle.
    expect(await writer.submit([good[0], bad, good[1], broken, good[2]])).toEqual({ accepted: 5, duplicates: 0 });
    await projector.barrier();
    expect(projector.stats.deadLetters - before).toBe(2);
    const dead = await sql<{ event_id: string; type: string; table: string; reason: string; body: string }>(s.app, "SELECT event_id, type, `table`, reason, body FROM {db}.dead_letters WHERE startsWith(event_id, 'dl-') ORDER BY event_id");
    expect(dead).toEqual([
      { event_id: 'dl-bad', type: 'sensor.reading', table: 'sensor_readings', reason: expect.stringMatching(/CANNOT_PARSE_ESCAPE_SEQUENCE/), body: expect.stringContaining('"sensor_id":"SN-\\ud800"') },
      { event_id: 'dl-broken', type: 'order.shipped', table: '', reason: expect.stringMatching(/cannot be projected/), body: expect.stringContaining('"boxes":[null]') },
    ]);
    expect(await count('sensor_readings', "sensor_id = 'SN-DL'")).toBe(2);
    expect(await count('order_events', "order_id = 'DL-S'")).toBe(0);
    const stock = await getJson(s.url, '/api/v1/metrics/inventory.stock?warehouse_id=WH-DL');
    expect(stock.body.value).toEqual([{ warehouse_id: 'WH-DL', sku_id: 'SKU-DL', batch_no: 'L-DL', qty: 7 }]);
    expect(stock.body.lag).toBeUndefined();
    const [state] = await sql<{ pending_from: string; pending_to: string }>(s.app, 'SELECT pending_from, pending_to FROM {db}.projection_state FINAL');
    cycle = { from: Number(state.pending_from), to: Number(state.pending_to) };
    // The projection goes on with later events.
    expect((await postEvents(s.url, [{ event_id: 'dl-after', type: 'inventory.receipt', ts: TS, warehouse_id: 'WH-DL', sku_id: 'SKU-DL', batch_no: 'L-DL', qty: 3 }])).status).toBe(200);
    expect((await getJson(s.url, '/api/v1/metrics/inventory.stock?warehouse_id=WH-DL')).body.value[0].qty).toBe(10);
  });

  it('a cycle replayed after a crash splits the same way: no second copy of anything; the count is loaded', async () => {
    const deadBefore = await count('dead_letters', '1');
    // As if the process died while projecting the cycle that dead-lettered (start-up replays it).
    const [{ done }] = await sql<{ done: string }>(s.app, 'SELECT done_to AS done FROM {db}.projection_state FINAL');
    await s.app.storage.write.command({
      query: `INSERT INTO ${s.app.storage.db}.projection_state FORMAT JSONEachRow {"id":1,"done_to":${done},"pending_from":${cycle.from},"pending_to":${cycle.to},"version":${Date.now() * 1000 + 998}}`,
    });
    await s.close();
    await start(s.dataDir);
    expect(s.app.projector.stats.deadLetters).toBe(deadBefore);
    expect(await count('dead_letters', '1')).toBe(deadBefore);
    expect(await count('sensor_readings', "sensor_id = 'SN-DL'")).toBe(2);
    expect((await getJson(s.url, '/api/v1/metrics/inventory.stock?warehouse_id=WH-DL')).body.value[0].qty).toBe(10);
    expect(await count('dead_letters', "startsWith(event_id, 'dl-')")).toBe(2);
  });

  it('a poison row left in the log by an older version (its cycle interrupted) does not stall the start', async () => {
    const db = s.app.storage.db;
    const [{ g }] = await sql<{ g: string }>(s.app, 'SELECT max(group_id) AS g FROM {db}.events');
    const group = Number(g) + 1;
    const row = (event_id: string, sensor_id: string) =>
      `{"event_id":"${event_id}","type":"sensor.reading","stream":"sensor","ts":"2026-11-11 01:00:00.000","received_at":"2026-11-11 01:00:00.000","first_paid":0,"id_fp":1,"group_id":${group},"body":{"sensor_id":"${sensor_id}","temp_c":5}}`;
    await s.app.storage.write.command({
      query: `INSERT INTO ${db}.events SETTINGS input_format_json_read_objects_as_strings = 1 FORMAT JSONEachRow\n${row('old-poison', 'SN-\\ud800')}\n${row('old-good', 'SN-OLD')}`,
    });
    // As if the process died while projecting that group.
    await s.app.storage.write.command({
      query: `INSERT INTO ${db}.projection_state FORMAT JSONEachRow {"id":1,"done_to":${group - 1},"pending_from":${group},"pending_to":${group},"version":${Date.now() * 1000 + 999}}`,
    });
    const deadBefore = s.app.projector.stats.deadLetters;
    await s.close();
    const started = Date.now();
    await start(s.dataDir);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(s.app.projector.stats.deadLetters).toBe(deadBefore + 1);
    expect(await count('dead_letters', "event_id = 'old-poison' AND `table` = 'sensor_readings'")).toBe(1);
    expect(await count('sensor_readings', "sensor_id = 'SN-OLD'")).toBe(1);
    const r = await getJson(s.url, `/api/v1/metrics/sensors.cold_chain`);
    expect(r.status).toBe(200);
    expect(r.body.lag).toBeUndefined();
    expect((await postEvents(s.url, [sensor('after-restart', 'SN-OLD')])).status).toBe(200);
    expect(await count('sensor_readings', "sensor_id = 'SN-OLD'")).toBe(2);
  });
});

describe('reads never wait long for the projection', () => {
  it(`answers within ~${MAX_PROJECTION_WAIT_MS} ms with what is projected and how far behind it is`, async () => {
    const { projector } = s.app;
    let release!: () => void;
    const held = projector.exclusive(() => new Promise<void>((r) => (release = r)));
    try {
      const before = (await getJson(s.url, '/api/v1/metrics/inventory.stock?warehouse_id=WH-DL')).body.value[0].qty as number;
      expect((await postEvents(s.url, [{ event_id: 'lag-1', type: 'inventory.receipt', ts: TS, warehouse_id: 'WH-DL', sku_id: 'SKU-DL', batch_no: 'L-DL', qty: 5 }])).status).toBe(200);
      const t0 = Date.now();
      const r = await getJson(s.url, '/api/v1/metrics/inventory.stock?warehouse_id=WH-DL');
      const took = Date.now() - t0;
      expect(r.status).toBe(200);
      expect(took).toBeGreaterThanOrEqual(MAX_PROJECTION_WAIT_MS - 50);
      expect(took).toBeLessThan(MAX_PROJECTION_WAIT_MS + 1_500);
      expect(r.body.value[0].qty).toBe(before);
      expect(r.body.lag).toEqual({ behind_groups: 1, lag_ms: expect.any(Number) });
      expect(r.body.lag.lag_ms).toBeGreaterThanOrEqual(MAX_PROJECTION_WAIT_MS - 50);
    } finally {
      release();
      await held;
    }
    const after = await getJson(s.url, '/api/v1/metrics/inventory.stock?warehouse_id=WH-DL');
    expect(after.body.lag).toBeUndefined();
    expect(after.body.value[0].qty).toBe(15);
  });
});

describe('through a fleet (Redis Stream in front of the writer)', () => {
  const redisServer = useRedis();
  it('a request storage refuses answers 400 with its errors at the front (not 503, retried for ever)', async () => {
    const conns = await Promise.all([false, true, true, false].map(async (blocking) => {
      const r = connectRedis(redisServer().url, { name: 'poison-test', blocking });
      await redisReady(r);
      return r;
    }));
    const names = streamNames(`t:${randomUUID()}:`);
    const ingest = new StreamIngest({ redis: conns[0], subscriber: conns[1], instanceId: randomUUID(), names, logger: s.app.log, replyTimeoutMs: 8_000 });
    await ingest.start();
    const consumer = new StreamConsumer({ blocking: conns[2], redis: conns[3], consumer: randomUUID(), names, writer: s.app.writer, logger: s.app.log });
    consumer.start();
    try {
      const [poison] = valid([sensor('fleet-placeholder')]);
      poison.event_id = 'fleet-\ud800';
      const refused = ingest.submit([...valid([sensor('fleet-with-poison')]), poison]);
      await expect(refused).rejects.toMatchObject({ code: 'RXP_ERR_INGEST_INVALID', statusCode: 400, retryAfter: undefined });
      const err = (await refused.catch((e: unknown) => e)) as RxpError;
      expect(err.body.errors).toEqual([expect.objectContaining({ index: 1, event_id: 'fleet-\ud800', field: 'event_id' })]);
      expect(await ingest.submit(valid([sensor('fleet-ok')]))).toEqual({ accepted: 1, duplicates: 0 });
      expect(await count('events', "startsWith(event_id, 'fleet-')")).toBe(1);
    } finally {
      ingest.close();
      await consumer.stop();
      for (const c of conns) c.disconnect();
    }
  });
});

describe('storage down', () => {
  it('answers 503 with Retry-After to every request in flight, nothing half-written', async () => {
    await s.close(); // chDB: one data directory per process
    const down = await start(s.dataDir);
    await down.app.storage.write.close(); // the writer's connection is gone
    const all = await Promise.all([0, 1, 2].map((i) => postEvents(down.url, [sensor(`down-${i}-a`), sensor(`down-${i}-b`)])));
    expect(all.map((r) => r.status)).toEqual([503, 503, 503]);
    for (const r of all) {
      expect(r.body.code).toBe('RXP_ERR_STORAGE_UNAVAILABLE');
      expect(r.headers.get('retry-after')).toBe('1');
    }
    const rs = await down.app.storage.read.query({ query: `SELECT count() AS n FROM ${down.app.storage.db}.events WHERE startsWith(event_id, 'down-')`, format: 'JSONEachRow' });
    expect(Number((await rs.json<{ n: string }>())[0].n)).toBe(0);
  });
});

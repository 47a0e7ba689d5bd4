// Fuzz of POST /api/v1/events against a real server (chDB in a temp dir, real HTTP). Valid events of every
// CONTRACT type, mutated field by field (types, bounds, Unicode, structure), many per request, as NDJSON and
// as a JSON array; raw byte bodies and content types; the size limits. Properties: never a 5xx; the status
// the CONTRACT gives (oracle: test/helpers/fuzz-oracle.ts); a 4xx stores nothing; a 200 stores each new
// event_id exactly once (accepted + duplicates = events sent; sending again gives duplicates); afterwards the
// server is healthy and sums at the bounds are exact. Seeded (FUZZ_SEED, printed); FUZZ_SCALE=10 runs longer.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  RESERVED_DATE, acknowledge, anyValidEvent, contentTypeVerdict, eventIdArb, expectIngest, ingestBody, ingestCase, isObject, judgeIngest, printable, rawIngestCase, reusedIds, show,
  type IngestCase, type JsonObject, type KnownIds, type MutationClass, type RawCase,
} from '../helpers/arbitraries.ts';
import { count, crashes, healthViolations, processViolations, property, rows, send, useFuzzServer, watchCrashes } from '../helpers/fuzz-run.ts';
import { ADMIN, INGEST } from '../helpers/server.ts';

const server = useFuzzServer();
watchCrashes();
const crashesAtStart = crashes.length;
/** event_ids this server acknowledged, with their first content (the model of what the log holds). */
const known: KnownIds = new Map();

/** One request of a case. */
async function ingestViolations(c: IngestCase): Promise<string[]> {
  const s = server();
  const crashesBefore = crashes.length;
  const x = expectIngest(c);
  const { body, contentType } = ingestBody(c);
  const before = await count(s, 'events');
  const r = await send(s.url, 'POST', '/api/v1/events', { body, contentType, token: INGEST });
  const after = await count(s, 'events');
  const v = judgeIngest(x, r, known);
  const sent = x.ids.filter((id): id is string => id !== null);
  if (r.status === 200) {
    const accepted = isObject(r.body) ? r.body.accepted : undefined;
    if (typeof accepted === 'number' && after - before !== accepted) v.push(`200 {accepted: ${accepted}} but the log grew by ${after - before}`);
    const distinct = [...new Set(sent)];
    const reused = reusedIds(known, x);
    acknowledge(known, x);
    try {
      const found = await rows<{ event_id: string; n: string }>(s, 'SELECT event_id, count() AS n FROM {db}.events WHERE event_id IN {ids:Array(String)} GROUP BY event_id', { ids: distinct });
      const n = new Map(found.map((f) => [f.event_id, Number(f.n)]));
      const wrong = distinct.filter((id) => n.get(id) !== 1);
      const note = (id: string) => (reused.has(id) ? ' (acknowledged before with other content)' : '');
      if (wrong.length) v.push(`event_ids not in the log exactly once: ${wrong.slice(0, 3).map((id) => `${show(id)} ×${n.get(id) ?? 0}${note(id)}`).join(', ')}`);
    } catch (e) {
      v.push(`the acknowledged event_ids cannot be looked up in the log: ${(e as Error).message.slice(0, 200)}`);
    }
    if (c.resend) {
      const again = await send(s.url, 'POST', '/api/v1/events', { body, contentType, token: INGEST });
      const after2 = await count(s, 'events');
      if (again.status !== 200 || !isObject(again.body) || again.body.accepted !== 0 || again.body.duplicates !== x.ids.length) {
        v.push(`sent again → ${again.status} ${show(again.body)}, expected {"accepted":0,"duplicates":${x.ids.length}}`);
      }
      if (after2 !== after) v.push(`sent again: the log grew by ${after2 - after}`);
    }
  } else if (after !== before) v.push(`${r.status} but the log grew by ${after - before}`);
  v.push(...processViolations(crashesBefore));
  return v;
}

async function rawViolations(c: RawCase): Promise<string[]> {
  const s = server();
  const crashesBefore = crashes.length;
  const before = await count(s, 'events');
  const r = await send(s.url, 'POST', '/api/v1/events', { body: c.body, contentType: c.contentType, token: INGEST });
  const after = await count(s, 'events');
  const v: string[] = [];
  if (r.status >= 500) v.push(`${r.status} (a 5xx): ${show(r.body)}`);
  if (contentTypeVerdict(c.contentType) === 'invalid' && r.status < 400) v.push(`${r.status} for content type ${JSON.stringify(c.contentType)}: ${show(r.body)}`);
  if (r.status === 200) {
    const accepted = isObject(r.body) ? r.body.accepted : undefined;
    if (after - before !== accepted) v.push(`200 ${show(r.body)} but the log grew by ${after - before}`);
  } else if (after !== before) v.push(`${r.status} but the log grew by ${after - before}`);
  if (r.status === 400 && !(isObject(r.body) && typeof r.body.error === 'string')) v.push(`400 without an error code: ${show(r.body)}`);
  v.push(...processViolations(crashesBefore));
  return v;
}

const mutated = (classes: MutationClass[], numRuns: number, budgetMs: number) => () =>
  property(`ingest/${classes.join('+')}`, ingestCase({ classes, maxValid: 8 }), numRuns, budgetMs, (c) => ingestViolations(c));

/** A valid event, then another valid event (any type, any valid `ts`: days or years away) under the same event_id. */
const reuseCase = fc
  .tuple(anyValidEvent, anyValidEvent, eventIdArb)
  .map(([first, other, id]) => printable({ first: { ...first, event_id: id } as JsonObject, again: { ...other, event_id: id } as JsonObject }));

async function reuseViolations(raw: { first: JsonObject; again: JsonObject }): Promise<string[]> {
  const s = server();
  const c = raw;
  const one = (e: JsonObject): IngestCase => ({ events: [e], format: 'json', escape: false, crlf: false, resend: false });
  // The first send sets the scene; its id may already be known (a third send, across runs and days).
  const v = await ingestViolations(one(c.first));
  if (v.length) return v.map((m) => `first send: ${m}`);
  const id = c.first.event_id as string;
  const again = await send(s.url, 'POST', '/api/v1/events', { body: JSON.stringify([c.again]), contentType: 'application/json', token: INGEST });
  const out: string[] = [];
  if (again.status !== 200 || !isObject(again.body) || again.body.accepted !== 0 || again.body.duplicates !== 1) out.push(`the same event_id with other content → ${again.status} ${show(again.body)}, expected {"accepted":0,"duplicates":1}`);
  // The first content: this case's first send, or an earlier one of the run with that id.
  const firstType = (JSON.parse(known.get(id) ?? JSON.stringify(c.first)) as { type?: unknown }).type;
  const stored = await rows<{ type: string; n: string }>(s, 'SELECT any(type) AS type, count() AS n FROM {db}.events WHERE event_id = {id:String}', { id });
  if (Number(stored[0]?.n) !== 1 || stored[0]?.type !== firstType) out.push(`the log holds ${show(stored)} for ${show(id)}: expected the first content once (${String(firstType)})`);
  return out;
}

describe('fuzz: POST /api/v1/events', () => {
  it('valid events of every type: 200, each new event_id stored once, duplicates when sent again', () =>
    property('ingest/valid', ingestCase({ classes: [], minMutated: 0, maxMutated: 0, maxValid: 30 }), 50, 12_000, (c) => ingestViolations(c)), 120_000);

  it('an event_id sent again with other content (another day, another type) is a duplicate: the first content stays', () =>
    property('ingest/reuse', reuseCase, 40, 8_000, reuseViolations), 120_000);

  it('type confusions (string ↔ number ↔ null ↔ object ↔ array, nesting)', mutated(['types'], 60, 10_000), 120_000);
  it('bounds: just inside and just outside every CONTRACT bound', mutated(['bounds'], 80, 12_000), 120_000);
  it('Unicode: lone surrogates, NUL, astral, RTL, long strings', mutated(['unicode'], 60, 10_000), 120_000);
  it('structure: missing and extra fields, __proto__/constructor keys, sizes, nested arrays, wrong type', mutated(['structure'], 60, 10_000), 120_000);

  it('raw byte bodies and content types: never a 5xx, a 4xx stores nothing', () => property('ingest/raw', rawIngestCase, 120, 10_000, rawViolations), 120_000);

  it('size limits: 10,000 events and 8 MiB are taken, one more is 413 and stores nothing', async () => {
    const s = server();
    const v: string[] = [];
    const tag = Date.now().toString(36);
    const cancelled = (i: number) => ({ event_id: `size-${tag}-${i}`, type: 'order.cancelled', ts: '2026-11-11T10:00:00+08:00', order_id: `O-${i}` });
    const many = (n: number) => Array.from({ length: n }, (_, i) => cancelled(i));
    const one = cancelled(-1);
    const padTo = (bytes: number) => {
      const base = JSON.stringify([{ ...one, pad: '' }]);
      return JSON.stringify([{ ...one, pad: 'x'.repeat(bytes - Buffer.byteLength(base)) }]);
    };
    const cases: [string, string, string, number][] = [
      ['10,001 events (JSON)', JSON.stringify(many(10_001)), 'application/json', 413],
      ['10,001 events (NDJSON)', many(10_001).map((e) => JSON.stringify(e)).join('\n'), 'application/x-ndjson', 413],
      ['8 MiB + 1 byte', padTo(8 * 1024 * 1024 + 1), 'application/json', 413],
      ['10,000 events', JSON.stringify(many(10_000)), 'application/json', 200],
      ['exactly 8 MiB', padTo(8 * 1024 * 1024), 'application/json', 200],
    ];
    for (const [name, body, contentType, status] of cases) {
      const before = await count(s, 'events');
      const r = await send(s.url, 'POST', '/api/v1/events', { body, contentType, token: INGEST, timeoutMs: 60_000 });
      const grew = (await count(s, 'events')) - before;
      if (r.status !== status) v.push(`${name}: ${r.status} ${show(r.body)}, expected ${status}`);
      if (status === 413 && grew !== 0) v.push(`${name}: 413 but the log grew by ${grew}`);
      if (status === 413 && r.status === 413 && !['too_many_events', 'payload_too_large'].includes(String((r.body as { error?: unknown }).error))) v.push(`${name}: 413 with error ${show(r.body)}`);
      if (r.status === 200 && grew !== (r.body as { accepted: number }).accepted) v.push(`${name}: 200 ${show(r.body)}, the log grew by ${grew}`);
    }
    expect(v).toEqual([]);
  }, 120_000);

  it('sums at the bounds are exact up to 2^53 − 1, and an explicit coded error past it (never rounded or wrapped)', async () => {
    const s = server();
    const tag = Date.now().toString(36);
    const order = (i: number) => ({
      event_id: `exact-${tag}-${i}`, type: 'order.paid', ts: `${RESERVED_DATE}T12:00:00+08:00`, order_id: `EX-${tag}-${i}`, channel: 'own', shop_id: 'S', buyer_id: 'B', province: '新疆',
      lines: [{ sku_id: `SKU-EXACT-${tag}`, qty: 100_000, unit_price_fen: 10_000_000_000, discount_fen: 3 }], paid_fen: 9_999_999_999,
    });
    // Nine lines at the largest qty and price: 9 × (100,000 × 10^10 − 3) = 8,999,999,999,999,973 ≤ 2^53 − 1.
    const r = await send(s.url, 'POST', '/api/v1/events', { body: JSON.stringify(Array.from({ length: 9 }, (_, i) => order(i))), contentType: 'application/json', token: INGEST });
    expect(r.status, show(r.body)).toBe(200);
    const gmv = await send(s.url, 'GET', `/api/v1/metrics/sales.gmv?date=${RESERVED_DATE}`, { timeoutMs: 20_000 });
    expect(gmv.status).toBe(200);
    expect(gmv.text).toContain(`"value":${9n * 9_999_999_999n}`);
    const top = await send(s.url, 'GET', `/api/v1/metrics/sales.top_skus?date=${RESERVED_DATE}`, { timeoutMs: 20_000 });
    expect(top.status).toBe(200);
    const exact = 9n * (100_000n * 10_000_000_000n - 3n);
    expect(top.text, `sales.top_skus: ${top.text.slice(0, 300)}`).toMatch(new RegExp(`"gmv_fen":${exact}[,}]`));
    expect(top.text).toMatch(/"qty":900000[,}]/);
    // A tenth: 9,999,999,999,999,970 > 2^53 − 1. No JSON number a wall can hold is exact there: the value is
    // refused with its code, logged, and counted in health; never a rounded or wrapped number.
    expect((await send(s.url, 'POST', '/api/v1/events', { body: JSON.stringify([order(9)]), contentType: 'application/json', token: INGEST })).status).toBe(200);
    const past = await send(s.url, 'GET', `/api/v1/metrics/sales.top_skus?date=${RESERVED_DATE}`, { timeoutMs: 20_000 });
    expect(isObject(past.body) && past.body.code, past.text.slice(0, 300)).toBe('RXP_ERR_UNSAFE_INTEGER');
    expect(past.status).toBe(422); // the data (not the server) is at fault: never a 5xx
    expect(past.text).not.toMatch(/"gmv_fen":\d/);
    const health = await send(s.url, 'GET', '/api/v1/health', { token: ADMIN });
    expect(isObject(health.body) && isObject(health.body.errors) && health.body.errors.unsafe_integers).toBeGreaterThanOrEqual(1);
  }, 60_000);

  it('afterwards: healthy, everything acknowledged projected, subscribe and ingest still work, no crash', async () => {
    expect(await healthViolations(server(), crashesAtStart)).toEqual([]);
  }, 90_000);
});

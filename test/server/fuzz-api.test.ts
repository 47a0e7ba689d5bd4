// Fuzz of the reference data API (PUT /api/v1/reference/{kind}), the read API's params
// (GET /api/v1/metrics/{id}?…, every metric of the catalogue) and the screens admin API (PUT /api/v1/screens/{id})
// against a real server. Properties: never a 5xx; the status the CONTRACT gives (oracle:
// test/helpers/fuzz-oracle.ts); a 4xx stores nothing (reference log and tables, screens); a 200 stores what was
// sent; no token, no data; afterwards the server is healthy. Seeded (FUZZ_SEED, printed).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  REFERENCE_SHAPES, anyValidEvent, cloneJson, objectOf, printable, seedOf, expectMetricQuery, expectReference, isObject, judgeMetricQuery, judgeReference, metricQueryCase, metricUrl, referenceCase, screenCase, show, viaJson,
  type Catalogue, type JsonObject, type MetricQuery, type ReferenceCase, type ScreenCase,
} from '../helpers/arbitraries.ts';
import { count, crashes, healthViolations, processViolations, property, rows, send, useFuzzServer, watchCrashes } from '../helpers/fuzz-run.ts';
import { ADMIN, INGEST } from '../helpers/server.ts';

const server = useFuzzServer();
watchCrashes();
const crashesAtStart = crashes.length;
let catalogue: Catalogue = [];
const builtins: JsonObject[] = readdirSync(join(import.meta.dirname, '../../screens/builtin'))
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => JSON.parse(readFileSync(join(import.meta.dirname, '../../screens/builtin', f), 'utf8')) as JsonObject);

beforeAll(async () => {
  const r = await send(server().url, 'GET', '/api/v1/metrics');
  catalogue = (r.body as { id: string; params: Catalogue[number]['params'] }[]).map((m) => ({ id: m.id, params: m.params ?? {} }));
});

const STRING_KINDS = new Set(['id', 'text', 'enum', 'date']);

async function referenceViolations(c: ReferenceCase): Promise<string[]> {
  const s = server();
  const crashesBefore = crashes.length;
  const x = expectReference(c);
  const shape = x.kindKnown ? REFERENCE_SHAPES[c.kind] : undefined;
  const tableCount = () => (shape ? rows<{ n: string }>(s, `SELECT count() AS n FROM {db}.ref_${c.kind} FINAL`).then((r) => Number(r[0].n)) : Promise.resolve(0));
  const [logBefore, tableBefore] = [await count(s, 'reference_log'), await tableCount()];
  const r = await send(s.url, 'PUT', `/api/v1/reference/${encodeURIComponent(c.kind)}`, { body: JSON.stringify(c.rows), contentType: 'application/json', token: INGEST });
  const [logAfter, tableAfter] = [await count(s, 'reference_log'), await tableCount()];
  const v = judgeReference(c, x, r);
  if (r.status !== 200 && (logAfter !== logBefore || tableAfter !== tableBefore)) v.push(`${r.status} but reference_log grew by ${logAfter - logBefore}, ref_${c.kind} by ${tableAfter - tableBefore}`);
  if (r.status === 200 && shape) {
    // Each key's last row of the request is what ref_<kind> now holds (string fields compared as text).
    const last = new Map<string, JsonObject>();
    for (const row of c.rows.map(viaJson)) if (isObject(row)) last.set(JSON.stringify(shape.key.map((k) => row[k])), row);
    const fields = Object.entries(shape.req).filter(([, f]) => STRING_KINDS.has(f.k)).map(([k]) => k);
    for (const row of last.values()) {
      const where = shape.key.map((k, i) => `toString(${k}) = {k${i}:String}`).join(' AND ');
      const params = Object.fromEntries(shape.key.map((k, i) => [`k${i}`, String(row[k])]));
      try {
        const found = await rows<Record<string, string>>(s, `SELECT ${fields.map((f) => `toString(${f}) AS ${f}`).join(', ')} FROM {db}.ref_${c.kind} FINAL WHERE ${where}`, params);
        const diff = fields.filter((f) => found.length !== 1 || found[0][f] !== row[f]);
        if (diff.length) v.push(`200 but ref_${c.kind} holds ${show(found)} for the row ${show(row)} (fields ${diff.join(', ')})`);
      } catch (e) {
        v.push(`200 but the row ${show(row)} cannot be read back: ${(e as Error).message.slice(0, 200)}`);
      }
    }
  }
  v.push(...processViolations(crashesBefore));
  return v;
}

const TOKENS: Record<MetricQuery['token'], string | null> = { admin: ADMIN, ingest: INGEST, none: null, wrong: 'wrong-token-0123456789' };

async function metricViolations(q: MetricQuery): Promise<string[]> {
  const s = server();
  const crashesBefore = crashes.length;
  const r = await send(s.url, 'GET', metricUrl(q), { token: TOKENS[q.token], timeoutMs: 20_000 });
  return [...judgeMetricQuery(q, expectMetricQuery(catalogue, q), r), ...processViolations(crashesBefore)];
}

/** An answer slower than this is a violation (one request blocked the server; a normal PUT takes ~0.1 s). */
const SLOW_MS = 3_000;

/** The latest stored version of each admin screen (row counts move with background merges). */
async function screenVersions(s: ReturnType<typeof server>): Promise<Map<string, string>> {
  return new Map((await rows<{ id: string; v: string }>(s, 'SELECT id, toString(max(version)) AS v FROM {db}.screens GROUP BY id')).map((r) => [r.id, r.v]));
}

async function screenViolations(c: ScreenCase): Promise<string[]> {
  const s = server();
  const crashesBefore = crashes.length;
  const path = `/api/v1/screens/${c.id}`;
  const before = await screenVersions(s);
  const got = await send(s.url, 'GET', path);
  const t0 = performance.now();
  const r = await send(s.url, 'PUT', path, { body: JSON.stringify(c.doc), contentType: c.contentType || null }).catch((e: Error) => ({ status: 0, body: e.message, text: '' }));
  const ms = performance.now() - t0;
  if (r.status === 0) return [`no answer after ${(ms / 1000).toFixed(1)} s: ${r.body}`, ...processViolations(crashesBefore)];
  const after = await screenVersions(s);
  const now = await send(s.url, 'GET', path);
  const changed = [...new Set([...before.keys(), ...after.keys()])].filter((id) => before.get(id) !== after.get(id));
  const v: string[] = [];
  if (r.status >= 500) v.push(`${r.status} (a 5xx): ${show(r.body)}`);
  else if (![200, 400, 404, 413, 415, 429].includes(r.status)) v.push(`unexpected status ${r.status}: ${show(r.body)}`);
  if (c.pristine && r.status !== 200) v.push(`${r.status} for a built-in screen under a new id: ${show(r.body)}`);
  // A screen is at most a 48 × 48 grid: checking one is instant. Seconds here stall every wall and ingest.
  if (ms > SLOW_MS) v.push(`answered ${r.status} after ${(ms / 1000).toFixed(1)} s (the server was busy with this request alone)`);
  if (r.status === 200) {
    if (changed.length !== 1) v.push(`200 but the stored screens that changed are ${show(changed)}`);
    const sent = viaJson(c.doc) as JsonObject;
    if (now.status !== 200 || !isObject(now.body) || JSON.stringify((now.body as JsonObject).widgets) !== JSON.stringify(sent.widgets)) v.push(`200 but GET ${path} → ${now.status} ${show(now.body)}`);
  } else {
    if (changed.length) v.push(`${r.status} but stored screens changed: ${show(changed)}`);
    if (now.status !== got.status || now.text !== got.text) v.push(`${r.status} but GET ${path} changed: ${got.status} → ${now.status}`);
  }
  if (now.status >= 500 || got.status >= 500) v.push(`GET ${path} → ${got.status}, ${now.status}`);
  v.push(...processViolations(crashesBefore));
  return v;
}

describe('fuzz: reference data, metric params, screens', () => {
  it('reference rows, valid: 200 {upserted: N}, each row readable as sent', () => property('reference/valid', referenceCase([]), 40, 8_000, referenceViolations), 120_000);
  it('reference rows, mutated (types, bounds, Unicode, structure): the CONTRACT status, a 4xx stores nothing', () =>
    property('reference/mutated', referenceCase(['types', 'bounds', 'unicode', 'structure']), 150, 15_000, referenceViolations), 120_000);

  it('metric params of every metric: 200 or 400 naming the param, 404 for unknown metrics, never a 5xx, no data without a token', async () => {
    // Data for the metrics to read: valid events of every type (values at their bounds too), on top of the
    // reference rows the properties above stored.
    const events = fc.sample(anyValidEvent, { seed: seedOf('metrics/data'), numRuns: 400 });
    const r = await send(server().url, 'POST', '/api/v1/events', { body: JSON.stringify(events), contentType: 'application/json', token: INGEST });
    expect(r.status, show(r.body)).toBe(200);
    await property('metrics/params', metricQueryCase(catalogue), 400, 20_000, metricViolations);
  }, 120_000);

  it('screens (admin PUT): mutated built-in screens and random JSON; a 4xx changes nothing, a 200 is served as sent, promptly', () => {
    // Found by bench/fuzz.ts: a widget area far outside the grid (2,000 × 2,000 cells here; 2^53 rows in the
    // bench) is checked cell by cell: seconds of a blocked event loop (then a 500 at 2^24 cells).
    const wide = cloneJson(builtins[0]);
    const area = ((wide.widgets as JsonObject[])[0].area as JsonObject);
    Object.assign(area, { colSpan: 2_000, rowSpan: 2_000 });
    const pinned: ScreenCase = printable({ id: 'fuzz-wide-area', doc: objectOf(Object.entries({ ...wide, id: 'fuzz-wide-area' })), pristine: false, contentType: 'application/json' });
    return property('screens/put', screenCase(builtins), 120, 10_000, screenViolations, [pinned]);
  }, 120_000);

  it('afterwards: healthy, every listed screen served, subscribe and ingest still work, no crash', async () => {
    const s = server();
    const v = await healthViolations(s, crashesAtStart);
    const list = await send(s.url, 'GET', '/api/v1/screens');
    if (list.status !== 200 || !Array.isArray(list.body)) v.push(`GET /api/v1/screens → ${list.status} ${show(list.body)}`);
    else {
      for (const sc of list.body as { id: string }[]) {
        const one = await send(s.url, 'GET', `/api/v1/screens/${encodeURIComponent(sc.id)}`);
        if (one.status !== 200) v.push(`GET /api/v1/screens/${sc.id} → ${one.status} ${show(one.body)}`);
      }
    }
    expect(v).toEqual([]);
  }, 90_000);
});

// fast-check arbitraries of the fuzz suite (test/server/fuzz-*.test.ts, bench/fuzz.ts): valid CONTRACT events
// and reference rows of every kind, and their mutations field by field (types, bounds, Unicode, structure),
// request bodies, raw bodies, metric queries, screens and socket operations. What the server must answer is
// the oracle's (fuzz-oracle.ts). No vitest here: the bench imports it too.
import fc from 'fast-check';
import {
  DAY_MS, ENVELOPE, EVENT_SHAPES, EVENT_TYPES, FEN_MAX, GOOD_TYPES, KNOWN_KEY, ODD_TYPES, REFERENCE_KINDS, REFERENCE_SHAPES, TS_MIN, WRONG_TYPES,
  cloneJson, codePoints, hasLoneSurrogate, hasOwn, isObject, objectOf, setOwn, show,
  type Catalogue, type Field, type IngestCase, type Json, type JsonObject, type MetricQuery, type PathPart, type RawCase, type ReferenceCase, type ScreenCase, type Shape, type SocketOp, type AckMode,
} from './fuzz-oracle.ts';

export * from './fuzz-oracle.ts';

/** The fixed seed of CI runs; `FUZZ_SEED=n` replays another one. */
export const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? 20_261_207);

/** Multiplies every property's number of runs (`FUZZ_SCALE=10` for a longer local run). @default 1 */
export const FUZZ_SCALE = Number(process.env.FUZZ_SCALE ?? 1);

/** The seed of one property: FUZZ_SEED plus an offset of its name (properties draw different values). */
export function seedOf(name: string): number {
  let h = 0;
  for (const c of name) h = (h * 31 + c.charCodeAt(0)) % 1_000_003;
  return FUZZ_SEED + h;
}

/** fast-check parameters of one property: its fixed seed and numRuns × FUZZ_SCALE; `budgetMs` (× FUZZ_SCALE)
 *  is the wall-clock budget the runner (test/helpers/fuzz-run.ts) gives it. */
export function fuzzParams(name: string, numRuns: number, budgetMs: number): { seed: number; numRuns: number; budgetMs: number } {
  return { seed: seedOf(name), numRuns: Math.max(1, Math.round(numRuns * FUZZ_SCALE)), budgetMs: Math.round(budgetMs * Math.max(1, FUZZ_SCALE)) };
}

/** Makes fast-check print `v` with `show` in counterexamples. */
export function printable<T extends object>(v: T): T {
  Object.defineProperty(v, fc.toStringMethod, { value: () => show(v), enumerable: false });
  return v;
}

/** One "character" of a fuzzed string: ASCII, CJK, astral (emoji, 𠮷), RTL, combining marks, controls but NUL. */
const unicodeUnit: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }) },
  { weight: 2, arbitrary: fc.constantFrom('药', '品', '批', '号', '张', '广', '东', '𠮷', '😀', '👩‍👩‍👧', '🇨🇳', '\u{1F9EA}', '\u{10FFFD}') },
  { weight: 1, arbitrary: fc.constantFrom('\u202e', '\u202d', '\u200f', '\u200e', '\u061c', 'ا', 'ש', '١', '\u2066', '\u2069') },
  { weight: 1, arbitrary: fc.constantFrom('\u0301', '\u0308', '\u200d', '\ufe0f', '\u200b', '\ufeff', '\u2028', '\u2029', '\u0085', '\u00a0') },
  { weight: 1, arbitrary: fc.constantFrom('\u0001', '\u0007', '\b', '\t', '\n', '\r', '\u001f', '\u007f', '"', '\\', '/', "'", '`', '%', '{', '}') },
  { weight: 1, arbitrary: fc.constantFrom('\uffff', '\ufffe', '\ufffd', '\u{1FFFF}', '\uFDD0') },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }).filter((c) => c !== '\u0000') },
);

/** A well-formed string of at most `maxUnits` UTF-16 units and at least `minCps` code points. */
export const unicodeString = (minCps: number, maxUnits: number): fc.Arbitrary<string> =>
  fc.string({ unit: unicodeUnit, minLength: minCps, maxLength: Math.max(minCps, Math.floor(maxUnits / 4)) }).filter((s) => s.length <= maxUnits && codePoints(s) >= minCps && !hasLoneSurrogate(s));

const LONE_HIGH = fc.integer({ min: 0xd800, max: 0xdbff }).map((c) => String.fromCharCode(c));

const LONE_LOW = fc.integer({ min: 0xdc00, max: 0xdfff }).map((c) => String.fromCharCode(c));

/** What to put into a string: each alone may make it invalid (lone surrogate, NUL) or stay valid. */
const insertion: fc.Arbitrary<string> = fc.oneof(
  LONE_HIGH,
  LONE_LOW,
  fc.constantFrom('\ude00\ud83d', '\ud800\ud800', '\u0000', '\u0000\u0000', '😀', '𠮷', '\u202e', '\u200f', 'مرحبا', '\u0301', '\ufeff', '\u2028', '\uffff', '\r\n', '\\u0000', '\\ud800', '%00', '\u0085'),
  unicodeUnit,
);

/** Mutations of a string: insert at a position (inside a surrogate pair too), pad to a bound, replace. */
export function stringMutation(s: string): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.tuple(fc.nat(s.length), insertion).map(([i, x]) => s.slice(0, i) + x + s.slice(i)) },
    {
      weight: 2,
      // exactly n code points: the string's first one, then c
      arbitrary: fc.tuple(fc.constantFrom(0, 1, 127, 128, 129, 999, 1_000, 1_001, 4_096, 100_000), fc.constantFrom('x', '😀', '药', 'é')).map(([n, c]) =>
        n === 0 ? '' : ([...s][0] ?? c) + c.repeat(n - 1),
      ),
    },
    { weight: 2, arbitrary: fc.constantFrom('', ' ', '\u0000', '\ud800', '\udfff', '😀'.repeat(64), '😀'.repeat(65), '😀'.repeat(128), '😀'.repeat(129), 'x'.repeat(128), 'x'.repeat(129), 'x'.repeat(1_000), 'x'.repeat(1_001), '😀'.repeat(500), '😀'.repeat(501), '😀'.repeat(1_001)) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
    { weight: 1, arbitrary: fc.tuple(fc.nat(s.length), fc.nat(s.length)).map(([a, b]) => s.slice(Math.min(a, b), Math.max(a, b))) },
  );
}

/** A business day no generated valid event falls on: the final checks of fuzz-ingest sum exactly there. */
export const RESERVED_DATE = '2010-06-15';

const RESERVED_FROM = Date.parse('2010-06-13T00:00:00Z');

const RESERVED_TO = Date.parse('2010-06-17T00:00:00Z');

const GEN_NOW = Date.now();

const idArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,23}$/) },
  { weight: 2, arbitrary: unicodeString(1, 128) },
  { weight: 1, arbitrary: fc.constantFrom('x'.repeat(128), '😀'.repeat(64), 'a', ' ', '\u202eRTL-01', 'مرحبا-١٢٣', '药-批号-甲', 'e\u0301', '👩‍👩‍👧‍👦', '\uffff', '𠮷'.repeat(10), '__proto__', 'constructor', 'toString') },
);

const textArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: unicodeString(0, 200) },
  { weight: 1, arbitrary: fc.constantFrom('', 'x'.repeat(1_000), '😀'.repeat(500), '广东省深圳市南山区科技园88号', '\u202e\u0644\u0627 RTL mix 中文') },
);

const fenArb: fc.Arbitrary<number> = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 1_000_000 }) },
  { weight: 2, arbitrary: fc.bigInt({ min: 0n, max: BigInt(FEN_MAX) }).map(Number) },
  { weight: 1, arbitrary: fc.constantFrom(0, FEN_MAX, 2 ** 31, 2 ** 32 + 1) },
);

function tsText(ms: number, offsetMin: number, fracDigits: number, zulu: boolean): string {
  const local = new Date(ms + (zulu ? 0 : offsetMin) * 60_000).toISOString();
  const frac = fracDigits === 0 ? '' : `.${(local.slice(20, 23) + '000000').slice(0, fracDigits)}`;
  const sign = offsetMin < 0 ? '-' : '+';
  const abs = Math.abs(offsetMin);
  const off = zulu ? 'Z' : `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  return `${local.slice(0, 19)}${frac}${off}`;
}

/** Epoch ms of valid events: from 2000-01-03 to 10 minutes ago, mostly the last three days, never near RESERVED_DATE. */
const validMs: fc.Arbitrary<number> = fc
  .oneof(
    { weight: 3, arbitrary: fc.integer({ min: 0, max: 3 * 86_400 }).map((s) => GEN_NOW - 600_000 - s * 1000) },
    { weight: 2, arbitrary: fc.integer({ min: (TS_MIN + 2 * DAY_MS) / 1000, max: Math.floor((GEN_NOW - 600_000) / 1000) }).map((s) => s * 1000) },
  )
  .chain((ms) => fc.integer({ min: 0, max: 999 }).map((x) => ms + x))
  .filter((ms) => ms < RESERVED_FROM || ms > RESERVED_TO);

export const validTs: fc.Arbitrary<string | number> = fc.oneof(
  validMs,
  fc
    .tuple(validMs, fc.constantFrom(480, 0, -300, 330, 345, -720, 840, 60, -570, 525), fc.integer({ min: 0, max: 9 }), fc.boolean())
    .map(([ms, off, frac, z]) => tsText(ms, off, frac, z)),
);

function validValue(f: Field): fc.Arbitrary<Json> {
  switch (f.k) {
    case 'id':
      return idArb;
    case 'text':
      return textArb;
    case 'enum':
      return fc.constantFrom(...f.values);
    case 'int':
      if (f.max === FEN_MAX) return fenArb;
      return fc.oneof(fc.integer({ min: f.min, max: f.max }), fc.constantFrom(f.min, f.max)).filter((n) => !f.notZero || n !== 0);
    case 'num':
      return fc.oneof(fc.double({ min: f.min, max: f.max, noNaN: true }), fc.integer({ min: f.min, max: f.max }), fc.constantFrom(f.min, f.max));
    case 'ts':
      return validTs;
    case 'code':
      return fc.stringMatching(/^[0-9]{20}$/);
    case 'bool':
      return fc.boolean();
    case 'date':
      return fc.integer({ min: 0, max: 36_524 }).map((d) => new Date(Date.UTC(2000, 0, 1) + d * DAY_MS).toISOString().slice(0, 10));
    case 'list':
      return fc.array(validValue(f.item), { maxLength: 3 });
    case 'array':
      return fc.array(validObject(f.item), { minLength: Math.max(1, f.min), maxLength: 4 });
  }
}

function validObject(shape: Shape, extra: Record<string, fc.Arbitrary<Json>> = {}): fc.Arbitrary<JsonObject> {
  const model: Record<string, fc.Arbitrary<Json>> = { ...extra };
  for (const [k, f] of Object.entries(shape.req)) model[k] = validValue(f);
  for (const [k, f] of Object.entries(shape.opt)) model[k] = validValue(f);
  return fc.record(model, { requiredKeys: [...Object.keys(extra), ...Object.keys(shape.req)] });
}

/** event_ids: 64 random bits (distinct across a run), sometimes with a Unicode tail. */
export const eventIdArb: fc.Arbitrary<string> = fc
  .tuple(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), fc.oneof({ weight: 3, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: unicodeString(1, 40) }))
  .map(([n, tail]) => `e-${n.toString(16).padStart(16, '0')}${tail ?? ''}`);

export function validEvent(type: string): fc.Arbitrary<JsonObject> {
  return validObject(EVENT_SHAPES[type], { event_id: eventIdArb, type: fc.constant(type), ts: validTs });
}

export const anyValidEvent: fc.Arbitrary<JsonObject> = fc.constantFrom(...EVENT_TYPES).chain(validEvent);

export function validRow(kind: string): fc.Arbitrary<JsonObject> {
  return validObject(REFERENCE_SHAPES[kind]);
}

export type MutationClass = 'types' | 'bounds' | 'unicode' | 'structure';

export const MUTATION_CLASSES: readonly MutationClass[] = ['types', 'bounds', 'unicode', 'structure'];

interface Site {
  path: PathPart[];
  field: Field | null;
}

function fieldAt(shape: Shape, k: string, root: boolean): Field | null {
  if (root && hasOwn(ENVELOPE, k)) return ENVELOPE[k];
  return (hasOwn(shape.req, k) ? shape.req[k] : hasOwn(shape.opt, k) ? shape.opt[k] : null) ?? null;
}

/** Every place of a value: leaves with their field kind, objects and arrays. */
function sites(v: Json, shape: Shape | null, path: PathPart[], out: Site[], root: boolean, field: Field | null = null): Site[] {
  out.push({ path, field });
  if (Array.isArray(v)) {
    const item = field?.k === 'array' ? null : field?.k === 'list' ? field.item : null;
    v.slice(0, 5).forEach((x, i) => sites(x, field?.k === 'array' ? field.item : null, [...path, i], out, false, item));
  } else if (isObject(v)) {
    for (const k of Object.keys(v)) {
      const f = shape ? fieldAt(shape, k, root) : null;
      sites(v[k], f?.k === 'array' ? f.item : null, [...path, k], out, false, f);
    }
  }
  return out;
}

function getAt(v: Json, path: readonly PathPart[]): Json | undefined {
  let cur: Json | undefined = v;
  for (const k of path) {
    if (Array.isArray(cur) && typeof k === 'number') cur = cur[k];
    else if (isObject(cur) && typeof k === 'string' && hasOwn(cur, k)) cur = cur[k];
    else return undefined;
  }
  return cur;
}

type Mutation = { op: 'set'; path: PathPart[]; value: Json } | { op: 'delete'; path: PathPart[] } | { op: 'add'; path: PathPart[]; key: string; value: Json };

function apply(v: Json, m: Mutation): Json {
  if (m.op === 'set' && m.path.length === 0) return m.value;
  const out = cloneJson(v);
  const parentPath = m.op === 'add' ? m.path : m.path.slice(0, -1);
  const parent = getAt(out, parentPath);
  if (m.op === 'add') {
    if (isObject(parent)) setOwn(parent, m.key, m.value);
    return out;
  }
  const last = m.path[m.path.length - 1];
  if (Array.isArray(parent) && typeof last === 'number') {
    if (m.op === 'set') parent[last] = m.value;
    else parent.splice(last, 1);
  } else if (isObject(parent) && typeof last === 'string') {
    if (m.op === 'set') setOwn(parent, last, m.value);
    else delete parent[last];
  }
  return out;
}

/** Deep nesting: `[[[…]]]` or `{"a":{"a":…}}`, depth up to 1,500 (JSON.stringify recurses). */
export const deepNested = (depth: number, kind: 'array' | 'object'): Json => {
  let v: Json = 0;
  for (let i = 0; i < depth; i++) v = kind === 'array' ? [v] : { a: v };
  return v;
};

const confusion = (orig: Json | undefined): fc.Arbitrary<Json> =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom<Json>(null, true, false, 0, -1, 1.5, -0.5, '', '0', '1', 'null', 'true', '[]', [], {}, 1e21, 2 ** 53 + 2, -(2 ** 63)) },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json> },
    {
      weight: 2,
      arbitrary: fc.constantFrom<Json>(
        orig === undefined ? null : [orig],
        orig === undefined ? null : { value: orig },
        orig === undefined ? '' : typeof orig === 'string' ? orig : JSON.stringify(orig),
        typeof orig === 'string' && Number.isFinite(Number(orig)) && orig.trim() !== '' ? Number(orig) : 0,
      ),
    },
    { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 2, max: 1_500 }), fc.constantFrom<'array' | 'object'>('array', 'object')).map(([d, k]) => deepNested(d, k)) },
    { weight: 1, arbitrary: fc.constant(objectOf([['__proto__', { polluted: true }], ['toString', 1], ['valueOf', 'x']])) },
  );

const nowMs = () => Date.now();

function boundary(f: Field | null, orig: Json | undefined): fc.Arbitrary<Json> {
  switch (f?.k) {
    case 'int': {
      const { min, max } = f;
      return fc.constantFrom<Json>(min, max, min - 1, max + 1, min + 0.5, max - 0.5, 0, -1, 1, 2 ** 31, 2 ** 32, 2 ** 53 - 1, 2 ** 53, 2 ** 53 + 2, 2 ** 63, -(2 ** 63), 1e21, Number.MAX_VALUE, 5e-324, -5e-324, String(min), String(max));
    }
    case 'num':
      return fc.oneof(
        fc.constantFrom<Json>(f.min, f.max, f.min - 1e-9, f.max + 1e-9, f.min - 1, f.max + 1, 0, 36.6, 1e308, -1e308, 5e-324, 2 ** 53 + 2, String(f.max)),
        fc.double({ noNaN: true, noDefaultInfinity: true }) as fc.Arbitrary<Json>,
      );
    case 'ts': {
      const now = nowMs();
      return fc.oneof(
        fc.constantFrom<Json>(
          '2000-01-01T00:00:00Z', '2000-01-01T08:00:00+08:00', '2000-01-01T00:00:00.000Z', '1999-12-31T23:59:59.999Z', '1999-12-31T23:59:59.999999999Z',
          '2000-01-01T07:59:59.999+08:00', '1969-12-31T23:59:59Z', '1969-12-31T23:59:59.999-00:00', '1970-01-01T00:00:00Z', '1970-01-01T08:00:00+08:00',
          '0000-01-01T00:00:00Z', '0001-01-01T00:00:00+00:00', '9999-12-31T23:59:59Z', '2106-02-07T06:28:16Z', '2262-04-11T23:47:16Z', '2038-01-19T03:14:08Z',
          '2026-02-29T10:00:00+08:00', '2024-02-29T10:00:00+08:00', '2026-02-30T10:00:00+08:00', '2026-13-01T10:00:00+08:00', '2026-11-11T24:00:00+08:00',
          '2026-11-11T23:59:60Z', '2026-11-11t10:00:00z', '2026-11-11T10:00:00', '2026-11-11 10:00:00+08:00', '2026-11-11T10:00+08:00', '2026-11-11T10:00:00+0800',
          '2026-11-11T10:00:00.+08:00', '2026-11-11T10:00:00,5+08:00', '2026-11-11T10:00:00.123456789+08:00', '2026-11-11T10:00:00.1234567891+08:00',
          '2026-11-11T10:00:00+24:00', '2026-11-11T10:00:00+23:59', '2026-11-11T10:00:00-00:00', '2026-11-11T10:00:00+08:60', '2026-11-11', '', 'now',
          '２０２６-11-11T10:00:00+08:00', '2026-11-11T10:00:00+08:00\u0000', '2026-11-11T10:00:00+08:00[Asia/Shanghai]', ' 2026-11-11T10:00:00+08:00',
          TS_MIN, TS_MIN - 1, 0, -1, -62_135_596_800_000, 253_402_300_799_999, 8.64e15, 8.64e15 + 1, 1e300, 1_762_826_400, 1_762_826_400.5 * 1000 + 0.25,
          '1762826400000', 4_294_967_296_000, 2 ** 53, TS_MIN + 0.5,
        ),
        fc.constantFrom(-2 * DAY_MS, 0, DAY_MS - 3_600_000, DAY_MS + 3_600_000, 400 * DAY_MS, 30 * 365 * DAY_MS).chain((d) =>
          fc.tuple(fc.constantFrom(0, 480, -600), fc.integer({ min: 0, max: 9 }), fc.boolean()).map(([off, frac, asNumber]) => (asNumber ? now + d : tsText(now + d, off, frac, off === 0))),
        ),
      );
    }
    case 'id':
    case 'text':
    case 'enum':
    case 'code':
    case 'date': {
      const near: Json[] =
        f.k === 'enum'
          ? [...f.values.slice(0, 3).map((x) => x.toUpperCase()), ...f.values.slice(0, 2).map((x) => ` ${x}`), `${f.values[0]}\u0000`, '广东省', '台湾', '香港', '澳门', 'Guangdong', 'amazon', 'all', '']
          : f.k === 'code'
            ? ['1234567890123456789', '123456789012345678901', '１２３４５６７８９０１２３４５６７８９０', '١٢٣٤٥٦٧٨٩٠١٢٣٤٥٦٧٨٩٠', '12345678901234567890\n', '1234567890123456789a', 12345678901234567890]
            : f.k === 'date'
              ? ['1969-12-31', '0000-00-00', '0000-01-01', '9999-12-31', '1900-01-01', '1899-12-31', '2299-12-31', '2300-01-01', '2026-02-29', '2024-02-29', '2026-02-30', '2026-1-1', '20261207', '2026-12-07T00:00:00Z', '2026-12-07 ', '']
              : [];
      return fc.oneof(fc.constantFrom<Json>(...(near.length ? near : [''])), stringMutation(typeof orig === 'string' ? orig : 'x'));
    }
    case 'bool':
      return fc.constantFrom<Json>('true', 'false', 0, 1, null, 'yes', []);
    case 'array':
    case 'list':
      return fc.constantFrom<Json>([], null, {}, '');
    default:
      // No declared field (a screen document): numbers get sizes and spans that hurt loops, strings their mutations.
      if (typeof orig === 'number') {
        return fc.oneof(fc.constantFrom<Json>(0, -1, 1, 0.5, 47, 48, 49, 640, 7680, 7681, 1_000, 3_000, 1e6), confusion(orig));
      }
      if (typeof orig === 'string') return fc.oneof(stringMutation(orig), confusion(orig));
      return confusion(orig);
  }
}

const EXTRA_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', '__defineGetter__', 'then', '$where', '', ' ', 'EVENT_ID', 'Type', 'TS', 'x'.repeat(300), '\ud800', 'a\u0000b', '🙂', 'id_card', 'lines ', 'polluted'];

const extraValue: fc.Arbitrary<Json> = fc.oneof(
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json> },
  { weight: 1, arbitrary: fc.constantFrom<Json>(objectOf([['prototype', { polluted: true }]]), { polluted: true }, objectOf([['__proto__', { polluted: true }]]), 'x'.repeat(200_000), '\ud800', null) },
  { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 10, max: 1_500 }), fc.constantFrom<'array' | 'object'>('array', 'object')).map(([d, k]) => deepNested(d, k)) },
);

const TYPE_NEAR = ['order.PAID', 'order.paid ', ' order.paid', 'order', 'order.', '.paid', 'order.paid.extra', 'orders.paid', '', 'ORDER.PAID', 'order\u0000.paid', 'order.paid\ud800', 'order.teleported', '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'rx', 'order.pаid' /* Cyrillic а */];

function mutationOf(doc: JsonObject, shape: Shape | null, cls: MutationClass): fc.Arbitrary<Mutation> {
  const all = sites(doc, shape, [], [], true);
  const leaves = all.filter((s) => s.path.length > 0);
  const strings = leaves.filter((s) => typeof getAt(doc, s.path) === 'string');
  const objects = all.filter((s) => isObject(getAt(doc, s.path)));
  const arrays = all.filter((s) => Array.isArray(getAt(doc, s.path)));
  const pick = (xs: Site[]) => fc.constantFrom(...(xs.length ? xs : all));
  switch (cls) {
    case 'types':
      return pick(leaves).chain((s) => confusion(getAt(doc, s.path)).map((value): Mutation => ({ op: 'set', path: s.path, value })));
    case 'bounds':
      return pick(leaves.filter((s) => s.field !== null)).chain((s) => boundary(s.field, getAt(doc, s.path)).map((value): Mutation => ({ op: 'set', path: s.path, value })));
    case 'unicode':
      return pick(strings).chain((s) => stringMutation(String(getAt(doc, s.path) ?? '')).map((value): Mutation => ({ op: 'set', path: s.path, value })));
    case 'structure':
      return fc.oneof(
        { weight: 3, arbitrary: pick(leaves).map((s): Mutation => ({ op: 'delete', path: s.path })) },
        { weight: 3, arbitrary: fc.tuple(pick(objects), fc.oneof(fc.constantFrom(...EXTRA_KEYS), fc.string({ maxLength: 12 })), extraValue).map(([s, key, value]): Mutation => ({ op: 'add', path: s.path, key, value })) },
        {
          weight: 2,
          arbitrary: pick(arrays).chain((s) => {
            const cur = getAt(doc, s.path);
            const arr: Json[] = Array.isArray(cur) ? cur : [cur ?? null];
            const seed = arr.length ? arr[0] : null;
            return fc.oneof(
              fc.constantFrom(0, 1, 2, 50, 999, 1_000, 1_001, 1_500).map((n): Mutation => ({ op: 'set', path: s.path, value: Array.from({ length: n }, () => cloneJson(seed)) })),
              fc.constant<Mutation>({ op: 'set', path: s.path, value: [arr] }),
              fc.constant<Mutation>({ op: 'set', path: s.path, value: [...arr, ...arr] }),
              fc.constant<Mutation>({ op: 'set', path: s.path, value: [null, ...arr] }),
            );
          }),
        },
        { weight: 1, arbitrary: fc.constantFrom<Json>(...EVENT_TYPES, ...TYPE_NEAR, 0, null, ['order.paid']).map((value): Mutation => ({ op: 'set', path: ['type'], value })) },
        { weight: 1, arbitrary: fc.constantFrom<Json>(null, 0, 'order.paid', [], [cloneJson(doc)], true, JSON.stringify(doc)).map((value): Mutation => ({ op: 'set', path: [], value })) },
      );
  }
}

/** A valid document mutated 1–3 times by mutations of the given classes. */
function mutated(base: fc.Arbitrary<JsonObject>, shapeOf: (d: JsonObject) => Shape | null, classes: readonly MutationClass[]): fc.Arbitrary<Json> {
  return base.chain((doc) =>
    fc.array(fc.constantFrom(...classes).chain((cls) => mutationOf(doc, shapeOf(doc), cls)), { minLength: 1, maxLength: 3 }).map((ms) => ms.reduce<Json>((d, m) => apply(d, m), doc)),
  );
}

export const mutatedEvent = (classes: readonly MutationClass[] = MUTATION_CLASSES): fc.Arbitrary<Json> =>
  mutated(anyValidEvent, (d) => EVENT_SHAPES[d.type as string] ?? null, classes);

export const mutatedRow = (kind: string, classes: readonly MutationClass[] = MUTATION_CLASSES): fc.Arbitrary<Json> =>
  mutated(validRow(kind), () => REFERENCE_SHAPES[kind], classes);

/** A JSON document (a screen) mutated without a spec: any leaf, object or array. */
export const mutatedDoc = (doc: JsonObject, classes: readonly MutationClass[] = MUTATION_CLASSES): fc.Arbitrary<Json> => mutated(fc.constant(doc), () => null, classes);

export function ingestCase(o: { classes: readonly MutationClass[]; maxValid?: number; maxMutated?: number; minMutated?: number }): fc.Arbitrary<IngestCase> {
  return fc
    .record({
      valid: fc.array(anyValidEvent, { maxLength: o.maxValid ?? 10 }),
      bad: fc.array(fc.tuple(o.classes.length ? mutatedEvent(o.classes) : anyValidEvent, fc.nat()), { minLength: o.minMutated ?? 1, maxLength: o.maxMutated ?? 2 }),
      format: fc.constantFrom<'json' | 'ndjson'>('json', 'ndjson'),
      escape: fc.boolean(),
      crlf: fc.boolean(),
      resend: fc.boolean(),
    })
    .map(({ valid, bad, ...rest }) => {
      const events: Json[] = [...valid];
      for (const [e, at] of bad) events.splice(at % (events.length + 1), 0, e);
      return printable({ events, ...rest });
    });
}

export const rawIngestCase: fc.Arbitrary<RawCase> = fc
  .tuple(
    fc.oneof(
      { weight: 3, arbitrary: fc.uint8Array({ maxLength: 2_000 }).map((b): [string | Uint8Array, string] => [b, 'random bytes']) },
      { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 500 }).map((s): [string | Uint8Array, string] => [s, 'random text']) },
      {
        weight: 3,
        arbitrary: fc.constantFrom<[string | Uint8Array, string]>(
          ['', 'empty'], ['\n\n\n', 'blank lines'], ['[]', 'empty array'], ['{}', 'an object'], ['null', 'null'], ['0', 'a number'], ['"x"', 'a string'], ['[', 'truncated array'],
          ['[{"event_id":"x"', 'truncated'], ['[1,]', 'trailing comma'], ['[{}]', 'empty event'], ['[null]', 'null event'], ['[[]]', 'nested array'], ['{"events":[]}', 'wrapped'],
          ['\ufeff[]', 'BOM + empty array'], ['[]\n[]', 'two arrays'], [`${'['.repeat(100_000)}${']'.repeat(100_000)}`, 'deep array 100k'], [`${'{"a":'.repeat(50_000)}0${'}'.repeat(50_000)}`, 'deep object 50k'],
          ['{"a":1}\n{"a":2}\n', 'ndjson of objects'], ['1\n2\n', 'ndjson of numbers'], ['{"__proto__":{"polluted":1}}', 'proto object'], ['[{"__proto__":{"polluted":1},"type":"order.cancelled"}]', 'proto event'],
          ['[1e400]', 'huge number'], ['[-0]', 'minus zero'], ['["\\ud800"]', 'escaped lone surrogate'], ['["\\u0000"]', 'escaped NUL'], [Uint8Array.from([0x5b, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x5d]), 'CESU-8 surrogate'],
          [Uint8Array.from([0x5b, 0x22, 0xff, 0xfe, 0x22, 0x5d]), 'invalid UTF-8'], [Uint8Array.from([0xff, 0xfe, 0x5b, 0x00, 0x5d, 0x00]), 'UTF-16LE with BOM'], ['\u0000', 'NUL'], ['[]'.padEnd(1_000_000, ' '), '1 MB of spaces'],
          ['{"type":"order.cancelled","event_id":"a","order_id":"b","ts":"2026-01-01T00:00:00Z"}\r', 'lone CR line end'], ['\r\n\r\n', 'CRLF only'], ['[\n]', 'newline array'], ['NaN', 'NaN'], ['[Infinity]', 'Infinity'], ["['x']", 'single quotes'],
        ),
      },
    ),
    // only what a client can send as a header value
    fc.oneof(fc.constantFrom<string | null>(...GOOD_TYPES, ...ODD_TYPES, ...WRONG_TYPES, null), fc.string({ maxLength: 30 }).filter((t) => /^[\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?$/.test(t))),
  )
  .map(([[body, note], contentType]) => printable({ body, contentType, note }));

export function referenceCase(classes: readonly MutationClass[]): fc.Arbitrary<ReferenceCase> {
  return fc
    .oneof(
      { weight: 12, arbitrary: fc.constantFrom(...REFERENCE_KINDS) },
      { weight: 1, arbitrary: fc.constantFrom('SKUS', 'skus ', 'sku', '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'events', 'ref_skus', '..', 'sk%75s', '%00') },
    )
    .chain((kind) => {
      const k = hasOwn(REFERENCE_SHAPES, kind) ? kind : 'skus';
      return fc
        .tuple(fc.array(validRow(k), { maxLength: 6 }), fc.array(fc.tuple(classes.length ? mutatedRow(k, classes) : validRow(k), fc.nat()), { minLength: 0, maxLength: 2 }))
        .map(([valid, bad]) => {
          const rows: Json[] = [...valid];
          for (const [r, at] of bad) rows.splice(at % (rows.length + 1), 0, r);
          return printable({ kind, rows });
        });
    });
}

const DATE_VALUES = ['1969-12-31', '0000-00-00', '0000-01-01', '9999-12-31', '1970-01-01', '2000-01-01', '1999-12-31', '2026-02-29', '2024-02-29', '2026-02-30', '2026-13-01', '2026-1-1', '20261207', '2026-12-07T00:00:00Z', '2026-12-07 ', ' 2026-12-07', '', 'today', '２０２６-１２-０７', '2026-12-07\u0000', '-2026-12-07', '+002026-12-07', '2106-02-07', '2149-06-06', '2299-12-31', '2300-01-01', '1900-01-01', '1899-12-31'];

const INT_VALUES = ['0', '1', '10', '100', '101', '-1', '0x10', '1e1', '1.5', '10.0', '010', '+10', ' 10', '10 ', '10abc', '', 'Infinity', 'NaN', '9007199254740993', '1e400', '99999999999999999999', '-0', '0b11', '٣', '１０'];

const PARAM_NAMES = ['date', 'limit', 'warehouse_id', 'by', 'days', 'hours', 'channel', 'DATE', 'date ', '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'params', 'metric', 'token', 'date[]', 'date[0]', ''];

/** Percent-encodes `s` in one of several ways: plain, all, only non-ASCII, doubled, broken. */
function encodeQ(s: string, style: number): string {
  switch (style) {
    case 0:
      return encodeURIComponent(s);
    case 1:
      return [...Buffer.from(s, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
    case 2:
      return encodeURIComponent(encodeURIComponent(s));
    case 3:
      return encodeURIComponent(s).replace(/%20/g, '+');
    default:
      return s.replace(/[&#=]/g, encodeURIComponent);
  }
}

export function metricQueryCase(cat: Catalogue): fc.Arbitrary<MetricQuery> {
  const ids = cat.map((m) => m.id);
  const names = [...new Set([...cat.flatMap((m) => Object.keys(m.params)), ...PARAM_NAMES])];
  const value = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...DATE_VALUES) },
    { weight: 2, arbitrary: fc.integer({ min: 0, max: 36_524 }).map((d) => new Date(Date.UTC(2000, 0, 1) + d * DAY_MS).toISOString().slice(0, 10)) },
    { weight: 3, arbitrary: fc.constantFrom(...INT_VALUES) },
    { weight: 1, arbitrary: fc.constantFrom('channel', 'category', 'campaign', 'sku', 'CHANNEL', 'WH-1', 'x'.repeat(128), 'x'.repeat(129), '😀'.repeat(64), '😀'.repeat(65), '\u202eWH', '仓-1') },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
  );
  const pair = fc.tuple(fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...names) }, { weight: 1, arbitrary: fc.string({ maxLength: 8 }) }), value, fc.integer({ min: 0, max: 9 }));
  const rawPair = fc.oneof(
    { weight: 8, arbitrary: pair.map(([n, v, style]): [string, string] => [style === 2 ? encodeQ(n, 0) : encodeQ(n, style % 5 === 1 ? 1 : 0), encodeQ(v, style % 5)]) },
    { weight: 1, arbitrary: fc.constantFrom<[string, string]>(['date', '%'], ['date', '%zz'], ['date', '%E4%B8'], ['date', '%ED%A0%80'], ['limit', '%C0%AE'], ['%64ate', '2026-12-07'], ['date', '2026-12-07%00'], ['', ''], ['date', '2026%2D12%2D07']) },
  );
  const idArbQ = fc.oneof(
    { weight: 10, arbitrary: fc.constantFrom(...ids) },
    { weight: 1, arbitrary: fc.constantFrom('nope', 'SALES.GMV', 'sales.gmv ', 'sales', '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'sales.gmv\u0000', 'x'.repeat(2_000)) },
  );
  const token = fc.oneof({ weight: 12, arbitrary: fc.constant<'admin'>('admin') }, { weight: 1, arbitrary: fc.constantFrom<MetricQuery['token']>('none', 'ingest', 'wrong') });
  const oddPath = fc.constantFrom(
    (id: string) => `//api/v1/metrics/${id}`, (id: string) => `/api//v1/metrics/${id}`, (id: string) => `/api/v1/metrics/${id}/`, (id: string) => `/api/v1/metrics//${id}`,
    (id: string) => `/%61pi/v1/metrics/${id}`, (id: string) => `/API/v1/metrics/${id}`, (id: string) => `/api/v1/metrics/${encodeQ(id, 1)}`, (id: string) => `/api/v1/metrics/${id}%2F`,
    (id: string) => `/api/v1/./metrics/${id}`, (id: string) => `/api/v1/x/../metrics/${id}`, (id: string) => `/api/v1/metrics/${id};x=1`, (id: string) => `/api/v1/metrics/${id}#frag`,
    (id: string) => `/api/v1/metrics/${id}%00`, () => `/api/v1/metrics/..%2f..%2fhealth`, () => '/api/v1/metrics/..', () => '/api/v1/metrics/.', () => `/api/v1/metrics/%ED%A0%80`, (id: string) => `/api/v1/metrics/${id}?`,
  );
  return fc
    .tuple(idArbQ, fc.array(rawPair, { maxLength: 4 }), token, fc.oneof({ weight: 7, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: oddPath }))
    .map(([id, query, tok, odd]) => printable({ path: odd ? odd(id) : `/api/v1/metrics/${encodeURIComponent(id)}`, id: odd ? null : id, query, token: tok }));
}

/**
 * Screen documents for PUT /api/v1/screens/{id}. `extreme`: widget spans up to 2^53 too (the bench); without
 * it spans stop at 10^6, so one slow validation costs a CI run seconds, not a minute.
 */
export function screenCase(builtins: readonly JsonObject[], o: { extreme?: boolean } = {}): fc.Arbitrary<ScreenCase> {
  const id = fc.oneof(
    { weight: 8, arbitrary: fc.bigInt({ min: 0n, max: 2n ** 32n }).map((n) => `fuzz-${n.toString(36)}`) },
    { weight: 1, arbitrary: fc.constantFrom('war-room', 'executive', 'FUZZ', 'fuzz_x', '-fuzz', 'x'.repeat(63), 'x'.repeat(64), '..', '%2e%2e', '__proto__', 'constructor', 'fuzz%00', 'fuzz-😀', ' fuzz', 'fuzz%2Fx') },
  );
  // The screen's own bounds: a widget's area or the grid just inside and far outside (spans that loops pay for).
  const SIZES: Json[] = [0, -1, 1, 1.5, 12, 13, 47, 48, 49, 1_000, 3_000, 1e6, ...(o.extreme ? [1e9, 2 ** 53 + 2, 1e21] : [])];
  const sized = (doc: JsonObject): fc.Arbitrary<Json> => {
    const widgets = Array.isArray(doc.widgets) ? doc.widgets.length : 0;
    return fc
      .tuple(fc.nat(Math.max(0, widgets - 1)), fc.constantFrom('col', 'row', 'colSpan', 'rowSpan', 'columns', 'rows'), fc.constantFrom(...SIZES))
      .map(([i, key, value]) => {
        const d = cloneJson(doc);
        const target = key === 'columns' || key === 'rows' ? d.grid : (d.widgets as JsonObject[] | undefined)?.[i]?.area;
        if (isObject(target)) setOwn(target, key, value);
        return d;
      });
  };
  const body = fc.constantFrom(...builtins).chain((doc) =>
    fc.oneof(
      { weight: 1, arbitrary: fc.constant<[Json, boolean]>([cloneJson(doc), true]) },
      { weight: 6, arbitrary: mutatedDoc(doc).map((d): [Json, boolean] => [d, false]) },
      { weight: 2, arbitrary: sized(doc).map((d): [Json, boolean] => [d, false]) },
      { weight: 1, arbitrary: (fc.jsonValue({ maxDepth: 4 }) as fc.Arbitrary<Json>).map((d): [Json, boolean] => [d, false]) },
    ),
  );
  return fc
    .tuple(id, body, fc.oneof({ weight: 10, arbitrary: fc.constant('application/json') }, { weight: 1, arbitrary: fc.constantFrom('text/plain', 'application/x-ndjson', 'application/json; charset=utf-8', '') }), fc.boolean())
    .map(([sid, [doc, pristine], contentType, keepId]) => {
      const d = isObject(doc) && (pristine || !keepId) ? objectOf(Object.entries({ ...doc, id: sid })) : doc;
      return printable({ id: sid, doc: d, pristine: pristine && contentType === 'application/json' && /^[a-z0-9][a-z0-9-]{0,62}$/.test(sid), contentType });
    });
}

const CLIENT_RESERVED = new Set(['connect', 'connect_error', 'disconnect', 'disconnecting', 'newListener', 'removeListener']);

export function socketCase(cat: Catalogue, tokens: { admin: string; ingest: string }): fc.Arbitrary<SocketOp[]> {
  const ids = cat.map((m) => m.id);
  const jsonish = fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>;
  const weird = fc.constantFrom<unknown>(
    null, 0, '', 'sales.gmv', [], ['sales.gmv'], {}, true,
    { metric: { toString: 1 } }, { metric: { valueOf: 1, toString: 'x' } }, { metric: ['sales.gmv'] }, { metric: 'sales.gmv', params: { date: { toString: 1 } } },
    { metric: 'sales.gmv', params: 'date=2026-01-01' }, { metric: 'sales.gmv', params: null }, { metric: 'sales.gmv', params: [] }, { metric: 'sales.gmv', params: ['2026-01-01'] },
    { metric: 'sales.gmv', params: objectOf([['__proto__', { date: 'x' }]]) }, { metric: 'sales.gmv', params: { toString: 1 } }, { metric: 'sales.gmv', params: { constructor: { prototype: { polluted: 1 } } } },
    { metric: '__proto__' }, { metric: 'constructor' }, { metric: 'toString' }, { metric: 'hasOwnProperty' }, objectOf([['__proto__', { metric: 'sales.gmv' }]]),
    { key: { toString: 1 } }, { key: { valueOf: 1 } }, { key: { toString: 'x' } }, { key: [] }, { key: [KNOWN_KEY] }, { key: null }, { key: 1 }, { key: {} }, { key: objectOf([['__proto__', null]]) },
    { key: KNOWN_KEY }, { key: 'x'.repeat(100_000) }, { metric: 'sales.gmv', params: { date: 'x'.repeat(100_000) } }, Uint8Array.from([1, 2, 3]), { metric: Uint8Array.from([0x73]) },
  );
  const validParams = (id: string) => {
    const def = cat.find((m) => m.id === id)!;
    const entries = Object.entries(def.params).map(([name, s]): [string, fc.Arbitrary<unknown>] => {
      if (s.format === 'date') return [name, fc.integer({ min: 0, max: 9_000 }).map((d) => new Date(Date.UTC(2002, 0, 1) + d * DAY_MS).toISOString().slice(0, 10))];
      if (s.type === 'integer') return [name, fc.integer({ min: Number(s.minimum ?? 1), max: Math.min(Number(s.maximum ?? 100), 1_000) })];
      if (Array.isArray(s.enum)) return [name, fc.constantFrom(...(s.enum as unknown[]))];
      return [name, fc.stringMatching(/^[A-Z]{2}-[0-9]{1,3}$/)];
    });
    return fc.record(Object.fromEntries(entries), { requiredKeys: [] });
  };
  const subscribeReq = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...ids).chain((metric) => fc.option(validParams(metric), { freq: 3 }).map((params) => (params ? { metric, params } : { metric }))) },
    {
      weight: 3,
      arbitrary: fc.tuple(fc.constantFrom(...ids, 'nope', 'SALES.GMV'), fc.dictionary(fc.constantFrom(...PARAM_NAMES, 'limit', 'warehouse_id'), fc.oneof(fc.constantFrom<unknown>(...DATE_VALUES, ...INT_VALUES, 10, -1, 0, 1.5, 1e21, null, true, [], {}), jsonish), { maxKeys: 3 })).map(([metric, params]) => ({ metric, params })),
    },
    { weight: 3, arbitrary: weird },
    { weight: 1, arbitrary: jsonish },
  );
  const keyReq = fc.oneof(
    { weight: 3, arbitrary: fc.constant<unknown>({ key: KNOWN_KEY }) },
    { weight: 2, arbitrary: weird },
    { weight: 1, arbitrary: fc.string({ maxLength: 30 }).map((key) => ({ key })) },
    { weight: 1, arbitrary: jsonish },
  );
  const ack = fc.oneof({ weight: 6, arbitrary: fc.constant<AckMode>('fn') }, { weight: 1, arbitrary: fc.constantFrom<AckMode>('none', 'value') });
  const extraArgs = fc.oneof({ weight: 6, arbitrary: fc.constant<unknown[]>([]) }, { weight: 1, arbitrary: fc.array(fc.oneof(jsonish, weird), { maxLength: 3 }) });
  const protocol = fc.oneof(
    { weight: 5, arbitrary: fc.tuple(subscribeReq, extraArgs, ack).map(([req, more, a]): SocketOp => ({ kind: 'emit', event: 'metric:subscribe', args: [req, ...more], ack: a })) },
    { weight: 3, arbitrary: fc.tuple(keyReq, extraArgs, ack).map(([req, more, a]): SocketOp => ({ kind: 'emit', event: 'metric:snapshot', args: [req, ...more], ack: a })) },
    { weight: 2, arbitrary: fc.tuple(keyReq, extraArgs, ack).map(([req, more, a]): SocketOp => ({ kind: 'emit', event: 'metric:unsubscribe', args: [req, ...more], ack: a })) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom('metric:subscribe', 'metric:snapshot', 'metric:unsubscribe'), ack).map(([event, a]): SocketOp => ({ kind: 'emit', event, args: [], ack: a })) },
  );
  const otherEvent = fc
    .tuple(
      fc.oneof(
        fc.constantFrom('hub:heartbeat', 'metric:update', 'screen:changed', 'server:shutdown', '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'error', 'message', 'ping', 'metric:Subscribe', 'metric:subscribe ', 'metric:*', '*', ''),
        fc.string({ maxLength: 20 }),
      ).filter((e) => !CLIENT_RESERVED.has(e)),
      fc.array(fc.oneof(jsonish, weird), { maxLength: 3 }),
      ack,
    )
    .map(([event, args, a]): SocketOp => ({ kind: 'emit', event, args, ack: a }));
  const raw = fc
    .oneof(
      fc.constantFrom<string | Uint8Array>(
        '2["metric:subscribe",{"key":{"toString":1}}]', '2["metric:snapshot",{"key":{"toString":1}}]', '2["metric:unsubscribe",{"key":{"toString":1}}]', '27["metric:snapshot",{"key":{"toString":1}}]',
        '2777["metric:subscribe",{"metric":"sales.gmv"}]', '2[]', '2', '2{}', '2["metric:subscribe"', '2[1]', '2[null]', '2[{"toString":1}]', '2["__proto__",{}]', '2["error","x"]', '2["constructor"]',
        '9', '0', '0/admin,', '1', '3["x"]', '31[]', '4"err"', '51-["metric:subscribe",{"_placeholder":true,"num":5}]', '51-["metric:subscribe",{"_placeholder":true,"num":"x"}]',
        '2/nonexistent,["x"]', `2${'['.repeat(20_000)}`, '2["metric:subscribe",{"metric":"sales.gmv","params":{"__proto__":{"date":"x"}}}]', '299999999999999999999["metric:subscribe",{}]', '2-1["x"]',
        Uint8Array.from([1, 2, 3]), Uint8Array.from([]),
      ),
      fc.string({ maxLength: 40 }).map((s) => `2${s}`),
      fc.string({ unit: 'binary', maxLength: 40 }),
    )
    .map((packet): SocketOp => ({ kind: 'raw', packet }));
  const connect = fc
    .constantFrom<unknown>(
      { token: tokens.admin }, { token: tokens.ingest }, { token: `${tokens.admin} ` }, { token: `Bearer ${tokens.admin}` }, { token: [tokens.admin] }, { token: { toString: tokens.admin } },
      { token: 123 }, { token: null }, { token: '' }, { token: 'x'.repeat(50_000) }, {}, null, 'x', objectOf([['__proto__', { token: tokens.admin }]]), { token: tokens.admin.toUpperCase() }, { token: `${tokens.admin}\u0000` },
    )
    .map((auth): SocketOp => ({ kind: 'connect', auth }));
  return fc
    .array(fc.oneof({ weight: 8, arbitrary: protocol }, { weight: 2, arbitrary: otherEvent }, { weight: 1, arbitrary: raw }, { weight: 1, arbitrary: connect }), { minLength: 1, maxLength: 5 })
    .map((ops) => printable(ops));
}


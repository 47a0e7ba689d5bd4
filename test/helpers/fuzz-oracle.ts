// The oracle of the fuzz suite (test/server/fuzz-*.test.ts, bench/fuzz.ts): an independent reading of
// CONTRACT.md (Ingest, "Bounds (v1.1)", Reference data, Read API, Auth), written without the server's schemas.
// Each value is classified `valid` (the server must take it), `invalid` (it must refuse it, naming it) or
// `either` (the CONTRACT does not decide: 200 and 400 are both right, never a 5xx). The classifier works on
// the JSON the server parses, so a mutation that happens to stay valid is expected to pass. The judges turn a
// case, its verdicts and the server's reply into violations (an empty list: nothing wrong).
// No vitest and no fast-check here: the bench imports it too.

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export type JsonObject = { [k: string]: Json };

export type PathPart = string | number;

export const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

export const hasOwn = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

/** Sets `k` as an own data property, even for `__proto__` (an assignment would change the prototype). */
export function setOwn(o: Record<string, unknown>, k: string, v: unknown): void {
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
}

/** A deep copy that keeps `__proto__` keys as data. */
export function cloneJson<T>(v: T): T {
  if (Array.isArray(v)) return v.map((x) => cloneJson(x)) as T;
  if (typeof v === 'object' && v !== null && !(v instanceof Uint8Array)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v)) setOwn(out, k, cloneJson((v as Record<string, unknown>)[k]));
    return out as T;
  }
  return v;
}

/** An object built from entries, keys kept as own data (`__proto__` included). */
export function objectOf(entries: readonly (readonly [string, unknown])[]): JsonObject {
  const o: Record<string, unknown> = {};
  for (const [k, v] of entries) setOwn(o, k, v);
  return o as JsonObject;
}

/** What the server sees: the value after its trip through JSON text. */
export const viaJson = (v: unknown): unknown => JSON.parse(JSON.stringify(v) ?? 'null');

const abbreviate = (s: string) => (s.length > 72 ? `${s.slice(0, 40)}…<${s.length} units>` : s);

/** JSON for reports: long strings and arrays shortened, lone surrogates escaped, deep nesting cut. */
export function show(v: unknown, depth = 0): string {
  if (depth > 10) return '…';
  if (typeof v === 'string') return JSON.stringify(abbreviate(v));
  if (v instanceof Uint8Array) return `<${v.length} bytes ${Buffer.from(v.subarray(0, 24)).toString('hex')}${v.length > 24 ? '…' : ''}>`;
  if (typeof v === 'function') return '<function>';
  if (v === undefined) return 'undefined';
  if (Array.isArray(v)) {
    const items = v.length > 12 ? [...v.slice(0, 6).map((x) => show(x, depth + 1)), `…<${v.length} items>`] : v.map((x) => show(x, depth + 1));
    return `[${items.join(',')}]`;
  }
  if (typeof v === 'object' && v !== null) {
    const keys = Object.keys(v);
    const shown = keys.slice(0, 30).map((k) => `${JSON.stringify(abbreviate(k))}:${show((v as Record<string, unknown>)[k], depth + 1)}`);
    if (keys.length > 30) shown.push(`…<${keys.length} keys>`);
    return `{${shown.join(',')}}`;
  }
  return JSON.stringify(v) ?? String(v);
}

export function hasLoneSurrogate(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
      else return true;
    } else if (c >= 0xdc00 && c <= 0xdfff) return true;
  }
  return false;
}

/** Length in code points (a lone surrogate counts as one). */
export const codePoints = (s: string): number => [...s].length;

/** Keys a JSON parser may refuse the whole body for (prototype poisoning): `__proto__`, `constructor.prototype`. */
export function hasProtoKeys(v: unknown, depth = 0): boolean {
  if (depth > 5_000) return false;
  if (Array.isArray(v)) return v.some((x) => hasProtoKeys(x, depth + 1));
  if (!isObject(v)) return false;
  return Object.keys(v).some((k) => k === '__proto__' || (k === 'constructor' && isObject(v[k]) && hasOwn(v[k] as object, 'prototype')) || hasProtoKeys(v[k], depth + 1));
}

/** Bad strings anywhere in a value (keys too): lone surrogates or NUL. */
function hasBadString(v: unknown, depth = 0): boolean {
  if (depth > 5_000) return false;
  if (typeof v === 'string') return hasLoneSurrogate(v) || v.includes('\u0000');
  if (Array.isArray(v)) return v.some((x) => hasBadString(x, depth + 1));
  if (isObject(v)) return Object.keys(v).some((k) => hasLoneSurrogate(k) || k.includes('\u0000') || hasBadString(v[k], depth + 1));
  return false;
}

export const CHANNELS = ['tmall', 'jd', 'pdd', 'douyin', 'meituan', 'own'] as const;

export const PROVINCES = [
  '北京', '天津', '河北', '山西', '内蒙古', '辽宁', '吉林', '黑龙江', '上海', '江苏', '浙江', '安徽', '福建', '江西', '山东',
  '河南', '湖北', '湖南', '广东', '广西', '海南', '重庆', '四川', '贵州', '云南', '西藏', '陕西', '甘肃', '青海', '宁夏', '新疆',
] as const;

export type Field =
  | { k: 'id' } // `*_id`, batch_no: a string of 1–128 characters
  | { k: 'text' } // any other string: up to 1,000 characters
  | { k: 'enum'; values: readonly string[] }
  | { k: 'int'; min: number; max: number; notZero?: boolean } // money, qty, viewers
  | { k: 'num'; min: number; max: number; soft?: boolean } // temp_c; soft: outside the range is not decided
  | { k: 'ts' }
  | { k: 'code' } // exactly 20 digits
  | { k: 'bool' }
  | { k: 'date' } // YYYY-MM-DD (reference data)
  | { k: 'array'; item: Shape; min: number; softMax: number }
  | { k: 'list'; item: Field; softMax: number };

export interface Shape {
  req: Record<string, Field>;
  opt: Record<string, Field>;
}

const ID: Field = { k: 'id' };

const TEXT: Field = { k: 'text' };

export const FEN_MAX = 10_000_000_000;

const FEN: Field = { k: 'int', min: 0, max: FEN_MAX };

const QTY: Field = { k: 'int', min: 1, max: 100_000 };

const CHANNEL: Field = { k: 'enum', values: CHANNELS };

const PROVINCE: Field = { k: 'enum', values: PROVINCES };

export const LINE: Shape = { req: { sku_id: ID, qty: QTY, unit_price_fen: FEN }, opt: { discount_fen: FEN, batch_no: ID } };

const ORDER_HEAD: Shape = {
  req: { order_id: ID, channel: CHANNEL, shop_id: ID, buyer_id: ID, province: PROVINCE, lines: { k: 'array', item: LINE, min: 1, softMax: 1_000 } },
  opt: { city: TEXT, buyer_name: TEXT, buyer_phone: TEXT, address: TEXT, address_hash: TEXT, device_id: ID, campaign: TEXT },
};

const BOX: Shape = { req: { box_id: ID, sku_id: ID, batch_no: ID, trace_codes: { k: 'list', item: { k: 'code' }, softMax: 10_000 } }, opt: {} };

const move = (qty: Field): Shape => ({ req: { warehouse_id: ID, sku_id: ID, batch_no: ID, qty }, opt: { order_id: ID } });

/** CONTRACT "Event types and required fields", with the v1.1 bounds. The envelope (event_id, type, ts) is apart. */
export const EVENT_SHAPES: Readonly<Record<string, Shape>> = {
  'order.created': ORDER_HEAD,
  'order.paid': { req: { ...ORDER_HEAD.req, paid_fen: FEN }, opt: ORDER_HEAD.opt },
  'order.cancelled': { req: { order_id: ID }, opt: {} },
  'order.shipped': { req: { order_id: ID, warehouse_id: ID }, opt: { boxes: { k: 'array', item: BOX, min: 0, softMax: 10_000 } } },
  'order.delivered': { req: { order_id: ID }, opt: {} },
  'order.refunded': { req: { order_id: ID, refund_fen: FEN }, opt: {} },
  'rx.issued': { req: { rx_id: ID, order_id: ID, source: { k: 'enum', values: ['internet_hospital', 'upload'] } }, opt: {} },
  'rx.review_started': { req: { rx_id: ID, pharmacist_id: ID }, opt: {} },
  'rx.approved': { req: { rx_id: ID, pharmacist_id: ID }, opt: {} },
  'rx.rejected': { req: { rx_id: ID, pharmacist_id: ID }, opt: { reason: TEXT } },
  'inventory.receipt': move(QTY),
  'inventory.pick': move(QTY),
  'inventory.return': move(QTY),
  'inventory.scrap': move(QTY),
  'inventory.adjust': move({ k: 'int', min: -100_000, max: 100_000, notZero: true }),
  'trace.scan': {
    req: { code: { k: 'code' }, sku_id: ID, batch_no: ID, warehouse_id: ID, direction: { k: 'enum', values: ['in', 'out'] } },
    opt: { order_id: ID, box_id: ID },
  },
  // humidity_pct has no bound in the CONTRACT: 0–100 is surely fine, outside it is not decided.
  'sensor.reading': { req: { sensor_id: ID, temp_c: { k: 'num', min: -100, max: 100 } }, opt: { humidity_pct: { k: 'num', min: 0, max: 100, soft: true } } },
  'live.stats': { req: { room_id: ID, channel: CHANNEL, viewers: { k: 'int', min: 0, max: 1_000_000_000 }, gmv_fen: FEN }, opt: {} },
};

export const EVENT_TYPES = Object.keys(EVENT_SHAPES);

export const ENVELOPE: Record<string, Field> = { event_id: ID, ts: { k: 'ts' } };

const STORAGE: Field = { k: 'enum', values: ['normal', 'shady', 'cold'] };

/** CONTRACT "Reference data": every listed field is required. */
export const REFERENCE_SHAPES: Readonly<Record<string, Shape & { key: readonly string[] }>> = {
  skus: {
    key: ['sku_id'],
    req: {
      sku_id: ID, name: TEXT, category: { k: 'enum', values: ['rx', 'otc_a', 'otc_b', 'device', 'supplement', 'herbal'] }, is_rx: { k: 'bool' },
      storage_class: STORAGE, controlled: { k: 'bool' }, traced: { k: 'bool' }, list_price_fen: FEN, cost_fen: FEN,
    },
    opt: {},
  },
  shops: { key: ['shop_id'], req: { shop_id: ID, channel: CHANNEL, name: TEXT, licence_no: TEXT, licence_expires: { k: 'date' }, gsp_expires: { k: 'date' } }, opt: {} },
  warehouses: { key: ['warehouse_id'], req: { warehouse_id: ID, name: TEXT, province: PROVINCE }, opt: {} },
  batches: { key: ['batch_no'], req: { batch_no: ID, sku_id: ID, mfg_date: { k: 'date' }, expiry_date: { k: 'date' } }, opt: {} },
  sensors: { key: ['sensor_id'], req: { sensor_id: ID, warehouse_id: ID, location: TEXT, storage_class: STORAGE }, opt: {} },
  targets: { key: ['date', 'channel'], req: { date: { k: 'date' }, channel: { k: 'enum', values: [...CHANNELS, 'all'] }, gmv_target_fen: FEN }, opt: {} },
};

export const REFERENCE_KINDS = Object.keys(REFERENCE_SHAPES);

export type Verdict = 'valid' | 'either' | 'invalid';

export interface Classification {
  verdict: Verdict;
  /** Paths (`lines[0].qty`) the CONTRACT refuses. */
  invalid: string[];
  /** Paths the CONTRACT does not decide. */
  either: string[];
}

class Problems {
  invalid: string[] = [];
  either: string[] = [];
  bad(path: string): void {
    this.invalid.push(path);
  }
  soft(path: string): void {
    this.either.push(path);
  }
  result(): Classification {
    return { verdict: this.invalid.length ? 'invalid' : this.either.length ? 'either' : 'valid', invalid: this.invalid, either: this.either };
  }
}

const join = (path: string, k: PathPart) => (typeof k === 'number' ? `${path}[${k}]` : path ? `${path}.${k}` : k);

/** 2000-01-01T00:00:00Z: the earliest `ts` (CONTRACT Bounds). */
export const TS_MIN = 946_684_800_000;

export const DAY_MS = 86_400_000;

/** Around `now + 24 h` the two clocks (test and server) may disagree: not decided within this margin. */
const TS_MARGIN_MS = 5 * 60_000;

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})([Tt])(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

const daysIn = (y: number, m: number) => [31, (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1];

function utcMs(y: number, mo: number, d: number, h = 0, mi = 0, s = 0): number {
  const t = new Date(0);
  t.setUTCFullYear(y, mo - 1, d);
  t.setUTCHours(h, mi, s, 0);
  return t.getTime();
}

function checkTsRange(ms: number, path: string, p: Problems, now: number, fuzzy: boolean): void {
  const max = now + DAY_MS;
  if (Math.abs(ms - max) < TS_MARGIN_MS || (fuzzy && Math.abs(ms - TS_MIN) < 1)) p.soft(path);
  else if (ms < TS_MIN || ms > max) p.bad(path);
}

function checkTs(v: unknown, path: string, p: Problems, now: number): void {
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return p.bad(path);
    checkTsRange(v, path, p, now, false);
    // "epoch milliseconds (number)": whether a fraction of a millisecond is allowed is not said.
    if (!Number.isInteger(v) && p.invalid.at(-1) !== path) p.soft(path);
    return;
  }
  if (typeof v !== 'string') return p.bad(path);
  if (hasLoneSurrogate(v) || v.includes('\u0000')) return p.bad(path);
  const m = RFC3339.exec(v);
  if (!m) return p.bad(path);
  const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[5], m[6], m[7]].map(Number);
  if (mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo) || h > 23 || mi > 59 || s > 60) return p.bad(path);
  if (m[10] && (Number(m[11]) > 23 || Number(m[12]) > 59)) return p.bad(path);
  const frac = m[8] ?? '';
  let ms = utcMs(y, mo, d, h, mi, Math.min(s, 59)) + Number(`0.${frac || '0'}`) * 1000;
  if (m[10]) ms -= (m[10] === '-' ? -1 : 1) * (Number(m[11]) * 60 + Number(m[12])) * 60_000;
  const before = p.invalid.length;
  checkTsRange(ms, path, p, now, frac.length > 3);
  if (p.invalid.length > before) return;
  // RFC 3339 allows a lower-case t/z and a leap second; beyond nanoseconds is not a real clock: not decided.
  if (m[4] === 't' || m[9] === 'z' || s === 60 || frac.length > 9) p.soft(path);
}

function checkString(v: unknown, path: string, p: Problems): v is string {
  if (typeof v !== 'string' || hasLoneSurrogate(v) || v.includes('\u0000')) {
    p.bad(path);
    return false;
  }
  return true;
}

/** "ids 1–128 characters; any other string up to 1,000": characters may mean code points or UTF-16 units. */
function checkLength(s: string, min: number, max: number, path: string, p: Problems): void {
  const cps = codePoints(s);
  if (cps < min || cps > max) p.bad(path);
  else if (s.length > max) p.soft(path);
}

function checkDate(v: unknown, path: string, p: Problems): void {
  if (!checkString(v, path, p)) return;
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
  if (!m) return p.bad(path);
  const [y, mo, d] = m.slice(1).map(Number);
  if (mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo)) return p.bad(path);
  // No range in the CONTRACT: 2000–2099 is surely fine, the rest (1969, 2100, 9999) is not decided.
  if (y < 2000 || y > 2099) p.soft(path);
}

function checkField(f: Field, v: unknown, path: string, p: Problems, now: number): void {
  switch (f.k) {
    case 'id':
      if (checkString(v, path, p)) checkLength(v, 1, 128, path, p);
      return;
    case 'text':
      if (checkString(v, path, p)) checkLength(v, 0, 1_000, path, p);
      return;
    case 'enum':
      if (checkString(v, path, p) && !f.values.includes(v)) p.bad(path);
      return;
    case 'code':
      if (checkString(v, path, p) && !/^[0-9]{20}$/.test(v)) p.bad(path);
      return;
    case 'bool':
      if (typeof v !== 'boolean') p.bad(path);
      return;
    case 'int':
      if (typeof v !== 'number' || !Number.isInteger(v) || v < f.min || v > f.max || (f.notZero && v === 0)) p.bad(path);
      return;
    case 'num':
      if (typeof v !== 'number' || !Number.isFinite(v)) p.bad(path);
      else if (v < f.min || v > f.max) (f.soft ? p.soft(path) : p.bad(path));
      return;
    case 'ts':
      return checkTs(v, path, p, now);
    case 'date':
      return checkDate(v, path, p);
    case 'list':
      if (!Array.isArray(v)) return p.bad(path);
      if (v.length > f.softMax) p.soft(path);
      v.forEach((x, i) => checkField(f.item, x, join(path, i), p, now));
      return;
    case 'array':
      if (!Array.isArray(v)) return p.bad(path);
      // An order without lines is not said to be invalid; neither is a limit on their number.
      if (v.length < f.min || v.length > f.softMax) p.soft(path);
      v.forEach((x, i) => (isObject(x) ? checkObject(x, f.item, join(path, i), p, now, new Set()) : p.bad(join(path, i))));
      return;
  }
}

/** Fields not listed are accepted and ignored; what a JSON parser may refuse for safety is not decided. */
function checkExtra(k: string, v: unknown, path: string, p: Problems): void {
  if (k === '__proto__' || (k === 'constructor' && isObject(v) && hasOwn(v, 'prototype')) || hasBadString(v) || hasBadString({ [k]: null })) p.soft(path);
  else if (isObject(v) || Array.isArray(v)) if (JSON.stringify(v).includes('"__proto__"')) p.soft(path);
}

function checkObject(o: JsonObject, shape: Shape, path: string, p: Problems, now: number, skip: ReadonlySet<string>): void {
  for (const [k, f] of Object.entries(shape.req)) {
    if (!hasOwn(o, k)) p.bad(join(path, k));
    else checkField(f, o[k], join(path, k), p, now);
  }
  for (const [k, f] of Object.entries(shape.opt)) {
    if (!hasOwn(o, k)) continue;
    // null for an optional field: "missing" or "wrong type"? not decided.
    if (o[k] === null) p.soft(join(path, k));
    else checkField(f, o[k], join(path, k), p, now);
  }
  for (const k of Object.keys(o)) if (!skip.has(k) && !hasOwn(shape.req, k) && !hasOwn(shape.opt, k)) checkExtra(k, o[k], join(path, k), p);
}

const ROOT_SKIP = new Set(['type']);

/** The verdict of the CONTRACT on one event, as the server parses it (`ev` is the parsed JSON). */
export function classifyEvent(ev: unknown, now = Date.now()): Classification {
  const p = new Problems();
  if (!isObject(ev)) {
    p.bad('');
    return p.result();
  }
  const shape = typeof ev.type === 'string' && hasOwn(EVENT_SHAPES, ev.type) && hasOwn(ev, 'type') ? EVENT_SHAPES[ev.type] : undefined;
  if (!shape) {
    p.bad('type');
    return p.result();
  }
  checkObject(ev, { req: { ...ENVELOPE, ...shape.req }, opt: shape.opt }, '', p, now, ROOT_SKIP);
  return p.result();
}

/** The verdict on one reference row of `kind`. */
export function classifyRow(kind: string, row: unknown, now = Date.now()): Classification {
  const p = new Problems();
  if (!isObject(row)) p.bad('');
  else checkObject(row, REFERENCE_SHAPES[kind], '', p, now, new Set());
  return p.result();
}

/** The server's error field names one of the paths the oracle found (itself, a parent or a child). */
export function namesPath(field: string, paths: readonly string[]): boolean {
  return paths.some((p) => p === '' || field === p || p.startsWith(`${field}.`) || p.startsWith(`${field}[`) || field.startsWith(`${p}.`) || field.startsWith(`${p}[`) || (field === '' && p === ''));
}

export interface IngestCase {
  events: Json[];
  format: 'json' | 'ndjson';
  /** Non-ASCII written as \uXXXX escapes in the JSON text. */
  escape: boolean;
  /** NDJSON lines end with CRLF. */
  crlf: boolean;
  /** After a 200, the same body is sent again: all duplicates. */
  resend: boolean;
}

const escapeNonAscii = (text: string) => text.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

export function ingestBody(c: IngestCase): { body: string; contentType: string } {
  const enc = (v: Json) => (c.escape ? escapeNonAscii(JSON.stringify(v)) : JSON.stringify(v));
  if (c.format === 'json') return { body: c.escape ? escapeNonAscii(JSON.stringify(c.events)) : JSON.stringify(c.events), contentType: 'application/json' };
  const eol = c.crlf ? '\r\n' : '\n';
  return { body: c.events.map(enc).join(eol) + eol, contentType: 'application/x-ndjson' };
}

export interface IngestExpectation {
  verdicts: Classification[];
  /** The request holds `__proto__` or `constructor.prototype` keys. */
  protoKeys: boolean;
  /** event_ids of the request, in order (null when not a string). */
  ids: (string | null)[];
  /** Each event's content as the server parses it (JSON text), to tell a retry from a reuse of an event_id. */
  contents: string[];
  verdict: Verdict;
}

export function expectIngest(c: IngestCase, now = Date.now()): IngestExpectation {
  const parsed = c.events.map(viaJson);
  const verdicts = parsed.map((e) => classifyEvent(e, now));
  const verdict: Verdict = verdicts.some((v) => v.verdict === 'invalid') ? 'invalid' : verdicts.some((v) => v.verdict === 'either') ? 'either' : 'valid';
  const ids = parsed.map((e) => (isObject(e) && typeof e.event_id === 'string' ? e.event_id : null));
  return { verdicts, protoKeys: hasProtoKeys(parsed), ids, contents: parsed.map((e) => JSON.stringify(e)), verdict };
}

/** The event_ids a server acknowledged, with the content each was first acknowledged with. */
export type KnownIds = Map<string, string>;

/** Records what a 200 acknowledged: the first content of each new event_id. */
export function acknowledge(known: KnownIds, x: IngestExpectation): void {
  x.ids.forEach((id, i) => {
    if (id !== null && !known.has(id)) known.set(id, x.contents[i]);
  });
}

/** event_ids of the request already acknowledged with other content (a reuse, not a retry). */
export function reusedIds(known: KnownIds, x: IngestExpectation): Set<string> {
  return new Set(x.ids.flatMap((id, i) => (id !== null && known.has(id) && known.get(id) !== x.contents[i] ? [id] : [])));
}

export interface Reply {
  status: number;
  body: unknown;
}

/**
 * What is wrong with the server's reply to an ingest request (empty: nothing), given the verdicts and the
 * event_ids known to be stored before it. Store checks (counts in the log) are the caller's.
 * An event_id acknowledged before with other content is a duplicate (CONTRACT), whatever its day.
 */
export function judgeIngest(x: IngestExpectation, r: Reply, known: KnownIds): string[] {
  const v: string[] = [];
  const body = r.body as Record<string, unknown> | null;
  if (r.status >= 500) return [`${r.status} (a 5xx): ${show(body)}`];
  if (r.status === 429) return []; // a rate limit: a bound of the server's, not a verdict (the bench counts them)
  if (r.status === 200) {
    if (x.verdict === 'invalid') {
      const bad = x.verdicts.flatMap((c, i) => (c.verdict === 'invalid' ? [`#${i} ${c.invalid.join(',')}`] : []));
      v.push(`200 for a request with events the CONTRACT refuses: ${bad.join('; ')}`);
    }
    const ids = x.ids.filter((id): id is string => id !== null);
    const fresh = new Set(ids.filter((id) => !known.has(id)));
    if (!isObject(body) || typeof body.accepted !== 'number' || typeof body.duplicates !== 'number') v.push(`200 without {accepted, duplicates}: ${show(body)}`);
    else {
      if (body.accepted + body.duplicates !== x.ids.length) v.push(`accepted ${body.accepted} + duplicates ${body.duplicates} ≠ ${x.ids.length} events sent`);
      const reused = reusedIds(known, x);
      const extra = body.accepted - fresh.size;
      if (x.verdict !== 'invalid' && extra !== 0) {
        v.push(
          extra > 0 && extra <= reused.size
            ? `accepted ${body.accepted}, expected ${fresh.size}: event_ids acknowledged before with other content were counted again (${[...reused].slice(0, 3).map((id) => show(id)).join(', ')})`
            : `accepted ${body.accepted}, expected ${fresh.size} new event_ids`,
        );
      }
    }
    return v;
  }
  if (r.status === 400) {
    if (x.verdict === 'valid') v.push(`400 for a request the CONTRACT accepts: ${show(body)}`);
    const errors = isObject(body) && Array.isArray(body.errors) ? (body.errors as unknown[]) : null;
    if (!isObject(body) || body.error !== 'invalid_events' || !errors) return [...v, `400 without {"error":"invalid_events","errors":[…]}: ${show(body)}`];
    // A body refused whole as prototype poisoning names no event: fine, as long as it is refused.
    if (x.protoKeys && errors.every((e) => isObject(e) && e.field === '')) return v;
    for (const e of errors) {
      if (!isObject(e) || typeof e.index !== 'number' || typeof e.field !== 'string' || typeof e.reason !== 'string' || e.reason === '') {
        v.push(`malformed error entry ${show(e)}`);
        continue;
      }
      const c = x.verdicts[e.index];
      if (!c) v.push(`error names index ${e.index}, the request has ${x.verdicts.length} events`);
      else if (c.verdict === 'valid') v.push(`error names valid event #${e.index}: ${show(e)}`);
    }
    if (errors.length < 100) {
      x.verdicts.forEach((c, i) => {
        if (c.verdict !== 'invalid') return;
        const mine = errors.filter((e): e is JsonObject => isObject(e) && e.index === i);
        if (mine.length === 0) v.push(`invalid event #${i} (${c.invalid.join(', ')}) not listed in errors`);
        else if (!mine.some((e) => namesPath(String(e.field), [...c.invalid, ...c.either]))) v.push(`error of event #${i} names ${mine.map((e) => JSON.stringify(e.field)).join(', ')}, not ${c.invalid.map((p) => JSON.stringify(p)).join(', ')}`);
        const id = x.ids[i];
        if (id !== null && !hasLoneSurrogate(id) && !id.includes('\u0000') && codePoints(id) <= 128 && mine.length && !mine.some((e) => e.event_id === id)) {
          v.push(`error of event #${i} has event_id ${show(mine[0].event_id)}, not ${show(id)}`);
        }
      });
    }
    return v;
  }
  if (r.status === 413) return [`413 for a request under both limits: ${show(body)}`];
  return [`unexpected status ${r.status}: ${show(body)}`];
}

export interface RawCase {
  body: string | Uint8Array;
  contentType: string | null;
  note: string;
}

export const GOOD_TYPES = ['application/json', 'application/x-ndjson'];

export const ODD_TYPES = ['application/json; charset=utf-8', 'application/x-ndjson; charset=utf-8', 'APPLICATION/JSON', 'Application/X-NDJSON', 'application/json;charset=UTF-8', ' application/json', 'application/json; charset=latin1'];

export const WRONG_TYPES = ['text/plain', 'application/xml', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded', 'application/jsonx', 'application/ndjson', 'application/json-seq', 'application/octet-stream', '', 'json', '*/*', 'application/*', 'text/json'];

/** Whether a content type must be refused whatever the body (the CONTRACT names two media types). */
export function contentTypeVerdict(ct: string | null): Verdict {
  if (ct === null) return 'invalid';
  if (GOOD_TYPES.includes(ct)) return 'valid';
  const base = ct.split(';')[0].trim().toLowerCase();
  return GOOD_TYPES.includes(base) ? 'either' : 'invalid';
}

export interface ReferenceCase {
  kind: string;
  rows: Json[];
}

export function expectReference(c: ReferenceCase, now = Date.now()): { kindKnown: boolean; verdicts: Classification[]; verdict: Verdict } {
  const kindKnown = hasOwn(REFERENCE_SHAPES, c.kind);
  const verdicts = c.rows.map((r) => (kindKnown ? classifyRow(c.kind, viaJson(r), now) : { verdict: 'valid' as Verdict, invalid: [], either: [] }));
  const verdict: Verdict = verdicts.some((v) => v.verdict === 'invalid') ? 'invalid' : verdicts.some((v) => v.verdict === 'either') ? 'either' : 'valid';
  return { kindKnown, verdicts, verdict };
}

export function judgeReference(c: ReferenceCase, x: ReturnType<typeof expectReference>, r: Reply): string[] {
  const body = r.body as Record<string, unknown> | null;
  if (r.status >= 500) return [`${r.status} (a 5xx): ${show(body)}`];
  if (r.status === 429) return []; // a rate limit: a bound of the server's, not a verdict (the bench counts them)
  // An unknown kind: refused (404 by the route; 400 when the body is refused first), never stored.
  if (!x.kindKnown) return r.status >= 400 && r.status < 500 ? [] : [`${r.status} for unknown kind ${JSON.stringify(c.kind)} (expected a 4xx): ${show(body)}`];
  if (r.status === 200) {
    const v: string[] = [];
    if (x.verdict === 'invalid') v.push(`200 for rows the CONTRACT refuses: ${x.verdicts.flatMap((cl, i) => (cl.verdict === 'invalid' ? [`#${i} ${cl.invalid.join(',')}`] : [])).join('; ')}`);
    if (!isObject(body) || body.upserted !== c.rows.length) v.push(`200 with ${show(body)}, expected {"upserted":${c.rows.length}}`);
    return v;
  }
  if (r.status === 400) {
    const v: string[] = [];
    if (x.verdict === 'valid') v.push(`400 for rows the CONTRACT accepts: ${show(body)}`);
    // A body refused whole as prototype poisoning (Fastify's JSON parser) names no row: fine, it is refused.
    if (hasProtoKeys(c.rows) && !(isObject(body) && Array.isArray(body.errors))) return v;
    const errors = isObject(body) && Array.isArray(body.errors) ? (body.errors as unknown[]) : [];
    x.verdicts.forEach((cl, i) => {
      if (cl.verdict === 'invalid' && errors.length < 100 && !errors.some((e) => isObject(e) && e.index === i)) v.push(`invalid row #${i} (${cl.invalid.join(', ')}) not listed in errors: ${show(body)}`);
    });
    for (const e of errors) if (isObject(e) && typeof e.index === 'number' && x.verdicts[e.index]?.verdict === 'valid') v.push(`error names valid row #${e.index}: ${show(e)}`);
    return v;
  }
  return [`unexpected status ${r.status}: ${show(body)}`];
}

/** GET /api/v1/metrics, as far as the fuzz needs it: ids and their params' JSON Schemas. */
export type Catalogue = { id: string; params: Record<string, Record<string, unknown>> }[];

export interface MetricQuery {
  /** Path after the host, as sent (may be odd: `//api`, percent-encoding). */
  path: string;
  /** The metric id when the path is the normal `/api/v1/metrics/{id}`; null for odd paths. */
  id: string | null;
  /** [raw name, raw value] pairs as written in the query string. */
  query: [string, string][];
  token: 'admin' | 'none' | 'ingest' | 'wrong';
}

/** The value a query-string parser gets from a raw pair: decoded, or null when the encoding is broken. */
export function decodeQ(raw: string): string | null {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    return null;
  }
}

export const metricUrl = (q: MetricQuery): string => `${q.path}${q.query.length ? (q.path.includes('?') ? '&' : '?') + q.query.map(([n, v]) => `${n}=${v}`).join('&') : ''}`;

/** The verdict on one param value (from a URL: a string; from a socket: any JSON) against its schema. */
function paramVerdict(schema: Record<string, unknown>, value: unknown, fromUrl: boolean): Verdict {
  const anyOf = schema.anyOf as Record<string, unknown>[] | undefined;
  if (anyOf) {
    const vs = anyOf.map((s) => paramVerdict(s, value, fromUrl));
    return vs.includes('valid') ? 'valid' : vs.includes('either') ? 'either' : 'invalid';
  }
  const en = (schema.enum ?? (schema.const !== undefined ? [schema.const] : undefined)) as unknown[] | undefined;
  if (en) return en.includes(value) ? 'valid' : 'invalid';
  if (schema.type === 'integer' || schema.type === 'number') {
    const min = typeof schema.minimum === 'number' ? schema.minimum : -Infinity;
    const max = typeof schema.maximum === 'number' ? schema.maximum : Infinity;
    if (typeof value === 'number') return Number.isInteger(value) || schema.type === 'number' ? (value >= min && value <= max ? (fromUrl ? 'either' : 'valid') : 'invalid') : 'invalid';
    if (typeof value !== 'string') return 'invalid';
    // From a URL every value is text: plain decimal is the number; other spellings (0x10, 1e1, +10) are not decided,
    // except those that are not numbers at all.
    if (/^-?(0|[1-9]\d{0,14})$/.test(value)) return Number(value) >= min && Number(value) <= max ? (fromUrl ? 'valid' : 'either') : 'invalid';
    if (/^0x[0-9a-f]+$/i.test(value) || /^0b[01]+$/i.test(value)) return 'invalid'; // not decimal: "limit=0x10" must not be 16
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n)) return value === '' ? 'either' : 'invalid';
    if (!Number.isInteger(n) && schema.type === 'integer') return 'invalid';
    return n >= min && n <= max ? 'either' : 'invalid';
  }
  if (schema.type === 'boolean') return value === true || value === false ? 'valid' : value === 'true' || value === 'false' ? (fromUrl ? 'valid' : 'either') : 'invalid';
  if (schema.type === 'string') {
    if (typeof value !== 'string') return 'invalid';
    if (hasLoneSurrogate(value)) return 'invalid';
    if (schema.format === 'date') {
      const p = new Problems();
      checkDate(value, 'd', p);
      return p.result().verdict;
    }
    if (value.includes('\u0000')) return 'either';
    const min = typeof schema.minLength === 'number' ? schema.minLength : 0;
    const max = typeof schema.maxLength === 'number' ? schema.maxLength : Infinity;
    const cps = codePoints(value);
    if (cps < min) return value === '' ? 'either' : 'invalid';
    return cps > max ? 'invalid' : value.length > max ? 'either' : 'valid';
  }
  return 'either';
}

/** Param names a JS object cannot hold as plain data everywhere: how a parser treats them is not decided. */
const PROTO_NAMES = new Set(['__proto__']);

export interface ParamsExpectation {
  verdict: Verdict;
  /** Names the server may name in a 400 (the invalid and undecided ones). */
  names: string[];
}

/** The verdict on a params object (a socket's, or a URL's after decoding) for `metric`. */
export function classifyParams(cat: Catalogue, metric: string, params: Record<string, unknown>, fromUrl: boolean): ParamsExpectation {
  const def = cat.find((m) => m.id === metric);
  if (!def) return { verdict: 'invalid', names: [] };
  const bad: string[] = [];
  const soft: string[] = [];
  for (const name of Object.keys(params)) {
    const value = params[name];
    if (PROTO_NAMES.has(name)) soft.push(name);
    else if (!hasOwn(def.params, name)) bad.push(name);
    else {
      const v = paramVerdict(def.params[name], value, fromUrl);
      if (v === 'invalid') bad.push(name);
      if (v === 'either') soft.push(name);
    }
  }
  return { verdict: bad.length ? 'invalid' : soft.length ? 'either' : 'valid', names: [...bad, ...soft] };
}

/** The verdict on a normal-path metric GET: 404 for an unknown id, else its params (repeated → an array). */
export function expectMetricQuery(cat: Catalogue, q: MetricQuery): { id: string | null; known: boolean } & ParamsExpectation {
  if (q.id === null) return { id: null, known: false, verdict: 'either', names: [] };
  const known = cat.some((m) => m.id === q.id);
  const params: Record<string, unknown> = {};
  const soft: string[] = [];
  // The pairs as the client really sends them (the URL parser drops tabs and newlines, encodes the rest).
  const search = new URL(metricUrl(q), 'http://h').search.slice(1);
  const pairs = search.split('&').filter((s) => s !== '').map((s): [string, string] => (s.includes('=') ? [s.slice(0, s.indexOf('=')), s.slice(s.indexOf('=') + 1)] : [s, '']));
  for (const [rn, rv] of pairs) {
    const n = decodeQ(rn);
    const v = decodeQ(rv);
    if (n === null || v === null) {
      soft.push(n ?? rn);
      continue;
    }
    if (n === '') {
      soft.push(''); // `=x`: a param without a name, refused or ignored
      continue;
    }
    if (hasOwn(params, n)) {
      const prev = params[n];
      setOwn(params, n, Array.isArray(prev) ? [...prev, v] : [prev, v]);
    } else setOwn(params, n, v);
  }
  const x = known ? classifyParams(cat, q.id, params, true) : { verdict: 'invalid' as Verdict, names: [] };
  if (soft.length && x.verdict === 'valid') return { id: q.id, known, verdict: 'either', names: soft };
  return { id: q.id, known, verdict: x.verdict, names: [...x.names, ...soft] };
}

export function judgeMetricQuery(q: MetricQuery, x: ReturnType<typeof expectMetricQuery>, r: Reply): string[] {
  const body = r.body as Record<string, unknown> | null;
  if (r.status >= 500) return [`${r.status} (a 5xx): ${show(body)}`];
  if (r.status === 429) return []; // a rate limit: a bound of the server's, not a verdict (the bench counts them)
  if (q.token !== 'admin') {
    // Only GET /api/v1/health is open; every other /api/ answer needs a token with the right.
    if (r.status >= 200 && r.status < 300) return [`${r.status} with token "${q.token}" on ${q.path}: ${show(body)}`];
    if (q.id !== null && r.status !== (q.token === 'ingest' ? 403 : 401)) return [`${r.status} with token "${q.token}", expected ${q.token === 'ingest' ? 403 : 401}`];
    return [];
  }
  if (q.id === null) {
    if (r.status === 200 && !(isObject(body) && typeof body.metric === 'string')) return [`200 on odd path without a metric: ${show(body)}`];
    return [];
  }
  if (!x.known) return r.status === 404 ? [] : [`${r.status} for unknown metric ${JSON.stringify(q.id)} (expected 404): ${show(body)}`];
  if (r.status === 200) {
    const v: string[] = [];
    if (x.verdict === 'invalid') v.push(`200 for params the CONTRACT refuses (${x.names.join(', ')})`);
    if (!isObject(body) || body.metric !== q.id || !('value' in body) || typeof body.as_of !== 'string' || !isObject(body.params)) v.push(`200 without {metric, params, as_of, value}: ${show(body)}`);
    return v;
  }
  if (r.status === 400) {
    const v: string[] = [];
    if (x.verdict === 'valid') v.push(`400 for params the CONTRACT accepts: ${show(body)}`);
    else if (!isObject(body) || typeof body.param !== 'string' || !x.names.includes(body.param)) v.push(`400 names ${show(isObject(body) ? body.param : body)}, expected one of ${JSON.stringify(x.names)}`);
    return v;
  }
  // A sum past 2^53 − 1 (the fuzzed events hold the largest amounts): refused with its code, never rounded.
  if (r.status === 422 && isObject(body) && body.code === 'RXP_ERR_UNSAFE_INTEGER' && x.verdict === 'valid') return [];
  return [`unexpected status ${r.status}: ${show(body)}`];
}

export interface ScreenCase {
  id: string;
  /** The body (sent as JSON text). */
  doc: Json;
  /** The body is the built-in screen unchanged but for its id: it must be accepted. */
  pristine: boolean;
  contentType: string;
}

export type AckMode = 'fn' | 'none' | 'value';

export type SocketOp =
  | { kind: 'emit'; event: string; args: unknown[]; ack: AckMode }
  /** A socket.io packet written as is on the engine.io connection (bypasses the client's encoder). */
  | { kind: 'raw'; packet: string | Uint8Array }
  /** A second connection with this `auth` handshake payload. */
  | { kind: 'connect'; auth: unknown };

/** Placeholder in a generated key: replaced at run time by the key of the socket's last subscription. */
export const KNOWN_KEY = '\u0001known-key';

/** The verdict on a `metric:subscribe` request as the server decodes it. */
export function classifySubscribe(cat: Catalogue, req: unknown): ParamsExpectation {
  if (!isObject(req) || typeof req.metric !== 'string') return { verdict: isObject(req) && hasOwn(req, '__proto__') ? 'either' : 'invalid', names: [] };
  if (!cat.some((m) => m.id === req.metric)) return { verdict: 'invalid', names: [] };
  // The socket protocol is the server's own design (not in the CONTRACT): whether it ignores or refuses an
  // extra field of the request is not decided.
  const extra = Object.keys(req).some((k) => k !== 'metric' && k !== 'params');
  const soft = (x: ParamsExpectation): ParamsExpectation => (extra && x.verdict === 'valid' ? { verdict: 'either', names: x.names } : x);
  if (!hasOwn(req, 'params') || req.params === undefined) return soft({ verdict: 'valid', names: [] });
  if (req.params === null || Array.isArray(req.params)) return { verdict: Array.isArray(req.params) && req.params.length ? 'invalid' : 'either', names: [] };
  if (!isObject(req.params)) return { verdict: 'invalid', names: [] };
  return soft(classifyParams(cat, req.metric, req.params, false));
}


// Field types shared by every stream's event declarations (CONTRACT "Conventions" and "Bounds (v1.1)"). One
// declaration gives validation, the TypeScript type (Static<>) and the documentation. The bounds are declared
// here once; streams and reference kinds reuse these types, never their own numbers.
import { Type, type TSchema } from 'typebox';
import { Format } from 'typebox/format';

export const CHANNELS = ['tmall', 'jd', 'pdd', 'douyin', 'meituan', 'own'] as const;
export type Channel = (typeof CHANNELS)[number];

/** The 31 mainland provinces by Chinese short name. */
export const PROVINCES = [
  '北京', '天津', '河北', '山西', '内蒙古', '辽宁', '吉林', '黑龙江', '上海', '江苏', '浙江', '安徽', '福建', '江西', '山东',
  '河南', '湖北', '湖南', '广东', '广西', '海南', '重庆', '四川', '贵州', '云南', '西藏', '陕西', '甘肃', '青海', '宁夏', '新疆',
] as const;
export type Province = (typeof PROVINCES)[number];

// ---- Bounds (CONTRACT "Bounds (v1.1)"). With them every sum a metric makes stays an exact Int64 (a line
// is at most 100,000 × ¥100 M = 10^15 fen) and every value fits its ClickHouse column. ----

/** Largest amount in any `_fen` field: ¥100 million. */
export const FEN_MAX = 10_000_000_000;
/** Largest quantity of a line or a stock move (an `inventory.adjust` may be as negative, never 0). */
export const QTY_MAX = 100_000;
/** Earliest `ts` accepted: 2000-01-01T00:00:00Z (epoch ms). */
export const TS_MIN_MS = 946_684_800_000;
/** How far ahead of the server's clock a `ts` may be: 24 h (ms). */
export const TS_MAX_AHEAD_MS = 86_400_000;
/** Longest id (`*_id`, `batch_no`, `code`), in characters (code points). */
export const ID_MAX = 128;
/** Longest other string, in characters (code points). */
export const TEXT_MAX = 1_000;
/** Years a calendar date (reference data) may have: what ClickHouse Date32 holds without clamping. */
export const DATE_YEAR_MIN = 1900;
export const DATE_YEAR_MAX = 2299;

// RFC 3339 with a mandatory offset and a 'T' separator; the calendar date and the clock must exist.
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-](\d{2}):(\d{2}))$/;
export function isRfc3339(s: string): boolean {
  const m = RFC3339.exec(s);
  if (!m) return false;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth) return false;
  if (hour > 23 || minute > 59 || second > 59) return false;
  if (m[9] !== undefined && (Number(m[9]) > 23 || Number(m[10]) > 59)) return false;
  return !Number.isNaN(Date.parse(s));
}
Format.Set('rfc3339', isRfc3339);

// A calendar date YYYY-MM-DD that exists, in the years Date32 stores as they are (it clamps the others).
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
export function isCalendarDate(s: string): boolean {
  const m = DATE.exec(s);
  if (!m) return false;
  const [year, month, day] = m.slice(1, 4).map(Number);
  if (year < DATE_YEAR_MIN || year > DATE_YEAR_MAX || month < 1 || month > 12) return false;
  return day >= 1 && day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}
Format.Set('calendar-date', isCalendarDate);

/** `ts`: the lower bound is static (also in the schema); the upper one moves with the clock (tsBoundsError). */
export const Ts = Type.Union(
  [Type.String({ format: 'rfc3339' }), Type.Integer({ minimum: TS_MIN_MS })],
  { description: 'must be an RFC 3339 timestamp with offset (e.g. 2026-11-11T00:00:01.250+08:00) or epoch milliseconds' },
);

/** Epoch milliseconds of a validated `ts`. */
export function tsMillis(ts: string | number): number {
  return typeof ts === 'number' ? ts : Date.parse(ts);
}

/** Why a `ts` (epoch ms) is outside 2000-01-01T00:00:00Z … 24 h after `nowMs`, or null when it is inside. */
export function tsBoundsError(ms: number, nowMs: number): string | null {
  if (ms >= TS_MIN_MS && ms <= nowMs + TS_MAX_AHEAD_MS) return null;
  const latest = new Date(nowMs + TS_MAX_AHEAD_MS).toISOString();
  return `must be from 2000-01-01T00:00:00Z to 24 hours after the server's clock (${latest})`;
}

export const Id = Type.String({ minLength: 1, maxLength: ID_MAX, description: `an id of 1–${ID_MAX} characters` });
export const Text = Type.String({ maxLength: TEXT_MAX, description: `a text of up to ${TEXT_MAX} characters` });
export const Fen = Type.Integer({ minimum: 0, maximum: FEN_MAX, description: `integer fen, 0 … ${FEN_MAX}` });
export const Qty = Type.Integer({ minimum: 1, maximum: QTY_MAX, description: `a positive integer up to ${QTY_MAX}` });
/** A stock count correction: −QTY_MAX … QTY_MAX, never zero. */
export const SignedQty = Type.Integer({ minimum: -QTY_MAX, maximum: QTY_MAX, not: Type.Literal(0), description: `a non-zero integer, −${QTY_MAX} … ${QTY_MAX}` });
export const TempC = Type.Number({ minimum: -100, maximum: 100, description: 'degrees Celsius, −100 … 100' });
export const Percent = Type.Number({ minimum: 0, maximum: 100 });
export const Viewers = Type.Integer({ minimum: 0, maximum: 1_000_000_000 });
/** A reference-data date (licence expiry, batch dates, targets). */
export const CalendarDate = Type.String({ format: 'calendar-date', description: `a calendar date YYYY-MM-DD, years ${DATE_YEAR_MIN}–${DATE_YEAR_MAX}` });
export const ChannelT = Type.Enum([...CHANNELS]);
export const ProvinceT = Type.Enum([...PROVINCES]);

/** The envelope every event has: event_id, type (a literal per declaration), ts. */
export function eventSchema<T extends string, P extends Record<string, TSchema>>(type: T, fields: P) {
  return Type.Object({ event_id: Id, type: Type.Literal(type), ts: Ts, ...fields });
}

// ---- Strings: valid Unicode (no lone surrogate) and no NUL, in every string and key of an event or a
// reference row, declared or not (CONTRACT "Bounds"). JSON.parse accepts "\ud800" and "\u0000"; ClickHouse
// refuses the first (and a NUL cuts C strings), so they are refused before anything is acknowledged. ----

const SUSPECT = /[\u0000\ud800-\udfff]/;
const LONE_OR_NUL = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Why a string may not be stored (a lone surrogate, a NUL), or null. */
export function stringProblem(s: string): string | null {
  if (!SUSPECT.test(s)) return null; // the common case: one scan, no surrogate at all
  const m = LONE_OR_NUL.exec(s);
  if (!m) return null;
  return m[0] === '\u0000'
    ? `must not contain NUL (U+0000), found at character ${m.index}`
    : `must be valid Unicode: lone surrogate U+${m[0].charCodeAt(0).toString(16).toUpperCase()} at character ${m.index}`;
}

/** `s` with every lone surrogate and NUL replaced by U+FFFD (for logs, dead letters and error texts). */
export function wellFormed(s: string): string {
  return SUSPECT.test(s) ? s.replace(new RegExp(LONE_OR_NUL.source, 'g'), '\ufffd') : s;
}

/**
 * Every string (and object key) in `value` with a problem, as `{ field, reason }` with the field written
 * like `lines[0].batch_no`; at most `max`. Iterative: a deeply nested unknown field cannot overflow the stack.
 */
export function badStrings(value: unknown, max = 10): { field: string; reason: string }[] {
  const found: { field: string; reason: string }[] = [];
  if (typeof value === 'string') {
    const reason = stringProblem(value);
    return reason ? [{ field: '', reason }] : [];
  }
  // A node is [value, parent node, key]; paths are built only for what is reported.
  type Node = [unknown, Node | null, string | number];
  const stack: Node[] = [[value, null, '']];
  while (stack.length > 0 && found.length < max) {
    const node = stack.pop()!;
    const v = node[0];
    if (typeof v !== 'object' || v === null) continue;
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) {
        const item = v[i];
        if (typeof item === 'string') {
          const reason = stringProblem(item);
          if (reason) found.push({ field: pathOf([item, node, i]), reason });
        } else if (typeof item === 'object' && item !== null) stack.push([item, node, i]);
      }
      continue;
    }
    for (const key of Object.keys(v)) {
      const keyReason = stringProblem(key);
      if (keyReason) found.push({ field: pathOf([null, node, key]), reason: `the field name ${keyReason}` });
      const item = (v as Record<string, unknown>)[key];
      if (typeof item === 'string') {
        const reason = stringProblem(item);
        if (reason) found.push({ field: pathOf([item, node, key]), reason });
      } else if (typeof item === 'object' && item !== null) stack.push([item, node, key]);
    }
  }
  return found.slice(0, max);
}

function pathOf(node: [unknown, unknown, string | number]): string {
  const parts: (string | number)[] = [];
  for (let n = node as [unknown, unknown, string | number] | null; n && n[1] !== null; n = n[1] as typeof n) parts.push(n[2]);
  return parts.reverse().reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${wellFormed(p)}` : wellFormed(p)), '');
}

/**
 * Formatting and value-reading helpers for the second batch of widgets (map, band, funnel, alert feed,
 * countdown). Pure functions, no DOM; they build on format.ts and never change it.
 */
import type { Static, TSchema } from 'typebox';
import { Value } from 'typebox/value';
import { DASH, formatCount, formatYuanShort, normalizeLang, type Lang } from './format.js';

/** The business zone: widgets format clock times here, never in the browser's zone. */
export const DEFAULT_TZ = 'Asia/Shanghai';

/** Formats a widget may apply to a secondary number (`format` options). */
export const VALUE_FORMATS = ['yuan', 'count'] as const;
export type ValueFormat = (typeof VALUE_FORMATS)[number];

/** `yuan` → formatYuanShort of integer fen, `count` → grouped count; DASH for anything not a finite number. */
export function formatValue(value: unknown, format: ValueFormat, lang: Lang): string {
  if (typeof value !== 'number' || !Number.isFinite(value)) return DASH;
  return format === 'yuan' ? formatYuanShort(value, lang) : formatCount(value, lang);
}

/**
 * Elapsed time since an event, coarse enough to read across a room: `刚刚`, `45秒前`, `3分钟前`, `2小时前`,
 * `3天前` (zh-CN) / `just now`, `45 s ago`, `3 min ago`, `2 h ago`, `3 d ago` (en). Units are truncated
 * (2 min 59 s is `2分钟前`). A negative age (clocks a little apart) reads as just now.
 */
export function formatAgo(seconds: number, lang: Lang): string {
  if (!Number.isFinite(seconds)) return DASH;
  const zh = normalizeLang(lang) === 'zh-CN';
  const s = Math.max(0, Math.floor(seconds));
  if (s < 10) return zh ? '刚刚' : 'just now';
  if (s < 60) return zh ? `${s}秒前` : `${s} s ago`;
  if (s < 3_600) return zh ? `${Math.floor(s / 60)}分钟前` : `${Math.floor(s / 60)} min ago`;
  if (s < 86_400) return zh ? `${Math.floor(s / 3_600)}小时前` : `${Math.floor(s / 3_600)} h ago`;
  const d = Math.floor(s / 86_400);
  return zh ? `${formatCount(d, 'zh-CN')}天前` : `${formatCount(d, 'en')} d ago`;
}

/**
 * Days until a deadline (licence expiry, batch expiry): `剩12天` / `12 days left`, `今天到期` / `Due today`,
 * `已过期3天` / `3 days overdue`. Whole days only; the source computes them in the business zone.
 */
export function formatDaysLeft(days: number, lang: Lang): string {
  if (!Number.isFinite(days)) return DASH;
  const zh = normalizeLang(lang) === 'zh-CN';
  const d = Math.trunc(days);
  if (d === 0) return zh ? '今天到期' : 'Due today';
  const n = formatCount(Math.abs(d), normalizeLang(lang));
  if (d > 0) return zh ? `剩${n}天` : `${n} ${d === 1 ? 'day' : 'days'} left`;
  return zh ? `已过期${n}天` : `${n} ${d === -1 ? 'day' : 'days'} overdue`;
}

const clockFormats = new Map<string, Intl.DateTimeFormat>();

/**
 * `HH:MM` of an instant in the zone `tz` (24-hour clock, the same in both languages). An unknown zone falls
 * back to the business zone rather than the browser's; an unparsable instant gives DASH.
 */
export function formatClock(instant: string | number, tz: string = DEFAULT_TZ): string {
  const ms = typeof instant === 'number' ? instant : Date.parse(instant);
  if (!Number.isFinite(ms)) return DASH;
  let nf = clockFormats.get(tz);
  if (!nf) {
    try {
      nf = new Intl.DateTimeFormat('en-GB', { timeZone: tz, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    } catch {
      return tz === DEFAULT_TZ ? DASH : formatClock(ms, DEFAULT_TZ);
    }
    clockFormats.set(tz, nf);
  }
  return nf.format(ms);
}

/**
 * The value at a dot path (`items`, `a.b.0`); an empty path is the value itself. Missing steps give
 * undefined. Widgets use it for their `items` option so one element reads both `[…]` and `{"items":[…]}`.
 */
export function atPath(value: unknown, path: string): unknown {
  if (path === '') return value;
  let at: unknown = value;
  for (const key of path.split('.')) {
    if (at === null || typeof at !== 'object') return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return at;
}

/** The list at `path`, or [] when it is not an array; entries that are not objects are dropped. */
export function rowsAt(value: unknown, path: string): Record<string, unknown>[] {
  const at = atPath(value, path);
  if (!Array.isArray(at)) return [];
  return at.filter((r): r is Record<string, unknown> => r !== null && typeof r === 'object' && !Array.isArray(r));
}

/** A finite number or null: metric values carry null for unknown numbers. */
export function numberOr(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/**
 * A widget's options with the schema's defaults filled in. Options that do not match the schema are
 * reported once per call with console.warn and replaced by the defaults as a whole: a typo in a screen
 * file must not leave a half-configured widget on the wall.
 */
export function readOptions<S extends TSchema>(schema: S, options: unknown): Static<S> {
  const given = options !== null && typeof options === 'object' ? Value.Clone(options) : {};
  const withDefaults = Value.Default(schema, given);
  if (Value.Check(schema, withDefaults)) return withDefaults as Static<S>;
  console.warn('widget options rejected, using defaults', options);
  return Value.Default(schema, {}) as Static<S>;
}

/**
 * How many fixed-height rows fit a box of `height` px with `gap` px between them: whole rows only, so a
 * list never ends in a half-cut row. At least 1 once the box has any height; 0 before it is laid out
 * would blank the widget, so an unmeasured box (height 0) counts as unlimited.
 */
export function rowsThatFit(height: number, row: number, gap: number): number {
  if (!(height > 0)) return Number.POSITIVE_INFINITY;
  return Math.max(1, Math.floor((height + gap) / (row + gap)));
}

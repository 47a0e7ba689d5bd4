/**
 * Number formatting for wall-display widgets. Pure functions, no DOM.
 *
 * Money arrives as integer fen (1 yuan = 100 fen), up to ~9e15 fen, i.e. close to
 * Number.MAX_SAFE_INTEGER. Dividing such values as floats would show wrong cents, so every
 * money and percent path works on BigInt and only hands whole integers to Intl.NumberFormat
 * (which formats bigint exactly) for digit grouping.
 */

export const LANGS = ['zh-CN', 'en'] as const;
export type Lang = (typeof LANGS)[number];

/** Shown wherever a value is missing or not a finite number. */
export const DASH = '—';

/** Falls back to zh-CN so a bad attribute value never breaks a screen. */
export function normalizeLang(lang: unknown): Lang {
  return lang === 'en' ? 'en' : 'zh-CN';
}

/** Parts of a short money figure, so a widget can size symbol, number and unit differently. */
export interface YuanParts {
  sign: '' | '-';
  symbol: '¥';
  /** Grouped digits, e.g. `1,234.57`; DASH when the input is not a finite number. */
  number: string;
  /** `万`/`亿` (zh-CN), `K`/`M`/`B` (en), or `` below the smallest unit. */
  unit: string;
}

interface Unit {
  unit: string;
  /** Size of one unit in fen. */
  fen: bigint;
}

// Largest first. zh-CN readers think in 万 and 亿; en readers in thousands, millions, billions.
const UNITS: Record<Lang, readonly Unit[]> = {
  'zh-CN': [
    { unit: '亿', fen: 10_000_000_000n }, // ¥100,000,000
    { unit: '万', fen: 1_000_000n }, // ¥10,000
  ],
  en: [
    { unit: 'B', fen: 100_000_000_000n }, // ¥1,000,000,000
    { unit: 'M', fen: 100_000_000n }, // ¥1,000,000
    { unit: 'K', fen: 100_000n }, // ¥1,000
  ],
};

// Intl.NumberFormat construction is slow relative to format(); widgets format every second.
const integerFormats = new Map<Lang, Intl.NumberFormat>();
function integerFormat(lang: Lang): Intl.NumberFormat {
  let nf = integerFormats.get(lang);
  if (!nf) {
    nf = new Intl.NumberFormat(lang === 'en' ? 'en-US' : 'zh-CN', { maximumFractionDigits: 0 });
    integerFormats.set(lang, nf);
  }
  return nf;
}

/** Groups a non-negative whole number: 12345n → `12,345` (same grouping in zh-CN and en). */
function group(n: bigint, lang: Lang): string {
  return integerFormat(lang).format(n);
}

/** Converts to exact integer fen; fractional input (float arithmetic upstream) rounds to nearest. */
function toBigInt(value: number | bigint): bigint | null {
  if (typeof value === 'bigint') return value;
  if (!Number.isFinite(value)) return null;
  return BigInt(Math.round(value));
}

/** Integer division of non-negative values, rounding halves up. */
function divRound(n: bigint, d: bigint): bigint {
  return (n * 2n + d) / (d * 2n);
}

/** `whole.frac` with exactly `digits` fraction digits, from a value scaled by 10^digits. */
function fixed(scaled: bigint, digits: number, lang: Lang): string {
  if (digits === 0) return group(scaled, lang);
  const base = 10n ** BigInt(digits);
  return `${group(scaled / base, lang)}.${(scaled % base).toString().padStart(digits, '0')}`;
}

/**
 * Short money figure split into parts: 1234567800 fen → `{ symbol: '¥', number: '1,234.57', unit: '万' }`.
 * Below the smallest unit the value is exact, with cents only when there are any (`¥0`, `¥1,234.56`).
 */
export function yuanParts(fen: number | bigint, lang: Lang): YuanParts {
  const value = toBigInt(fen);
  if (value === null) return { sign: '', symbol: '¥', number: DASH, unit: '' };
  const l = normalizeLang(lang);
  const sign = value < 0n ? '-' : '';
  const abs = value < 0n ? -value : value;
  const units = UNITS[l];
  const at = units.findIndex((u) => abs >= u.fen);
  if (at === -1) {
    const cents = abs % 100n;
    const number = cents === 0n ? group(abs / 100n, l) : fixed(abs, 2, l);
    return { sign, symbol: '¥', number, unit: '' };
  }
  let chosen = units[at];
  let hundredths = divRound(abs * 100n, chosen.fen);
  // 99,999,999.99 yuan rounds to 10,000.00万; show it as 1.00亿 instead.
  const larger = units[at - 1];
  if (larger && hundredths * chosen.fen >= larger.fen * 100n) {
    chosen = larger;
    hundredths = divRound(abs * 100n, chosen.fen);
  }
  return { sign, symbol: '¥', number: fixed(hundredths, 2, l), unit: chosen.unit };
}

/** `¥1,234.57万` (zh-CN) / `¥12.35M` (en); see yuanParts. */
export function formatYuanShort(fen: number | bigint, lang: Lang): string {
  const p = yuanParts(fen, lang);
  return p.number === DASH ? DASH : `${p.sign}${p.symbol}${p.number}${p.unit}`;
}

/** Exact money with cents: 1234567800 fen → `¥12,345,678.00`. */
export function formatYuanExact(fen: number | bigint, lang: Lang = 'zh-CN'): string {
  const value = toBigInt(fen);
  if (value === null) return DASH;
  const sign = value < 0n ? '-' : '';
  return `${sign}¥${fixed(value < 0n ? -value : value, 2, normalizeLang(lang))}`;
}

/** Grouped whole count: 12345 → `12,345`. */
export function formatCount(n: number | bigint, lang: Lang): string {
  const value = toBigInt(n);
  if (value === null) return DASH;
  const sign = value < 0n ? '-' : '';
  return `${sign}${group(value < 0n ? -value : value, normalizeLang(lang))}`;
}

/**
 * Share of two integers as a percent with `digits` fraction digits: (1, 3) → `33.3%`.
 * Exact for integers of any size; a zero or non-finite denominator gives DASH.
 * @default digits 1
 */
export function formatPercent(num: number, den: number, lang: Lang, digits = 1): string {
  const d = Math.min(Math.max(Math.trunc(digits), 0), 10);
  if (!Number.isFinite(num) || !Number.isFinite(den) || den === 0) return DASH;
  const l = normalizeLang(lang);
  if (!Number.isInteger(num) || !Number.isInteger(den)) {
    // Not the intended use (inputs should be counts); float math is the best we can do.
    const nf = new Intl.NumberFormat(l, { minimumFractionDigits: d, maximumFractionDigits: d });
    return `${nf.format((num / den) * 100)}%`;
  }
  const n = BigInt(num);
  const q = BigInt(den);
  const abs = (x: bigint): bigint => (x < 0n ? -x : x);
  const scaled = divRound(abs(n) * 100n * 10n ** BigInt(d), abs(q));
  // Only a non-zero result gets a sign, so (-1, 100000) reads `0.0%`, not `-0.0%`.
  const negative = n < 0n !== q < 0n && scaled !== 0n;
  return `${negative ? '-' : ''}${fixed(scaled, d, l)}%`;
}

const celsiusFormats = new Map<Lang, Intl.NumberFormat>();

/** Cold-chain temperature with one decimal: 4.2 → `4.2 °C`. */
export function formatCelsius(x: number, lang: Lang = 'zh-CN'): string {
  if (!Number.isFinite(x)) return DASH;
  const l = normalizeLang(lang);
  let nf = celsiusFormats.get(l);
  if (!nf) {
    nf = new Intl.NumberFormat(l, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
    celsiusFormats.set(l, nf);
  }
  // -0.04 would print as "-0.0"; a sensor at zero should not look below freezing.
  const value = Math.abs(x) < 0.05 ? 0 : x;
  return `${nf.format(value)} °C`;
}

// Shared widget vocabulary. It lives here because this is the one widget module without DOM,
// so both elements (and server-side code, if it ever needs it) can import it cheaply.

/** Freshness of the data a widget shows; every widget renders all three. */
export const WIDGET_STATES = { loading: 'loading', live: 'live', stale: 'stale' } as const;
export type WidgetState = (typeof WIDGET_STATES)[keyof typeof WIDGET_STATES];

const WIDGET_TEXT = {
  'zh-CN': { noData: '暂无数据', stale: '数据延迟', loading: '加载中' },
  en: { noData: 'No data', stale: 'Stale', loading: 'Loading' },
} as const satisfies Record<Lang, Record<string, string>>;

/** Fixed words a widget draws itself (labels come from the screen definition). */
export function widgetText(lang: Lang): (typeof WIDGET_TEXT)[Lang] {
  return WIDGET_TEXT[normalizeLang(lang)];
}

// ---------------------------------------------------------------------------------------------------
// Rates, durations and times: the remaining units metric values carry (`_bp`, `_s`, RFC 3339).

/** Basis points as a percent, exact: 12345 bp → `123.5%` (digits 1), `123.45%` (digits 2). @default digits 1 */
export function formatBp(bp: number, lang: Lang, digits = 1): string {
  return formatPercent(bp, 10_000, lang, digits);
}

const DURATION_WORDS = {
  'zh-CN': { d: '天', h: '小时', m: '分', s: '秒', sep: '', under: '<1分' },
  en: { d: ' d', h: ' h', m: ' min', s: ' s', sep: ' ', under: '< 1 min' },
} as const;

/** Whole seconds of a finite input (rounded), or null. */
function wholeSeconds(seconds: number): number | null {
  return Number.isFinite(seconds) ? Math.round(seconds) : null;
}

/** Two largest units of a duration, the smaller only when `floor` allows it. */
function durationText(total: number, lang: Lang, smallest: 's' | 'm'): string {
  const w = DURATION_WORDS[normalizeLang(lang)];
  const sign = total < 0 ? '-' : '';
  const t = Math.abs(total);
  const d = Math.floor(t / 86_400);
  const h = Math.floor((t % 86_400) / 3_600);
  const m = Math.floor((t % 3_600) / 60);
  const s = t % 60;
  const two = (a: number, ua: string, b: number, ub: string): string => `${sign}${a}${ua}${w.sep}${b}${ub}`;
  if (d > 0) return two(d, w.d, h, w.h);
  if (h > 0) return two(h, w.h, m, w.m);
  if (smallest === 'm') return m > 0 ? `${sign}${m}${w.m}` : w.under;
  if (m > 0) return two(m, w.m, s, w.s);
  return `${sign}${s}${w.s}`;
}

/**
 * A duration in seconds, two units at most: 42 → `42秒` / `42 s`, 95 → `1分35秒` / `1 min 35 s`,
 * 3900 → `1小时5分` / `1 h 5 min`, 90000 → `1天1小时` / `1 d 1 h`. Non-finite → DASH.
 */
export function formatDuration(seconds: number, lang: Lang): string {
  const t = wholeSeconds(seconds);
  return t === null ? DASH : durationText(t, lang, 's');
}

/**
 * How long something has waited, to the minute: 30 → `<1分` / `< 1 min`, 720 → `12分` / `12 min`,
 * 3900 → `1小时5分` / `1 h 5 min`. Non-finite → DASH.
 */
export function formatAge(seconds: number, lang: Lang): string {
  const t = wholeSeconds(seconds);
  return t === null ? DASH : durationText(t, lang, 'm');
}

/** The zone screens show business time in when none is given (the server's TZ_BUSINESS default). */
export const DEFAULT_TZ = 'Asia/Shanghai';

const timeFormats = new Map<string, Intl.DateTimeFormat>();

/**
 * The wall-clock time of an RFC 3339 instant in `tz`, as `HH:MM:SS` (24 h, both languages). The
 * browser's own zone never matters. An unparsable instant or an unknown zone → DASH.
 * @default tz 'Asia/Shanghai'
 */
export function formatTime(instant: string, tz: string = DEFAULT_TZ): string {
  const ms = typeof instant === 'string' ? Date.parse(instant) : Number.NaN;
  if (!Number.isFinite(ms)) return DASH;
  let f = timeFormats.get(tz);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-GB', { timeZone: tz, hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
    } catch {
      return DASH;
    }
    timeFormats.set(tz, f);
  }
  const part = (parts: Intl.DateTimeFormatPart[], type: string): string => parts.find((p) => p.type === type)?.value ?? '00';
  const parts = f.formatToParts(ms);
  return `${part(parts, 'hour')}:${part(parts, 'minute')}:${part(parts, 'second')}`;
}

/** Number formats a screen may name in widget options. */
export const VALUE_FORMATS = ['yuan', 'count', 'bp', 'celsius', 'seconds'] as const;
export type ValueFormat = (typeof VALUE_FORMATS)[number];

const VALUE_FORMATTERS: Record<ValueFormat, (n: number, lang: Lang) => string> = {
  yuan: formatYuanShort,
  count: formatCount,
  bp: (n, lang) => formatBp(n, lang),
  celsius: formatCelsius,
  seconds: formatDuration,
};

/** One number in the named format (money in its short form); unknown format → count; non-finite → DASH. */
export function formatValue(format: ValueFormat | undefined, n: number, lang: Lang): string {
  return (VALUE_FORMATTERS[format ?? 'count'] ?? formatCount)(n, lang);
}

/**
 * The part of a metric value a widget draws: `path` is dot separated (`by_age`, `today.items`);
 * empty or missing → the value itself. Anything that is not there → undefined.
 */
export function valueAt(value: unknown, path: string | undefined): unknown {
  if (!path) return value;
  let at: unknown = value;
  for (const key of path.split('.')) {
    if (at === null || typeof at !== 'object') return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return at;
}

/** A finite number from a metric field, else null (null, missing, strings are not numbers here). */
export function numberOf(x: unknown): number | null {
  return typeof x === 'number' && Number.isFinite(x) ? x : null;
}

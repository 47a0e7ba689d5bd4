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

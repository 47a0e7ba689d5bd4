import { describe, expect, it } from 'vitest';
import {
  DASH,
  formatCelsius,
  formatCount,
  formatPercent,
  formatYuanExact,
  formatYuanShort,
  normalizeLang,
  yuanParts,
} from '../../widgets/format.js';

describe('formatYuanShort zh-CN', () => {
  it.each([
    [0, '¥0'],
    [12_300, '¥123'],
    [12_350, '¥123.50'],
    [123_456, '¥1,234.56'],
    [999_999, '¥9,999.99'], // last value below 万
    [1_000_000, '¥1.00万'], // ¥10,000 exactly
    [1_005_000, '¥1.01万'], // half rounds up (a float 1.005 would round down)
    [1_234_567_800, '¥1,234.57万'],
    [9_999_999_999, '¥1.00亿'], // 9,999.9999万 rounds up into the next unit
    [10_000_000_000, '¥1.00亿'],
    [12_345_678_900_000, '¥1,234.57亿'],
    [900_719_925_474_099, '¥90,071.99亿'],
    [9_007_199_254_740_991, '¥900,719.93亿'],
    [-123_456, '-¥1,234.56'],
    [-1_234_567_800, '-¥1,234.57万'],
  ])('%d fen → %s', (fen, text) => {
    expect(formatYuanShort(fen, 'zh-CN')).toBe(text);
  });
});

describe('formatYuanShort en', () => {
  it.each([
    [0, '¥0'],
    [99_999, '¥999.99'],
    [100_000, '¥1.00K'],
    [1_234_567_800, '¥12.35M'],
    [99_999_999, '¥1.00M'], // 999.99999K rounds up into M
    [123_456_789_000_000, '¥1,234.57B'],
  ])('%d fen → %s', (fen, text) => {
    expect(formatYuanShort(fen, 'en')).toBe(text);
  });
});

describe('yuanParts', () => {
  it('splits symbol, number and unit', () => {
    expect(yuanParts(1_234_567_800, 'zh-CN')).toEqual({ sign: '', symbol: '¥', number: '1,234.57', unit: '万' });
    expect(yuanParts(12_345_678_900_000, 'zh-CN')).toMatchObject({ number: '1,234.57', unit: '亿' });
    expect(yuanParts(123_456, 'en')).toMatchObject({ number: '1.23', unit: 'K' });
    expect(yuanParts(999_999, 'zh-CN')).toMatchObject({ number: '9,999.99', unit: '' });
    expect(yuanParts(-5, 'zh-CN')).toEqual({ sign: '-', symbol: '¥', number: '0.05', unit: '' });
  });

  it('gives a dash for non-finite input', () => {
    expect(yuanParts(Number.NaN, 'zh-CN')).toMatchObject({ number: DASH, unit: '' });
    expect(formatYuanShort(Number.POSITIVE_INFINITY, 'en')).toBe(DASH);
  });
});

describe('formatYuanExact', () => {
  it.each([
    [0, '¥0.00'],
    [1, '¥0.01'],
    [-5, '-¥0.05'],
    [999_999, '¥9,999.99'],
    [1_000_000, '¥10,000.00'],
    [1_234_567_800, '¥12,345,678.00'],
    [900_719_925_474_099, '¥9,007,199,254,740.99'],
    [9_000_000_000_000_000, '¥90,000,000,000,000.00'],
    [Number.MAX_SAFE_INTEGER, '¥90,071,992,547,409.91'],
  ])('%d fen → %s', (fen, text) => {
    expect(formatYuanExact(fen)).toBe(text);
  });

  it('is exact where float division is not', () => {
    // (fen / 100).toFixed(2) gives …209.94 and …210.02 for these two: doubles near ¥9e13 are
    // spaced 1/64 yuan apart, coarser than one fen, so the quotient lands on a neighbour.
    expect(formatYuanExact(9_007_199_254_720_993)).toBe('¥90,071,992,547,209.93');
    expect(formatYuanExact(9_007_199_254_721_001)).toBe('¥90,071,992,547,210.01');
  });

  it('accepts bigint beyond the safe range and the en grouping is the same', () => {
    expect(formatYuanExact(123_456_789_012_345_678_901n)).toBe('¥1,234,567,890,123,456,789.01');
    expect(formatYuanExact(1_234_567_800, 'en')).toBe('¥12,345,678.00');
    expect(formatYuanExact(Number.NaN)).toBe(DASH);
  });
});

describe('formatCount', () => {
  it('groups by thousands in both languages', () => {
    expect(formatCount(12_345, 'zh-CN')).toBe('12,345');
    expect(formatCount(12_345, 'en')).toBe('12,345');
    expect(formatCount(0, 'zh-CN')).toBe('0');
    expect(formatCount(999, 'en')).toBe('999');
    expect(formatCount(-1_234, 'zh-CN')).toBe('-1,234');
    expect(formatCount(Number.MAX_SAFE_INTEGER, 'zh-CN')).toBe('9,007,199,254,740,991');
    expect(formatCount(Number.NaN, 'en')).toBe(DASH);
  });
});

describe('formatPercent', () => {
  it.each([
    [1, 3, 1, '33.3%'],
    [2, 3, 1, '66.7%'],
    [1, 8, 2, '12.50%'],
    [0, 5, 1, '0.0%'],
    [1, 2, 0, '50%'],
    [1, 200, 0, '1%'], // 0.5 rounds up
    [-1, 3, 1, '-33.3%'],
    [-1, 100_000, 1, '0.0%'], // rounds to zero: no minus sign
    [1_234_567, 100, 1, '1,234,567.0%'],
    [900_719_925_474_099, 1_801_439_850_948_198, 1, '50.0%'],
    [900_719_925_474_098, 900_719_925_474_099, 3, '100.000%'],
  ])('%d / %d (%d digits) → %s', (num, den, digits, text) => {
    expect(formatPercent(num, den, 'zh-CN', digits)).toBe(text);
  });

  it('defaults to one digit, same in en, dash for a zero denominator', () => {
    expect(formatPercent(1, 3, 'en')).toBe('33.3%');
    expect(formatPercent(5, 0, 'zh-CN')).toBe(DASH);
    expect(formatPercent(Number.NaN, 3, 'zh-CN')).toBe(DASH);
  });
});

describe('formatCelsius', () => {
  it('shows one decimal and the unit', () => {
    expect(formatCelsius(4.2)).toBe('4.2 °C');
    expect(formatCelsius(8)).toBe('8.0 °C');
    expect(formatCelsius(-18)).toBe('-18.0 °C');
    expect(formatCelsius(-0.04)).toBe('0.0 °C');
    expect(formatCelsius(2.25, 'en')).toBe('2.3 °C');
    expect(formatCelsius(Number.NaN)).toBe(DASH);
  });
});

describe('normalizeLang', () => {
  it('falls back to zh-CN', () => {
    expect(normalizeLang('en')).toBe('en');
    expect(normalizeLang('fr')).toBe('zh-CN');
    expect(normalizeLang(undefined)).toBe('zh-CN');
  });
});

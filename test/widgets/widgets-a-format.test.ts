import { describe, expect, it } from 'vitest';
import { itFormatsBoth } from './bilingual.ts';
import {
  DASH,
  formatAge,
  formatBp,
  formatDuration,
  formatTime,
  formatValue,
  numberOf,
  valueAt,
} from '../../widgets/format.js';

describe('formatBp', () => {
  it.each([
    [0, 1, '0.0%'],
    [12_345, 1, '123.5%'], // 123.45 rounds half up
    [12_345, 2, '123.45%'],
    [10_000, 1, '100.0%'],
    [5, 1, '0.1%'],
    [4, 1, '0.0%'],
    [-250, 1, '-2.5%'],
    [900_719_925_474_099, 1, '9,007,199,254,741.0%'],
  ])('%d bp (%d digits) → %s', (bp, digits, text) => {
    expect(formatBp(bp, 'zh-CN', digits)).toBe(text);
  });
  it('is the same in en and gives a dash for non-numbers', () => {
    expect(formatBp(3_333, 'en')).toBe('33.3%');
    expect(formatBp(Number.NaN, 'en')).toBe(DASH);
  });
});

describe('formatDuration', () => {
  itFormatsBoth('%d s → %s / %s', formatDuration, [
    [0, '0秒', '0 s'],
    [42, '42秒', '42 s'],
    [59.6, '1分0秒', '1 min 0 s'],
    [95, '1分35秒', '1 min 35 s'],
    [3_599, '59分59秒', '59 min 59 s'],
    [3_900, '1小时5分', '1 h 5 min'],
    [90_000, '1天1小时', '1 d 1 h'],
    [-95, '-1分35秒', '-1 min 35 s'],
  ]);
  it('gives a dash for non-finite input', () => {
    expect(formatDuration(Number.POSITIVE_INFINITY, 'zh-CN')).toBe(DASH);
  });
});

describe('formatAge', () => {
  itFormatsBoth('%d s → %s / %s', formatAge, [
    [0, '<1分', '< 1 min'],
    [59, '<1分', '< 1 min'],
    [60, '1分', '1 min'],
    [720, '12分', '12 min'],
    [3_900, '1小时5分', '1 h 5 min'],
    [3_600, '1小时0分', '1 h 0 min'],
    [183_600, '2天3小时', '2 d 3 h'],
  ]);
  it('gives a dash for non-finite input', () => {
    expect(formatAge(Number.NaN, 'en')).toBe(DASH);
  });
});

describe('formatTime', () => {
  it('shows the instant in the business zone, whatever the zone of the process', () => {
    expect(formatTime('2026-11-11T00:00:05+08:00')).toBe('00:00:05');
    expect(formatTime('2026-11-10T16:00:05Z')).toBe('00:00:05');
    expect(formatTime('2026-11-10T16:00:05.999Z', 'Asia/Shanghai')).toBe('00:00:05');
    expect(formatTime('2026-11-10T16:00:05Z', 'UTC')).toBe('16:00:05');
    expect(formatTime('2026-11-10T16:00:05Z', 'America/New_York')).toBe('11:00:05');
  });
  it('gives a dash for bad instants and zones', () => {
    expect(formatTime('yesterday')).toBe(DASH);
    expect(formatTime('2026-11-10T16:00:05Z', 'Mars/Olympus')).toBe(DASH);
  });
});

describe('formatValue', () => {
  it('dispatches on the format name, count by default', () => {
    expect(formatValue('yuan', 1_234_567_800, 'zh-CN')).toBe('¥1,234.57万');
    expect(formatValue('count', 12_345, 'en')).toBe('12,345');
    expect(formatValue('bp', 1_234, 'en')).toBe('12.3%');
    expect(formatValue('celsius', 4.25, 'zh-CN')).toBe('4.3 °C');
    expect(formatValue('seconds', 95, 'en')).toBe('1 min 35 s');
    expect(formatValue(undefined, 7, 'zh-CN')).toBe('7');
  });
});

describe('valueAt / numberOf', () => {
  it('walks dot paths and returns undefined for anything missing', () => {
    const v = { by_age: [{ bucket: '<1h', orders: 3 }], a: { b: { c: 1 } } };
    expect(valueAt(v, 'by_age')).toBe(v.by_age);
    expect(valueAt(v, 'a.b.c')).toBe(1);
    expect(valueAt(v, '')).toBe(v);
    expect(valueAt(v, undefined)).toBe(v);
    expect(valueAt(v, 'a.x.c')).toBeUndefined();
    expect(valueAt(null, 'a')).toBeUndefined();
  });
  it('keeps only finite numbers', () => {
    expect(numberOf(3)).toBe(3);
    expect(numberOf(null)).toBeNull();
    expect(numberOf('3')).toBeNull();
    expect(numberOf(Number.NaN)).toBeNull();
  });
});

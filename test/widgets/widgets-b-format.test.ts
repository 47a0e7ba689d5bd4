import { Type } from 'typebox';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { itFormatsBoth } from './bilingual.ts';
import { DASH } from '../../widgets/format.js';
import {
  atPath,
  formatAgo,
  formatClock,
  formatDaysLeft,
  formatValue,
  numberOr,
  readOptions,
  rowsAt,
} from '../../widgets/format-extra.js';

describe('formatAgo', () => {
  itFormatsBoth('%d s → %s / %s', formatAgo, [
    [0, '刚刚', 'just now'],
    [-5, '刚刚', 'just now'], // clocks a little apart
    [9, '刚刚', 'just now'],
    [10, '10秒前', '10 s ago'],
    [59, '59秒前', '59 s ago'],
    [60, '1分钟前', '1 min ago'],
    [179, '2分钟前', '2 min ago'], // truncated, never rounded up
    [3_599, '59分钟前', '59 min ago'],
    [3_600, '1小时前', '1 h ago'],
    [86_399, '23小时前', '23 h ago'],
    [86_400, '1天前', '1 d ago'],
    [86_400 * 1_200, '1,200天前', '1,200 d ago'],
  ]);
  it('is a dash for non-numbers', () => {
    expect(formatAgo(Number.NaN, 'zh-CN')).toBe(DASH);
  });
});

describe('formatDaysLeft', () => {
  itFormatsBoth('%d → %s / %s', formatDaysLeft, [
    [12, '剩12天', '12 days left'],
    [1, '剩1天', '1 day left'],
    [0, '今天到期', 'Due today'],
    [-1, '已过期1天', '1 day overdue'],
    [-30, '已过期30天', '30 days overdue'],
    [1_500, '剩1,500天', '1,500 days left'],
  ]);
  it('is a dash for non-numbers', () => {
    expect(formatDaysLeft(Number.POSITIVE_INFINITY, 'en')).toBe(DASH);
  });
});

describe('formatClock', () => {
  it('formats in the zone given, not the machine zone', () => {
    expect(formatClock('2026-11-11T00:05:00+08:00')).toBe('00:05');
    expect(formatClock('2026-11-10T16:05:00Z', 'Asia/Shanghai')).toBe('00:05');
    expect(formatClock(Date.UTC(2026, 10, 10, 16, 5), 'UTC')).toBe('16:05');
    expect(formatClock('2026-11-11T00:05:00+08:00', 'America/New_York')).toBe('11:05');
  });
  it('falls back to the business zone for an unknown zone, and a dash for a bad instant', () => {
    expect(formatClock('2026-11-11T00:05:00+08:00', 'Mars/Olympus')).toBe('00:05');
    expect(formatClock('yesterday')).toBe(DASH);
  });
});

describe('formatValue', () => {
  it('formats fen or counts', () => {
    expect(formatValue(1_234_567_800, 'yuan', 'zh-CN')).toBe('¥1,234.57万');
    expect(formatValue(1_234_567_800, 'yuan', 'en')).toBe('¥12.35M');
    expect(formatValue(12_345, 'count', 'en')).toBe('12,345');
    expect(formatValue(null, 'count', 'en')).toBe(DASH);
    expect(formatValue('12', 'count', 'en')).toBe(DASH);
  });
});

describe('value reading', () => {
  it('follows dot paths', () => {
    const v = { items: [{ a: 1 }], deep: { list: [1, { b: 2 }] } };
    expect(atPath(v, '')).toBe(v);
    expect(atPath(v, 'items')).toEqual([{ a: 1 }]);
    expect(atPath(v, 'deep.list.1.b')).toBe(2);
    expect(atPath(v, 'nope.x')).toBeUndefined();
    expect(atPath(null, 'x')).toBeUndefined();
  });
  it('keeps object rows only', () => {
    expect(rowsAt([{ a: 1 }, null, 3, [1], { b: 2 }], '')).toEqual([{ a: 1 }, { b: 2 }]);
    expect(rowsAt({ items: 'x' }, 'items')).toEqual([]);
  });
  it('accepts finite numbers only', () => {
    expect(numberOr(1.5)).toBe(1.5);
    expect(numberOr(Number.NaN)).toBeNull();
    expect(numberOr('1')).toBeNull();
  });
});

describe('readOptions', () => {
  const S = Type.Object(
    { items: Type.Optional(Type.String({ default: '' })), limit: Type.Optional(Type.Integer({ minimum: 1, default: 8 })) },
    { additionalProperties: false },
  );
  afterEach(() => vi.restoreAllMocks());

  it('fills defaults without changing the input', () => {
    const given = { limit: 3 };
    expect(readOptions(S, given)).toEqual({ items: '', limit: 3 });
    expect(given).toEqual({ limit: 3 });
    expect(readOptions(S, undefined)).toEqual({ items: '', limit: 8 });
  });
  it('replaces invalid options by the defaults as a whole, with a warning', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    expect(readOptions(S, { limit: 0, items: 'x' })).toEqual({ items: '', limit: 8 });
    expect(readOptions(S, { lmit: 3 })).toEqual({ items: '', limit: 8 });
    expect(warn).toHaveBeenCalledTimes(2);
  });
});

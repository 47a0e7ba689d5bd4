// Table tests for formatters that answer in both languages: one test per row [input, zh-CN text, English text].
import { expect, it } from 'vitest';
import type { Lang } from '../../widgets/format.js';

export function itFormatsBoth(title: string, format: (x: number, lang: Lang) => string, rows: Array<[number, string, string]>): void {
  it.each(rows)(title, (x, zh, en) => {
    expect(format(x, 'zh-CN')).toBe(zh);
    expect(format(x, 'en')).toBe(en);
  });
}

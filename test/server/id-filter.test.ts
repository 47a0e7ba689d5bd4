import { describe, expect, it } from 'vitest';
import { DayFilter, FingerprintSet, fingerprint } from '../../server/ingest/id-filter.ts';

describe('FingerprintSet', () => {
  it('holds what was added through growth, and nothing else', () => {
    const set = new FingerprintSet();
    for (let i = 1; i <= 100_000; i++) set.add(i * 7919);
    expect(set.size).toBe(100_000);
    for (let i = 1; i <= 100_000; i++) expect(set.has(i * 7919)).toBe(true);
    let falsePositives = 0;
    for (let i = 1; i <= 10_000; i++) if (set.has(i * 7919 + 1)) falsePositives++;
    expect(falsePositives).toBe(0);
    set.add(7919);
    expect(set.size).toBe(100_000);
  });

  it('fingerprints are non-zero and spread', () => {
    const fps = new Set<number>();
    for (let i = 0; i < 50_000; i++) {
      const fp = fingerprint(`evt-${i}`);
      expect(fp).toBeGreaterThan(0);
      fps.add(fp);
    }
    expect(fps.size).toBeGreaterThan(49_990);
  });
});

describe('DayFilter', () => {
  it('loads a day once, answers for it, records adds, and keeps the most recently used days', async () => {
    const loads: number[] = [];
    const f = new DayFilter(2, async (day) => {
      loads.push(day);
      return day === 10 ? [fingerprint('stored')] : [];
    });
    await f.ensure([10]);
    expect(f.mayHave(fingerprint('stored'), 10)).toBe(true);
    expect(f.mayHave(fingerprint('new'), 10)).toBe(false);
    f.add(fingerprint('new'), 10);
    expect(f.mayHave(fingerprint('new'), 10)).toBe(true);
    await f.ensure([10, 11]);
    await f.ensure([12]);
    expect(loads).toEqual([10, 11, 12]);
    expect(f.heldDays).toBe(2);
    expect(() => f.mayHave(1, 10)).toThrow(); // 10 was least recently used: dropped, must be ensured again
    await f.ensure([10]);
    expect(loads).toEqual([10, 11, 12, 10]);
    expect(f.mayHaveAnyDay(fingerprint('stored'))).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import { FingerprintSet, WindowedIdFilter, fingerprint } from '../../server/ingest/id-filter.ts';

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

describe('WindowedIdFilter', () => {
  const now = Date.parse('2026-11-11T12:00:00Z');
  it('answers per day of the event time and forgets days out of the window', () => {
    const f = new WindowedIdFilter(3);
    f.add('a', now);
    f.add('b', now - 2 * 86_400_000);
    expect(f.mayHave('a', now)).toBe(true);
    expect(f.mayHave('a', now - 86_400_000)).toBe(false);
    expect(f.mayHaveAnyDay('b')).toBe(true);
    expect(f.covers(now - 2 * 86_400_000, now)).toBe(true);
    expect(f.covers(now - 3 * 86_400_000, now)).toBe(false);
    f.prune(now + 86_400_000);
    expect(f.mayHaveAnyDay('b')).toBe(false);
    expect(f.mayHave('a', now)).toBe(true);
  });
});

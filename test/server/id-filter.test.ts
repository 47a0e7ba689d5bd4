import { describe, expect, it } from 'vitest';
import { IdFilter, PRECISE, fingerprint, fingerprint2 } from '../../server/ingest/id-filter.ts';

describe('IdFilter', () => {
  it('never forgets a fingerprint through its layers, and its false positives stay near the design rate', () => {
    const f = new IdFilter(64 * 1024 * 1024);
    const n = 3_000_000; // past the first layer (2^20 ids): the second and third layers take the rest
    for (let i = 1; i <= n; i++) f.add(fingerprint(`evt-${i}`));
    let missing = 0;
    for (let i = 1; i <= n; i++) if (!f.has(fingerprint(`evt-${i}`))) missing++;
    expect(missing).toBe(0);
    let falsePositives = 0;
    for (let i = 1; i <= 100_000; i++) if (f.has(fingerprint(`new-${i}`))) falsePositives++;
    // Each layer ≤ 0.24 % when full, three layers, plus fingerprint clashes (n / 2^32 ≈ 0.07 %).
    expect(falsePositives).toBeGreaterThan(0);
    expect(falsePositives / 100_000).toBeLessThan(0.01);
    expect(f.size).toBeGreaterThan(n * 0.99);
    expect(f.bytes).toBeLessThanOrEqual(64 * 1024 * 1024);
  });

  it('stays exact (no false negative) past its memory bound, answering "maybe" more often', () => {
    const f = new IdFilter(1024 * 1024); // 1 MiB: room for ≈ 500 k ids at the design rate
    const n = 2_000_000;
    for (let i = 1; i <= n; i++) f.add(fingerprint(`old-${i}`));
    expect(f.bytes).toBeLessThanOrEqual(1024 * 1024);
    for (let i = 1; i <= n; i += 7) expect(f.has(fingerprint(`old-${i}`))).toBe(true);
    let maybe = 0;
    for (let i = 1; i <= 10_000; i++) if (f.has(fingerprint(`fresh-${i}`))) maybe++;
    expect(maybe / 10_000).toBeGreaterThan(0.05); // overfull: many more ids are verified in storage
  });

  it('with two hashes an id, the precise shape is not bound by 32-bit clashes', () => {
    const f = new IdFilter(256 * 1024 * 1024, 2_000_000, PRECISE);
    for (let i = 1; i <= 2_000_000; i++) f.add(fingerprint(`O-${i}`), fingerprint2(`O-${i}`));
    for (let i = 1; i <= 2_000_000; i += 13) expect(f.has(fingerprint(`O-${i}`), fingerprint2(`O-${i}`))).toBe(true);
    let maybe = 0;
    for (let i = 1; i <= 200_000; i++) if (f.has(fingerprint(`P-${i}`), fingerprint2(`P-${i}`))) maybe++;
    expect(maybe).toBeLessThanOrEqual(4); // design ≈ 10⁻⁶ at this fill; 32-bit clashes alone would give ≈ 90
  });

  it('is sized at start for what storage holds', () => {
    expect(new IdFilter(1 << 30, 10_000_000).bytes).toBeGreaterThanOrEqual(10_000_000 * 2);
    expect(new IdFilter(1 << 30).bytes).toBe(2 * 1024 * 1024);
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

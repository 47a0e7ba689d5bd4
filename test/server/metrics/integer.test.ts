// Integer ratios of finance and member metrics (server/metrics/sales/integer.ts): exact, and no ratio where
// the whole is zero or negative (a margin on a net revenue that discounts made negative: found by the fuzz
// suite as a 500 of finance.gross_margin).
import { describe, expect, it } from 'vitest';
import { divRound, ratioBp } from '../../../server/metrics/sales/integer.ts';

describe('ratioBp', () => {
  it('is exact in basis points, rounded half up', () => {
    expect(ratioBp(1, 3)).toBe(3_333);
    expect(ratioBp(2, 3)).toBe(6_667);
    expect(ratioBp(-1, 3)).toBe(-3_333);
    expect(ratioBp('9007199254740991', '9007199254740991')).toBe(10_000);
  });

  it('has no ratio for a zero or negative whole', () => {
    expect(ratioBp(5, 0)).toBeNull();
    expect(ratioBp(-5, -10)).toBeNull();
    expect(ratioBp(0, '-1')).toBeNull();
  });

  it('divRound refuses a denominator that is not positive', () => {
    expect(() => divRound(1, 0)).toThrow(RangeError);
  });
});

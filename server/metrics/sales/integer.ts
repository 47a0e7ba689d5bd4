// Integer rounding for money and ratios. Fen and basis points stay integers end to end (CONTRACT
// "Conventions"): a float would turn 0.1 + 0.2 into a wrong fen on a finance screen. The rollups hand sums
// over as strings (output_format_json_quote_64bit_integers=1), so these helpers take strings too and work in
// BigInt: products such as gmv_fen × 10,000 may exceed 2^53 even when the result does not.
import { toInt } from '../../plugins/clickhouse.ts';

type IntLike = bigint | number | string;

/**
 * num / den rounded half away from zero (四舍五入, as accountants round: 2.5 → 3, −2.5 → −3; for the
 * non-negative values of most metrics this is plain "half up"). `den` must be positive.
 */
export function divRound(num: IntLike, den: IntLike): number {
  const n = BigInt(num);
  const d = BigInt(den);
  if (d <= 0n) throw new RangeError(`divRound: denominator must be positive, got ${d}`);
  const abs = n < 0n ? -n : n;
  // floor((2|n| + d) / 2d) = round-half-up of |n| / d, exactly, in integers.
  const q = (2n * abs + d) / (2n * d);
  return toInt(String(n < 0n ? -q : q));
}

/** part / whole in basis points (1 bp = 0.01 %), rounded half up; null when whole is 0 or negative (no ratio
 *  exists: e.g. a margin on a net revenue that discounts larger than the lines made negative). */
export function ratioBp(part: IntLike, whole: IntLike): number | null {
  return BigInt(whole) <= 0n ? null : divRound(BigInt(part) * 10_000n, whole);
}

/** amount × rate_bp / 10,000 rounded half up: a commission or a fee in fen. */
export function applyBp(amountFen: IntLike, rateBp: number): number {
  return divRound(BigInt(amountFen) * BigInt(rateBp), 10_000n);
}

// What a demo day is a function of: seed, business zone, rate, and how often each DOMAIN rule is broken.
// Options are checked and resolved once per options object (a generator asks every second).
import type { IANAZone } from 'luxon';
import { hashString } from './random.ts';
import { zoneFor } from './time.ts';

/** The DOMAIN "Compliance and risk rules", ids exactly as written there. */
export const RULE_IDS = [
  'RX_WITHOUT_PRESCRIPTION', 'RX_REVIEW_SLA', 'CONTROLLED_QTY', 'EXPIRED_OUTBOUND', 'NEAR_EXPIRY_STOCK',
  'TRACE_CODE_MISSING', 'TRACE_CODE_DUPLICATE', 'COLD_CHAIN_EXCURSION', 'PRICE_ANOMALY', 'STOCKOUT_RISK',
  'LICENCE_EXPIRY', 'ORDER_SPIKE',
] as const;
export type RuleId = (typeof RULE_IDS)[number];
export type Violations = Record<RuleId, number>;

/**
 * Probability that one opportunity breaks the rule (0 disables it). The opportunity of each rule, and the
 * count a day at rate 3 gives with these defaults, so a wall shows a few alerts an hour, not a flood:
 */
export const DEFAULT_VIOLATIONS: Readonly<Violations> = Object.freeze({
  /** per paid Rx order: ships with no prescription at all (~30 a day) */
  RX_WITHOUT_PRESCRIPTION: 0.001,
  /** per prescription: waits 16–40 min for a pharmacist (~300 a day; the 20+ min tail of review times) */
  RX_REVIEW_SLA: 0.01,
  /** per order with an ephedrine-type line: 3–5 packs, or a diverter buyer who keeps coming back (~100 a day) */
  CONTROLLED_QTY: 0.005,
  /** per pick of a SKU that has an expired batch in stock: picks that batch (~40 a day) */
  EXPIRED_OUTBOUND: 0.002,
  /** per SKU and day: a batch inside the 180-day near-expiry window is in stock (~16 SKUs) */
  NEAR_EXPIRY_STOCK: 0.08,
  /** per traced box shipped: no trace code, no scan (~80 a day) */
  TRACE_CODE_MISSING: 0.0002,
  /** per traced box scanned out: its code is scanned out again at another warehouse (~40 a day) */
  TRACE_CODE_DUPLICATE: 0.0001,
  /** per cold-chain sensor and hour: 9–12 °C for 20–45 minutes (~3 a day) */
  COLD_CHAIN_EXCURSION: 0.01,
  /** per order line: a unit price below cost or a 0.01-yuan mis-set promotion (~130 a day) */
  PRICE_ANOMALY: 0.0003,
  /** per top-20 SKU and day: opens the day with ~2 days of cover in every warehouse (~2 SKUs a day) */
  STOCKOUT_RISK: 0.1,
  /** per shop and day: its 药品经营许可证 or GSP certificate expires within 7, 30 or 90 days (~4 of 22 shops) */
  LICENCE_EXPIRY: 0.2,
  /** per minute: one device/address places 12–30 orders within 2–5 minutes (~3 a day) */
  ORDER_SPIKE: 0.002,
});

export interface DemoOptions {
  seed: string;
  /** IANA zone of the business day, e.g. Asia/Shanghai. */
  tz: string;
  /** Average paid orders per second over a whole day (the midnight burst is ≈ ×10 that). */
  ratePerSecond: number;
  /** Per-rule overrides of DEFAULT_VIOLATIONS. */
  violations?: Partial<Violations>;
}

export interface Resolved {
  readonly seed: string;
  readonly seedHash: number;
  /** The seed as it appears in event ids: `demo-<tag>-…`. */
  readonly tag: string;
  readonly tz: string;
  readonly zone: IANAZone;
  readonly rate: number;
  readonly v: Readonly<Violations>;
  /** Identifies everything generated output depends on (cache key). */
  readonly key: string;
}

// Ids must stay ≤ 128 chars and free of odd characters, so a long or exotic seed is replaced by its hash.
function seedTag(seed: string): string {
  return /^[A-Za-z0-9_.]{1,32}$/.test(seed) ? seed : (hashString(seed) >>> 0).toString(36);
}

const resolved = new WeakMap<DemoOptions, Resolved>();

export function resolveOptions(opts: DemoOptions): Resolved {
  const hit = resolved.get(opts);
  // An options object may be mutated between calls: the cached entry must still describe it.
  if (hit && hit.seed === opts.seed && hit.tz === opts.tz && hit.rate === opts.ratePerSecond
    && RULE_IDS.every((r) => (opts.violations?.[r] ?? DEFAULT_VIOLATIONS[r]) === hit.v[r])) {
    return hit;
  }
  if (typeof opts.seed !== 'string' || opts.seed.length === 0) throw new RangeError('seed must not be empty');
  if (!(opts.ratePerSecond >= 0) || !Number.isFinite(opts.ratePerSecond)) throw new RangeError('bad ratePerSecond');
  const zone = zoneFor(opts.tz);
  const v = { ...DEFAULT_VIOLATIONS } as Violations;
  for (const [rule, p] of Object.entries(opts.violations ?? {})) {
    if (!(RULE_IDS as readonly string[]).includes(rule)) throw new RangeError(`unknown rule: ${rule}`);
    if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new RangeError(`${rule} must be a probability in [0, 1]`);
    v[rule as RuleId] = p;
  }
  const r: Resolved = Object.freeze({
    seed: opts.seed, seedHash: hashString(opts.seed), tag: seedTag(opts.seed), tz: opts.tz, zone,
    rate: opts.ratePerSecond, v: Object.freeze(v),
    key: `${opts.seed}\u0000${opts.tz}\u0000${opts.ratePerSecond}\u0000${RULE_IDS.map((id) => v[id]).join(',')}`,
  });
  resolved.set(opts, r);
  return r;
}

/** Parses `RULE=p,RULE=p` (the CLI's --violations); `all=0` sets every rule. */
export function parseViolations(spec: string): Partial<Violations> {
  const out: Partial<Violations> = {};
  for (const part of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    const [rule, raw] = part.split('=');
    const p = Number(raw);
    if (raw === undefined || !(p >= 0 && p <= 1)) throw new RangeError(`bad violation rate: ${part}`);
    if (rule === 'all') for (const id of RULE_IDS) out[id] = p;
    else if ((RULE_IDS as readonly string[]).includes(rule)) out[rule as RuleId] = p;
    else throw new RangeError(`unknown rule: ${rule}`);
  }
  return out;
}

// Seeded randomness for the demo generators. Every draw is a pure function of (seed, integers, salt), so a
// restarted process, a second instance or a test regenerates exactly the same numbers with no state kept.
// mulberry32 seeded by a murmur3-style mix: fast, and no strings are built per order.

export type Rng = () => number;

export function mulberry32(state: number): Rng {
  let a = state | 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function mix(h: number, k: number): number {
  k = Math.imul(k | 0, 0xcc9e2d51); k = (k << 15) | (k >>> 17); k = Math.imul(k, 0x1b873593);
  h ^= k; h = (h << 13) | (h >>> 19); return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

export function fmix(h: number): number {
  h ^= h >>> 16; h = Math.imul(h, 0x85ebca6b); h ^= h >>> 13; h = Math.imul(h, 0xc2b2ae35); return h ^ (h >>> 16);
}

/** FNV-1a over UTF-16 units, finalised. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return fmix(h);
}

/**
 * Salts keep independent decisions independent: the draws for "how many orders this second" never shift
 * when the draws for "this order's lines" change. One list, so two modules can't pick the same salt.
 */
export const SALT = {
  COUNT: 1, ORDER: 2, BUYER: 3, BODY: 4, FRESH: 5, SPIKE: 6, SPIKE_BUYER: 7, PICK: 8, REFUND: 9, RX: 10,
  BATCH: 11, SHOP: 12, STOCK: 13, ADJUST: 14, SENSOR: 15, EXCURSION: 16, LIVE: 17, NEAR: 18, EXPIRED: 19,
  DOOR: 20, SAMPLE: 21,
} as const;

function keyHash(seedHash: number, a: number, b: number, salt: number): number {
  // a may exceed 32 bits (epoch ms, buyer ranges): both halves go in.
  return fmix(mix(mix(mix(mix(seedHash, a >>> 0), Math.floor(a / 4294967296)), b), salt));
}

export function rngFor(seedHash: number, a: number, b: number, salt: number): Rng {
  return mulberry32(keyHash(seedHash, a, b, salt));
}

/** One uniform draw in [0, 1) without allocating a generator (hot paths: per second × per sensor). */
export function hash01(seedHash: number, a: number, b: number, salt: number): number {
  return (keyHash(seedHash, a, b, salt) >>> 0) / 4294967296;
}

/** Eight hex digits of a key, for opaque ids (address hashes, device ids). */
export function hex8(seedHash: number, a: number, b: number, salt: number): string {
  return (keyHash(seedHash, a, b, salt) >>> 0).toString(16).padStart(8, '0');
}

export function poisson(rng: Rng, mean: number): number {
  if (!(mean > 0)) return 0;
  if (mean < 30) { // Knuth: exact, cost ∝ mean
    const limit = Math.exp(-mean);
    let k = 0, p = rng();
    while (p > limit) { k++; p *= rng(); }
    return k;
  }
  const z = Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng()); // normal approximation
  return Math.max(0, Math.round(mean + Math.sqrt(mean) * z));
}

/** A log-normal draw around `median` (σ in log space), clamped: review times, waits. Uses two draws. */
export function logNormal(rng: Rng, median: number, sigma: number, min: number, max: number): number {
  const z = Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  return Math.min(max, Math.max(min, median * Math.exp(sigma * z)));
}

/** An integer in [lo, hi], one draw. */
export function between(rng: Rng, lo: number, hi: number): number {
  return lo + Math.floor(rng() * (hi - lo + 1));
}

/** Weighted choice in O(log n) from a cumulative table built once. */
export function picker<T>(items: readonly T[], weight: (t: T) => number): (u: number) => T {
  const cum: number[] = [];
  let total = 0;
  for (const it of items) { total += weight(it); cum.push(total); }
  if (items.length === 0 || !(total > 0)) throw new RangeError('picker needs items with a positive total weight');
  return (u) => {
    const x = u * total;
    let lo = 0, hi = cum.length - 1;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (cum[mid] > x) hi = mid; else lo = mid + 1; }
    return items[lo];
  };
}

export function pickOf<T>(rng: Rng, xs: readonly T[]): T {
  return xs[Math.floor(rng() * xs.length)];
}

/** Smooth noise in [-1, 1]: cosine interpolation between hashed knots every `period` seconds (sensors, viewers). */
export function smoothNoise(seedHash: number, stream: number, t: number, period: number, salt: number): number {
  const k = Math.floor(t / period);
  const f = (t - k * period) / period;
  const a = hash01(seedHash, k, stream, salt) * 2 - 1;
  const b = hash01(seedHash, k + 1, stream, salt) * 2 - 1;
  const w = (1 - Math.cos(Math.PI * f)) / 2;
  return a + (b - a) * w;
}

// Batches (批号) of every SKU for one demo day, dated relative to that day: two or three ordinary batches
// with at least 200 days left, plus — injected — a batch inside the 180-day near-expiry window
// (NEAR_EXPIRY_STOCK) and, for a few SKUs, a batch already past expiry that is still on hand, the
// opportunity for EXPIRED_OUTBOUND. Pure per (seed, violations, date).
import { SKUS, type Sku } from '../orders/catalogue.ts';
import type { Resolved } from './options.ts';
import { SALT, hash01, rngFor } from './random.ts';
import { addDays } from './time.ts';

export type BatchKind = 'normal' | 'near' | 'expired';
export interface DemoBatch {
  readonly batch_no: string;
  readonly sku_id: string;
  readonly mfg_date: string;
  readonly expiry_date: string;
  readonly kind: BatchKind;
}

/** Near-expiry policy window (DOMAIN: e.g. < 180 days); ordinary batches keep ≥ 200 days. */
export const NEAR_EXPIRY_DAYS = 180;
const MIN_NORMAL_LEFT = 200;
/** Share of SKUs holding an expired batch when EXPIRED_OUTBOUND is on ("a few past expiry"). */
const EXPIRED_SKU_SHARE = 0.05;

/** Shelf life (有效期) in days: biologics and insulin 24 months, most drugs 36, devices 60. */
function shelfDays(s: Sku): number {
  if (s.storage_class === 'cold') return 730;
  if (s.category === 'device') return 1825;
  if (s.category === 'supplement' || s.category === 'herbal') return 730;
  return 1095;
}

export function dayNumber(date: string): number {
  return Math.round(Date.parse(`${date}T00:00:00Z`) / 86_400_000);
}

const skuNum = (s: Sku): number => Number(s.sku_id.slice(4));

/** True when the SKU holds an expired batch (stable per seed, so the same few SKUs carry the risk). */
export function hasExpiredBatch(o: Resolved, s: Sku): boolean {
  return o.v.EXPIRED_OUTBOUND > 0 && hash01(o.seedHash, skuNum(s), 0, SALT.EXPIRED) < EXPIRED_SKU_SHARE;
}

function batch(s: Sku, date: string, daysLeft: number, kind: BatchKind, letter: string): DemoBatch {
  const expiry = addDays(date, daysLeft);
  const mfg = addDays(expiry, -(shelfDays(s) - 1));
  return { batch_no: `L${mfg.slice(2).replaceAll('-', '')}${letter}-${skuNum(s)}`, sku_id: s.sku_id, mfg_date: mfg,
    expiry_date: expiry, kind };
}

function batchesOfSku(o: Resolved, s: Sku, date: string): DemoBatch[] {
  const day = dayNumber(date), shelf = shelfDays(s);
  const r = rngFor(o.seedHash, skuNum(s), day, SALT.BATCH);
  const count = s.weight >= 4 ? 3 : 2;
  // Spread the ordinary batches over the part of the shelf life that leaves ≥ 200 days, ≥ 20 days apart.
  const room = shelf - 20 - MIN_NORMAL_LEFT;
  const out: DemoBatch[] = [];
  for (let i = 0; i < count; i++) {
    const lo = MIN_NORMAL_LEFT + Math.floor((room * i) / count), hi = MIN_NORMAL_LEFT + Math.floor((room * (i + 1)) / count) - 20;
    out.push(batch(s, date, lo + Math.floor(r() * (hi - lo + 1)), 'normal', 'ABC'[i]));
  }
  const uNear = hash01(o.seedHash, skuNum(s), day, SALT.NEAR), nearLeft = 15 + Math.floor(r() * (NEAR_EXPIRY_DAYS - 15));
  if (uNear < o.v.NEAR_EXPIRY_STOCK) out.push(batch(s, date, nearLeft, 'near', 'N'));
  const expiredLeft = -1 - Math.floor(r() * 60);
  if (hasExpiredBatch(o, s)) out.push(batch(s, date, expiredLeft, 'expired', 'X'));
  return out.sort((a, b) => a.expiry_date.localeCompare(b.expiry_date));
}

const cache = new Map<string, ReadonlyMap<string, readonly DemoBatch[]>>();

/** Every SKU's batches on a date, each list by expiry (first expiring first: FEFO order). */
export function batchesForDate(o: Resolved, date: string): ReadonlyMap<string, readonly DemoBatch[]> {
  const key = `${o.key}|${date}`;
  let hit = cache.get(key);
  if (!hit) {
    hit = new Map(SKUS.map((s) => [s.sku_id, batchesOfSku(o, s, date)]));
    if (cache.size >= 16) cache.delete(cache.keys().next().value as string);
    cache.set(key, hit);
  }
  return hit;
}

// Which orders have a later event (prescription steps, shipping, delivery, a rejected-Rx refund) in a given
// second. Those moments vary per order, so each created second's heads are indexed once by the second each
// event falls in. The index and the heads kept with it are only a cache — every entry is recomputed from
// (seed, second, n) when missing — so output never depends on what was asked before: a fresh process builds
// the last `lookbackS` seconds and agrees with a long-running one.
import { orderBody, type DemoOrder } from '../orders/basket.ts';
import { DEMO_LIFECYCLE, headAt, headsOf, refundedHeadsOf, type Head } from '../orders/heads.ts';
import type { Resolved } from './options.ts';

export const STEPS = ['rx_issued', 'rx_started', 'rx_decided', 'shipped', 'delivered', 'rejected_refund'] as const;
export type Step = (typeof STEPS)[number];
/** A due step: its order's head (drawn lazily: a delivery needs only the ids), and its ms in the second. */
export interface Due { src: number; n: number; ms: number; step: Step; head: () => CachedHead }
/** A head that remembers its body once drawn (shipping and refunds need the lines again). */
export type CachedHead = Head & { body?: DemoOrder };

const L = DEMO_LIFECYCLE.lookbackS;
/** Seconds kept behind the newest request, so a resume or a test stepping back a little is still a hit. */
const KEEP_BEHIND_S = 900;
const MAX_TIMELINES = 4;
/**
 * Heads (with their bodies) are kept for reuse while their order is likely to ship: 30 minutes. Keeping them
 * for the whole lookback costs more in garbage collection (they'd all reach the old generation) than
 * redrawing the few that deliver or refund later. At very high rates a count cap bounds the memory.
 */
const HEADS_KEPT_S = 1800;
const MAX_CACHED_HEADS = 120_000;
// One number per index entry: ((n · 8 + step) · 1000 + ms) · 2^14 + (target − src); L < 2^14.
const DELTA = 16_384;

interface Timeline {
  lo: number; hi: number; minTarget: number;
  index: Map<number, number[]>;
  /** Heads per created second, for seconds headsFrom…hi. */
  heads: Map<number, CachedHead[]>; headsFrom: number; cached: number;
}
const timelines = new Map<string, Timeline>();

function times(h: Head): Array<number | null> {
  return [h.rx?.issuedAt ?? null, h.rx?.startedAt ?? null, h.rx?.decidedAt ?? null, h.shipAt, h.deliverAt, h.rejectRefundAt];
}

function indexSecond(o: Resolved, tl: Timeline, src: number): void {
  const heads = headsOf(o, src);
  tl.heads.set(src, heads);
  tl.cached += heads.length;
  for (const h of heads) {
    times(h).forEach((ms, step) => {
      if (ms === null) return;
      const target = Math.floor(ms / 1000);
      if (target - src >= L || target < src) throw new Error(`demo order ${h.order_id}: event outside its lookback`);
      const list = tl.index.get(target);
      const entry = ((h.n * 8 + step) * 1000 + (ms % 1000)) * DELTA + (target - src);
      if (list) list.push(entry);
      else tl.index.set(target, [entry]);
    });
  }
}

let lastKey = '';
function timelineFor(o: Resolved, second: number): Timeline {
  let tl = timelines.get(o.key);
  if (tl && lastKey !== o.key) timelines.delete(o.key); // re-inserted below: most recently used last
  const complete = tl && tl.lo <= second - L && second >= tl.minTarget && second - tl.hi <= L;
  if (!tl || !complete) {
    const lo = second - L - KEEP_BEHIND_S;
    tl = { lo, hi: lo - 1, minTarget: lo, index: new Map(), heads: new Map(), headsFrom: lo, cached: 0 };
  }
  for (let s = tl.hi + 1; s <= second; s++) indexSecond(o, tl, s);
  tl.hi = Math.max(tl.hi, second);
  // Forget targets far behind the newest request (their orders were served) and the oldest heads.
  const keepFrom = tl.hi - KEEP_BEHIND_S;
  for (let t = tl.minTarget; t < keepFrom; t++) tl.index.delete(t);
  tl.minTarget = Math.max(tl.minTarget, keepFrom);
  while (tl.headsFrom <= tl.hi && (tl.headsFrom < tl.hi - HEADS_KEPT_S || tl.cached > MAX_CACHED_HEADS)) {
    tl.cached -= tl.heads.get(tl.headsFrom)?.length ?? 0;
    tl.heads.delete(tl.headsFrom++);
  }
  if (timelines.get(o.key) !== tl) timelines.set(o.key, tl); // new, re-inserted, or rebuilt
  lastKey = o.key;
  if (timelines.size > MAX_TIMELINES) timelines.delete(timelines.keys().next().value as string);
  return tl;
}

function cachedHead(o: Resolved, tl: Timeline, src: number, n: number): CachedHead {
  return tl.heads.get(src)?.[n] ?? headAt(o, src, n);
}

/** The orders created in this second, and the later events of earlier orders due in it (creation order). */
export function ordersAt(o: Resolved, second: number): { created: CachedHead[]; due: Due[] } {
  const tl = timelineFor(o, second);
  const entries = tl.index.get(second) ?? [];
  const due = entries.map((e): Due => {
    const delta = e % DELTA, rest = (e - delta) / DELTA, ms = rest % 1000, key = (rest - ms) / 1000;
    const src = second - delta, n = Math.floor(key / 8);
    return { src, n, ms, step: STEPS[key % 8], head: () => cachedHead(o, tl, src, n) };
  });
  return { created: tl.heads.get(second) ?? headsOf(o, second), due };
}

/** Orders of an earlier second that were refunded (from the cache when it still holds them). */
export function refundedAt(o: Resolved, src: number): CachedHead[] {
  const heads = timelines.get(o.key)?.heads.get(src);
  return heads ? heads.filter((h) => h.refunded) : refundedHeadsOf(o, src);
}

/** The body of a head, drawn once per cached head. */
export function bodyOf(o: Resolved, h: CachedHead): DemoOrder {
  return (h.body ??= orderBody(o, h));
}

// Seeded demo orders of a 双11 day. An order's head — fate, basket type, buyer, and every later moment of its
// life (prescription review, shipping, delivery) — is a pure function of (seed, second, n), cheap to redraw;
// the body (lines, prices) lives in ./basket.ts. streams/demo/timeline.ts schedules the later events from the
// heads, so no state is kept and a restarted process regenerates the same events with the same event_ids.
import type { Resolved } from '../demo/options.ts';
import { SALT, between, hash01, picker, pickOf, poisson, rngFor } from '../demo/random.ts';
import { curveAt } from '../demo/time.ts';
import { planPrescription, type RxPlan } from '../rx/demo.ts';
import { POOLS, buyerHashes, streetAddress } from './basket.ts';
import {
  CHANNEL_WEIGHTS, CHANNELS, PROVINCE_INFO, SHOPS, WAREHOUSE_IDS, type Channel, type ProvinceInfo, type Shop, type Sku,
  type WarehouseId,
} from './catalogue.ts';

export const PAID_SHARE = 0.95; // the other 5 % are cancelled in the same second
export const REFUND_SHARE = 0.015; // of paid orders, refunded DEMO_LIFECYCLE.refundAfterS after creation
/** Basket types: orders with an Rx line (DOMAIN: 5–20 %) and with an ephedrine-type line. */
export const BASKET_SHARES = { rx: 0.12, controlled: 0.07 } as const;
const BUYER_POOL = 20_000_000; // returning members; controlled baskets never draw from it (see below)
const O2O_POOL = 500_000; // buyers per 美团 store, in their own id range so a buyer keeps one home
const DIVERTERS = 8; // buyers behind the injected repeat purchases of ephedrine-type drugs

/** Delays in seconds. Refunds and returns are fixed after creation; the rest vary per order (see orderHead). */
export const DEMO_LIFECYCLE = {
  /** Ship after payment, non-Rx: O2O (美团) 2–6 min, parcels 8–20 min; Rx: 1–10 min after approval. */
  shipAfterS: { o2o: [120, 360], parcel: [480, 1200], afterApproval: [60, 600] },
  /** Delivered after shipping: O2O 15–30 min, parcels 40–90 min (a compressed "next day"). */
  deliverAfterS: { o2o: [900, 1800], parcel: [2400, 5400] },
  refundAfterS: 7200,
  /** Refunded goods are back in the warehouse this long after the refund. */
  returnAfterS: 1800,
  /** Every variable event of an order happens within this many seconds of its creation. */
  lookbackS: 9000,
} as const;

/** The buyer of an order: id, and the key of the random stream their details are drawn from. */
export interface Buyer { id: string; a: number; b: number; salt: number; homeDraws: number; home: ProvinceInfo; city: string }
export interface Spike { slot: number; sku: Sku; address: string; addressHash: string; deviceId: string }

export interface Head {
  second: number; n: number; order_id: string; idBase: string;
  cancelled: boolean; refunded: boolean;
  /** Epoch ms. */
  createdMs: number; closedMs: number;
  /** ms inside the second of the refund and the return. */
  laterMs: number;
  channel: Channel; shop: Shop; home: ProvinceInfo; city: string; warehouse_id: WarehouseId;
  basket: 'plain' | 'rx' | 'controlled'; buyer: Buyer;
  /** CONTROLLED_QTY injected as 3–5 packs in this order. */
  ctrlExcess: boolean;
  spike: Spike | null;
  /** The prescription, or null (no Rx line, cancelled, or RX_WITHOUT_PRESCRIPTION injected: `noRx`). */
  rx: RxPlan | null; noRx: boolean;
  /** Epoch ms, null when it never happens (cancelled, or Rx rejected). */
  shipAt: number | null; deliverAt: number | null; rejectRefundAt: number | null;
}

const pickProvince = picker(PROVINCE_INFO, (p) => p.weight);
const pickChannel = picker(CHANNELS, (c) => CHANNEL_WEIGHTS[c]);
const pickShop = new Map(CHANNELS.map((c) => [c, picker(SHOPS.filter((s) => s.channel === c), (s) => s.weight)]));
const provinceInfo = new Map(PROVINCE_INFO.map((p) => [p.province, p]));
const SHOP_INDEX = new Map(SHOPS.map((s, i) => [s.shop_id, i]));
const SPIKE_CHANNELS: readonly Channel[] = ['pdd', 'pdd', 'tmall', 'douyin', 'jd'];
const pickDeal = picker(POOLS.deal, (s) => s.weight);

const span = (u: number, [lo, hi]: readonly [number, number]): number => Math.round((lo + u * (hi - lo)) * 1000);

function poolBuyer(o: Resolved, shop: Shop, u: number): Buyer {
  const store = shop.home ? SHOP_INDEX.get(shop.shop_id)! : -1;
  const idx = store >= 0 ? BUYER_POOL + store * O2O_POOL + Math.floor(u * O2O_POOL) : Math.floor(u * (BUYER_POOL - DIVERTERS));
  return placed(o, `B${String(idx).padStart(9, '0')}`, idx, 0, SALT.BUYER, shop.home);
}
// Buyers of ephedrine-type baskets get an id of their own (a one-off member): a buyer who buys them twice
// in 24 h is then always an injected diverter, never a coincidence of a random pool.
function freshBuyer(o: Resolved, second: number, n: number, shop: Shop): Buyer {
  return placed(o, `M${second}${String(n).padStart(4, '0')}`, second, n, SALT.FRESH, shop.home);
}
/** A buyer with a home: the O2O store's city, or drawn from the buyer's own stream (2 draws). */
function placed(o: Resolved, id: string, a: number, b: number, salt: number, fixed: Shop['home']): Buyer {
  if (fixed) return { id, a, b, salt, homeDraws: 0, home: provinceInfo.get(fixed.province)!, city: fixed.city };
  const r = rngFor(o.seedHash, a, b, salt);
  const home = pickProvince(r());
  return { id, a, b, salt, homeDraws: 2, home, city: pickOf(r, home.cities) };
}

export function orderCount(o: Resolved, second: number): number {
  return poisson(rngFor(o.seedHash, second, 0, SALT.COUNT), (o.rate / PAID_SHARE) * curveAt(o.zone, second));
}

export function orderHead(o: Resolved, second: number, n: number): Head {
  const r = rngFor(o.seedHash, second, n, SALT.ORDER);
  const cancelled = r() >= PAID_SHARE;
  const uRefund = r();
  const createdMs = second * 1000 + Math.floor(r() * 600);
  const closedMs = createdMs + 100 + Math.floor(r() * (899 - (createdMs % 1000)));
  const laterMs = Math.floor(r() * 1000);
  const channel = pickChannel(r());
  const shop = pickShop.get(channel)!(r());
  const uBasket = r(), uViolation = r(), uVariant = r(), uBuyer = r(), uShip = r(), uDeliver = r(), uPack = r();
  const basket = uBasket < BASKET_SHARES.rx ? 'rx' : uBasket < BASKET_SHARES.rx + BASKET_SHARES.controlled ? 'controlled' : 'plain';
  let buyer: Buyer, ctrlExcess = false;
  if (basket === 'controlled') {
    // Injected: half the time 3–5 packs in this order, else one of a few diverters buying again (a diverter
    // lives somewhere: an O2O store, which only serves its own city, gets the 3–5 packs instead).
    const injected = uViolation < o.v.CONTROLLED_QTY;
    ctrlExcess = injected && (uVariant < 0.5 || shop.home !== undefined);
    const diverter = BUYER_POOL - 1 - Math.floor(uBuyer * DIVERTERS);
    buyer = injected && !ctrlExcess
      ? placed(o, `B${String(diverter).padStart(9, '0')}`, diverter, 0, SALT.BUYER, undefined)
      : freshBuyer(o, second, n, shop);
  } else {
    buyer = poolBuyer(o, shop, uBuyer);
  }
  const order_id = `O${second}-${n}`;
  const idBase = `demo-${o.tag}-${second}-${n}`;
  const noRx = basket === 'rx' && uViolation < o.v.RX_WITHOUT_PRESCRIPTION;
  const rx = basket === 'rx' && !noRx && !cancelled
    ? planPrescription(rngFor(o.seedHash, second, n, SALT.RX), `RX${second}-${n}`, createdMs, uVariant < o.v.RX_REVIEW_SLA, curveAt(o.zone, second))
    : null;
  const head: Head = { second, n, order_id, idBase, cancelled, refunded: !cancelled && uRefund < REFUND_SHARE && rx?.approved !== false,
    createdMs, closedMs, laterMs, channel, shop, home: buyer.home, city: buyer.city, warehouse_id: buyer.home.warehouse_id,
    basket, buyer, ctrlExcess, spike: null, rx, noRx, shipAt: null, deliverAt: null, rejectRefundAt: null };
  return schedule(head, uShip, uDeliver, uPack);
}

function schedule(h: Head, uShip: number, uDeliver: number, uPack: number): Head {
  if (h.cancelled) return h;
  const o2o = h.shop.home !== undefined;
  const L = DEMO_LIFECYCLE;
  if (h.rx && !h.rx.approved) {
    h.rejectRefundAt = h.rx.decidedAt + span(uPack, [60, 300]); // the platform refunds a rejected Rx order
    return h;
  }
  h.shipAt = h.rx ? h.rx.decidedAt + span(uShip, L.shipAfterS.afterApproval) : h.closedMs + span(uShip, o2o ? L.shipAfterS.o2o : L.shipAfterS.parcel);
  h.deliverAt = h.shipAt + span(uDeliver, o2o ? L.deliverAfterS.o2o : L.deliverAfterS.parcel);
  return h;
}

// ---- ORDER_SPIKE: per minute, with its probability, one device and address place 12–30 orders of a cheap
// deal item within 2–5 minutes (刷单 / bulk buying), each under a fresh buyer account.
const SPIKE_REACH_S = 59 + 300;
function spikeAt(o: Resolved, slot: number): null | { start: number; k: number; d: number; shop: Shop; home: ProvinceInfo; city: string; spike: Spike } {
  if (!(hash01(o.seedHash, slot, 0, SALT.SPIKE) < o.v.ORDER_SPIKE)) return null;
  const r = rngFor(o.seedHash, slot, 1, SALT.SPIKE);
  const start = slot * 60 + Math.floor(r() * 60), k = between(r, 12, 30), d = between(r, 120, 300);
  const shop = pickShop.get(pickOf(r, SPIKE_CHANNELS))!(r());
  const home = pickProvince(r()), city = pickOf(r, home.cities);
  const hashes = buyerHashes(o, { a: slot, b: 0, salt: SALT.SPIKE });
  return { start, k, d, shop, home, city, spike: { slot, sku: pickDeal(r()), address: streetAddress(r, home, city), ...hashes } };
}

/** The spike orders created in one second, numbered after the second's regular orders. */
export function spikeHeads(o: Resolved, second: number, firstN: number): Head[] {
  if (!(o.v.ORDER_SPIKE > 0)) return [];
  const out: Head[] = [];
  for (let slot = Math.floor((second - SPIKE_REACH_S) / 60); slot <= Math.floor(second / 60); slot++) {
    const s = spikeAt(o, slot);
    if (!s) continue;
    for (let j = 0; j < s.k; j++) {
      if (s.start + Math.floor((j * s.d) / s.k) !== second) continue;
      const r = rngFor(o.seedHash, slot, 1000 + j, SALT.SPIKE);
      const n = firstN + out.length;
      const createdMs = second * 1000 + Math.floor(r() * 600);
      const buyer: Buyer = { id: `M${slot}${String(j).padStart(2, '0')}`, a: slot, b: j, salt: SALT.SPIKE_BUYER, homeDraws: 0, home: s.home, city: s.city };
      const head: Head = { second, n, order_id: `O${second}-${n}`, idBase: `demo-${o.tag}-${second}-${n}`, cancelled: false, refunded: false,
        createdMs, closedMs: createdMs + 100 + Math.floor(r() * 250), laterMs: 0, channel: s.shop.channel, shop: s.shop,
        home: s.home, city: s.city, warehouse_id: s.home.warehouse_id, basket: 'plain', buyer, ctrlExcess: false, spike: s.spike, rx: null, noRx: false, shipAt: null, deliverAt: null, rejectRefundAt: null };
      out.push(schedule(head, r(), r(), r()));
    }
  }
  return out;
}

/** Every order created in one second (regular, then spike), cancelled ones included. */
export function headsOf(o: Resolved, second: number): Head[] {
  const count = orderCount(o, second);
  const heads = Array.from({ length: count }, (_, n) => orderHead(o, second, n));
  return heads.concat(spikeHeads(o, second, count));
}

/**
 * The orders of a second that get a natural refund. Only their heads are built: the fate draws come first in
 * an order's stream, so the other 98.5 % are passed over after two draws.
 */
export function refundedHeadsOf(o: Resolved, second: number): Head[] {
  const out: Head[] = [];
  const count = orderCount(o, second);
  for (let n = 0; n < count; n++) {
    const r = rngFor(o.seedHash, second, n, SALT.ORDER);
    if (r() >= PAID_SHARE || r() >= REFUND_SHARE) continue;
    const h = orderHead(o, second, n);
    if (h.refunded) out.push(h);
  }
  return out;
}

/** One order's head, by its second and number. */
export function headAt(o: Resolved, second: number, n: number): Head {
  const count = orderCount(o, second);
  if (n < count) return orderHead(o, second, n);
  const spike = spikeHeads(o, second, count)[n - count];
  if (!spike) throw new RangeError(`no order ${n} in second ${second}`);
  return spike;
}

/** Share of paid orders each warehouse ships (from channel, shop and province weights). */
export const WAREHOUSE_SHARE: Readonly<Record<WarehouseId, number>> = (() => {
  const out = Object.fromEntries(WAREHOUSE_IDS.map((w) => [w, 0])) as Record<WarehouseId, number>;
  const chTotal = CHANNELS.reduce((s, c) => s + CHANNEL_WEIGHTS[c], 0);
  const provTotal = PROVINCE_INFO.reduce((s, p) => s + p.weight, 0);
  for (const c of CHANNELS) {
    const shops = SHOPS.filter((s) => s.channel === c), shopTotal = shops.reduce((s, x) => s + x.weight, 0);
    for (const s of shops) {
      const share = (CHANNEL_WEIGHTS[c] / chTotal) * (s.weight / shopTotal);
      if (s.home) out[provinceInfo.get(s.home.province)!.warehouse_id] += share;
      else for (const p of PROVINCE_INFO) out[p.warehouse_id] += (share * p.weight) / provTotal;
    }
  }
  return Object.freeze(out);
})();

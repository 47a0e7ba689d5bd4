// What is in a demo order: its lines, prices, coupon and buyer details. The order's head (orders/demo.ts)
// already fixed the basket type (plain, Rx, ephedrine-type), the buyer and the fate; this draws the rest from
// the order's own random stream, so it can be redrawn identically whenever an event needs it (shipping,
// refunds), with no state kept. PRICE_ANOMALY and CONTROLLED_QTY are injected here.
import type { Resolved } from '../demo/options.ts';
import { SALT, hex8, picker, pickOf, rngFor, type Rng } from '../demo/random.ts';
import {
  CAMPAIGNS, DISTRICTS, GIVEN_NAMES, PHONE_PREFIXES, SKUS, STREETS, SURNAMES, type Channel, type Sku,
} from './catalogue.ts';
import type { Buyer, Head } from './heads.ts';

export interface OrderLine { sku_id: string; qty: number; unit_price_fen: number; discount_fen?: number }
export interface OrderDetails {
  order_id: string; channel: Channel; shop_id: string; buyer_id: string; province: Head['home']['province'];
  city?: string; buyer_name?: string; buyer_phone?: string; address?: string; address_hash?: string;
  device_id?: string; campaign?: string; lines: OrderLine[];
}
/** One order as the generator sees it, for the other demo streams (rx, inventory, trace) to follow. */
export interface DemoOrder { details: OrderDetails; paid_fen: number; coupon_fen: number; cancelled: boolean;
  created_ms: number; closed_ms: number; warehouse_id: Head['warehouse_id'] }

export const SKU_BY_ID: ReadonlyMap<string, Sku> = new Map(SKUS.map((s) => [s.sku_id, s]));
const PLAIN = SKUS.filter((s) => !s.is_rx && !s.controlled);
export const POOLS = {
  rx: SKUS.filter((s) => s.is_rx),
  controlled: SKUS.filter((s) => s.controlled),
  plain: PLAIN,
  /** Cheap, popular items that 刷单 rings (ORDER_SPIKE) pile onto. */
  deal: PLAIN.filter((s) => s.list_price_fen <= 4000 && s.weight >= 5),
} as const;
const pick = {
  rx: picker(POOLS.rx, (s) => s.weight), controlled: picker(POOLS.controlled, (s) => s.weight),
  plain: picker(POOLS.plain, (s) => s.weight),
};
/** Lines per order: 55 % one, 28 % two, 12 % three, 5 % four. */
const LINES_CUM = [0.55, 0.83, 0.95, 1] as const;
export const MEAN_EXTRA_LINES = 0.55 * 0 + 0.28 * 1 + 0.12 * 2 + 0.05 * 3;
/** Second and later lines of an Rx order are another Rx drug this often (chronic patients refill together). */
const RX_EXTRA_SHARE = 0.3;

// Platforms hide buyers behind 隐私面单 most of the time; own channels and O2O delivery carry them in clear.
const PII_SHARE: Readonly<Record<Channel, number>> = { tmall: 0.4, jd: 0.4, pdd: 0.3, douyin: 0.4, meituan: 0.9, own: 1 };
const MARKDOWN: Readonly<Record<Channel, number>> = { tmall: 0.1, jd: 0.1, pdd: 0.15, douyin: 0.12, meituan: 0.05, own: 0.08 };
const COUPONS: ReadonlyArray<readonly [number, number]> = [[29900, 5000], [19900, 3000], [9900, 1000], [4900, 500]];

/** Name, phone and street address of a buyer: a pure function of the buyer, so a buyer is always one person. */
export function buyerDetails(o: Resolved, b: Buyer, addressOverride?: string): Pick<OrderDetails, 'buyer_name' | 'buyer_phone' | 'address'> {
  const r = rngFor(o.seedHash, b.a, b.b, b.salt);
  for (let i = 0; i < b.homeDraws; i++) r(); // the draws that placed the buyer's home come first
  const name = SURNAMES[Math.floor(r() * SURNAMES.length)] + pickOf(r, GIVEN_NAMES);
  const phone = pickOf(r, PHONE_PREFIXES) + String(Math.floor(r() * 1e8)).padStart(8, '0');
  return { buyer_name: name, buyer_phone: phone, address: addressOverride ?? streetAddress(r, b.home, b.city) };
}

export function streetAddress(r: Rng, home: Buyer['home'], city: string): string {
  const cityPart = home.cities.length === 1 && home.cities[0] === home.province ? '' : `${city}市`;
  return `${home.full_name}${cityPart}${pickOf(r, DISTRICTS)}${pickOf(r, STREETS)}${1 + Math.floor(r() * 400)}号`
    + `${1 + Math.floor(r() * 30)}栋${1 + Math.floor(r() * 4)}单元${101 + Math.floor(r() * 28) * 100 + Math.floor(r() * 4)}室`;
}

function qtyFor(r: Rng): number {
  const q = r();
  return q < 0.68 ? 1 : q < 0.9 ? 2 : q < 0.98 ? 3 : 4 + Math.floor(r() * 3);
}

/** A line's unit price: near list, rounded to 0.1 yuan; or, injected, below cost or a 0.01-yuan mis-set. */
function price(o: Resolved, r: Rng, sku: Sku, channel: Channel): { unit: number; anomaly: boolean } {
  const unit = Math.round((sku.list_price_fen * (1 - MARKDOWN[channel] * r())) / 10) * 10;
  const u = r(), variant = r(), depth = r(); // always drawn: the rate changes nothing but the anomalies
  if (u >= o.v.PRICE_ANOMALY) return { unit, anomaly: false };
  if (variant < 0.5) return { unit: 1, anomaly: true }; // 0.01 元: a promotion set in yuan where fen was meant
  return { unit: Math.max(1, Math.floor((sku.cost_fen * (0.55 + 0.4 * depth)) / 10) * 10), anomaly: true };
}

export function orderBody(o: Resolved, h: Head): DemoOrder {
  const r = rngFor(o.seedHash, h.second, h.n, SALT.BODY);
  const lines: OrderLine[] = [];
  let subtotal = 0;
  const add = (sku: Sku, qty: number): void => {
    const { unit, anomaly } = price(o, r, sku, h.channel);
    const line: OrderLine = { sku_id: sku.sku_id, qty, unit_price_fen: unit };
    // Rx is not promoted with 满减, so Rx lines carry no discount; nor does a line already mispriced.
    const u = r(), depth = r();
    if (!sku.is_rx && !anomaly && u < 0.25) line.discount_fen = Math.floor(qty * unit * (0.02 + 0.06 * depth));
    subtotal += qty * unit - (line.discount_fen ?? 0);
    lines.push(line);
  };
  if (h.spike) {
    add(h.spike.sku, 1 + Math.floor(r() * 2));
  } else {
    const u = r();
    const want = LINES_CUM.findIndex((c) => u < c) + 1;
    const first = h.basket === 'rx' ? pick.rx(r()) : h.basket === 'controlled' ? pick.controlled(r()) : pick.plain(r());
    const q = qtyFor(r), q2 = r();
    // 含麻黄碱: ≤ 2 packs per order; an injected CONTROLLED_QTY order takes 3–5.
    add(first, first.controlled ? (h.ctrlExcess ? 3 + Math.floor(q2 * 3) : q2 < 0.75 ? 1 : 2) : q);
    for (let tries = 0; lines.length < want && tries < want * 3; tries++) {
      const fromRx = h.basket === 'rx' && r() < RX_EXTRA_SHARE;
      const sku = fromRx ? pick.rx(r()) : pick.plain(r());
      const qty = qtyFor(r);
      if (lines.some((l) => l.sku_id === sku.sku_id)) continue;
      add(sku, qty);
    }
  }
  const details: OrderDetails = { order_id: h.order_id, channel: h.channel, shop_id: h.shop.shop_id,
    buyer_id: h.buyer.id, province: h.home.province, city: h.city, ...idsOf(o, h), lines };
  if (r() < 0.45) details.campaign = pickOf(r, CAMPAIGNS[h.channel]);
  if (r() < PII_SHARE[h.channel] || h.spike) Object.assign(details, buyerDetails(o, h.buyer, h.spike?.address));
  const tier = r() < 0.35 ? COUPONS.find(([min]) => subtotal >= min) : undefined;
  const coupon = Math.min(tier ? tier[1] : 0, subtotal);
  return { details, paid_fen: Math.max(0, subtotal - coupon), coupon_fen: coupon, cancelled: h.cancelled,
    created_ms: h.createdMs % 1000, closed_ms: h.closedMs % 1000, warehouse_id: h.warehouse_id };
}

function idsOf(o: Resolved, h: Head): { address_hash: string; device_id: string } {
  const x = h.spike ?? buyerHashes(o, h.buyer);
  return { address_hash: x.addressHash, device_id: x.deviceId };
}

/** Opaque, stable ids of a buyer's delivery address and phone (what ORDER_SPIKE and CONTROLLED_QTY key on). */
export function buyerHashes(o: Resolved, b: Pick<Buyer, 'a' | 'b' | 'salt'>): { addressHash: string; deviceId: string } {
  return { addressHash: `AH${hex8(o.seedHash, b.a, b.b, b.salt + 100)}${hex8(o.seedHash, b.b, b.a, b.salt + 200)}`,
    deviceId: `DV${hex8(o.seedHash, b.a, b.b, b.salt + 300)}` };
}

/**
 * Expected packs of each SKU per paid order, from the basket model (an upper bound: duplicate draws are
 * dropped in orderBody, not here). Sizes the demo's opening stock so normal picks never run a batch dry.
 */
export function expectedPacksPerOrder(shares: { rx: number; controlled: number }): Map<string, number> {
  const meanQty = 0.68 + 0.22 * 2 + 0.08 * 3 + 0.02 * 5, plainFirst = 1 - shares.rx - shares.controlled;
  const total = (pool: readonly Sku[]): number => pool.reduce((s, k) => s + k.weight, 0);
  const wRx = total(POOLS.rx), wCtrl = total(POOLS.controlled), wPlain = total(POOLS.plain);
  const out = new Map<string, number>();
  for (const s of SKUS) {
    let p: number;
    if (s.is_rx) p = shares.rx * (1 + MEAN_EXTRA_LINES * RX_EXTRA_SHARE) * (s.weight / wRx);
    else if (s.controlled) p = shares.controlled * (s.weight / wCtrl);
    else p = (plainFirst + MEAN_EXTRA_LINES) * (s.weight / wPlain);
    out.set(s.sku_id, p * (s.controlled ? 2 : meanQty));
  }
  return out;
}

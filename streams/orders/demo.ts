// Seeded demo generator of 双11 order events. Pure: everything a call returns is a function of
// (seed, tz, ratePerSecond, epochSecond), so a restarted server, a second instance or a test regenerates the
// same events with the same event_ids (ingest dedups them). Lifecycle events of older orders (shipped,
// delivered, refunded) are made by regenerating the orders of that older second, so no state is kept.
import { IANAZone } from 'luxon';
import {
  CAMPAIGNS, CHANNEL_WEIGHTS, CHANNELS, DISTRICTS, GIVEN_NAMES, PHONE_PREFIXES, PROVINCE_INFO, SHOPS, SKUS, STREETS,
  SURNAMES, type Channel, type Province, type ProvinceInfo, type Shop, type WarehouseId,
} from './catalogue.ts';

export interface DemoOptions { seed: string; tz: string; ratePerSecond: number } // ratePerSecond = average paid orders/s over a whole day

export interface OrderLine { sku_id: string; qty: number; unit_price_fen: number; discount_fen?: number }
export interface OrderDetails {
  order_id: string; channel: Channel; shop_id: string; buyer_id: string; province: Province; city?: string;
  buyer_name?: string; buyer_phone?: string; address?: string; campaign?: string; lines: OrderLine[];
}
type EventHead<T extends string> = { event_id: string; type: T; ts: string };
export type OrderCreatedEvent = EventHead<'order.created'> & OrderDetails;
/** `coupon_fen` (order-level coupon) is an extra field: paid_fen = Σ(qty·unit_price_fen − discount_fen) − coupon_fen. */
export type OrderPaidEvent = EventHead<'order.paid'> & OrderDetails & { paid_fen: number; coupon_fen?: number };
export type OrderCancelledEvent = EventHead<'order.cancelled'> & { order_id: string; reason?: string };
export type OrderShippedEvent = EventHead<'order.shipped'> & { order_id: string; warehouse_id: WarehouseId };
export type OrderDeliveredEvent = EventHead<'order.delivered'> & { order_id: string };
export type OrderRefundedEvent = EventHead<'order.refunded'> & { order_id: string; refund_fen: number; reason?: string };
export type OrderEvent = OrderCreatedEvent | OrderPaidEvent | OrderCancelledEvent | OrderShippedEvent
  | OrderDeliveredEvent | OrderRefundedEvent;

/** One order of a second as the generator sees it, for other demo streams (rx, inventory) to follow. */
export interface DemoOrder { details: OrderDetails; paid_fen: number; coupon_fen: number; cancelled: boolean;
  created_ms: number; closed_ms: number; warehouse_id: WarehouseId }

/** Delays after the order's second, in s; shipped/delivered/refunded are emitted exactly this much later. */
export const DEMO_LIFECYCLE = { shipAfterS: 600, deliverAfterS: 3600, refundAfterS: 7200 } as const;
const PAID_SHARE = 0.95; // the other 5 % are cancelled in the same second
const REFUND_SHARE = 0.015; // of paid orders
const BUYER_POOL = 20_000_000; // large enough that one buyer rarely repeats a controlled SKU within 24 h
const O2O_POOL = 500_000; // buyers per 美团 store, in their own id range so a buyer keeps one home

// ---- PRNG: mulberry32 seeded by a murmur3-style mix of the seed hash and integers (fast, no strings per order).
type Rng = () => number;
function mulberry32(state: number): Rng {
  let a = state | 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
function mix(h: number, k: number): number {
  k = Math.imul(k | 0, 0xcc9e2d51); k = (k << 15) | (k >>> 17); k = Math.imul(k, 0x1b873593);
  h ^= k; h = (h << 13) | (h >>> 19); return (Math.imul(h, 5) + 0xe6546b64) | 0;
}
function fmix(h: number): number {
  h ^= h >>> 16; h = Math.imul(h, 0x85ebca6b); h ^= h >>> 13; h = Math.imul(h, 0xc2b2ae35); return h ^ (h >>> 16);
}
function hashString(s: string): number { // FNV-1a over UTF-16 units
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return fmix(h);
}
// Salts keep the streams for "how many orders", "this order" and "this buyer" independent.
const SALT_COUNT = 1, SALT_ORDER = 2, SALT_BUYER = 3;
function rngFor(seedHash: number, a: number, b: number, salt: number): Rng {
  const h = mix(mix(mix(mix(seedHash, a >>> 0), Math.floor(a / 4294967296)), b), salt);
  return mulberry32(fmix(h));
}
function poisson(rng: Rng, mean: number): number {
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
/** Weighted choice in O(log n) from a cumulative table built once. */
function picker<T>(items: readonly T[], weight: (t: T) => number): (u: number) => T {
  const cum: number[] = [];
  let total = 0;
  for (const it of items) { total += weight(it); cum.push(total); }
  return (u) => {
    const x = u * total;
    let lo = 0, hi = cum.length - 1;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (cum[mid] > x) hi = mid; else lo = mid + 1; }
    return items[lo];
  };
}
const pickSku = picker(SKUS, (s) => s.weight);
const pickProvince = picker(PROVINCE_INFO, (p) => p.weight);
const pickChannel = picker(CHANNELS, (c) => CHANNEL_WEIGHTS[c]);
const pickShop = new Map(CHANNELS.map((c) => [c, picker(SHOPS.filter((s) => s.channel === c), (s) => s.weight)]));
const provinceInfo = new Map(PROVINCE_INFO.map((p) => [p.province, p]));
const SHOP_INDEX = new Map(SHOPS.map((s, i) => [s.shop_id, i]));
function pickOf<T>(rng: Rng, xs: readonly T[]): T { return xs[Math.floor(rng() * xs.length)]; }

// ---- Day curve: a 双11 shape in local time, normalised so its mean over the 86,400 s of a day is 1.
// Control points (local hour → relative level): night trough, morning rise, lunch bump, evening peak.
const LEVELS: ReadonlyArray<readonly [number, number]> = [
  [0, 1.3], [1, 0.9], [2, 0.45], [4, 0.2], [6, 0.25], [7, 0.45], [8, 0.75], [9, 1.0], [10, 1.1], [11, 1.2],
  [12, 1.35], [13, 1.25], [14, 1.0], [16, 0.95], [18, 1.05], [19, 1.3], [20, 1.75], [21, 1.85], [22, 1.65],
  [23, 1.4], [24, 1.3],
];
const BURST_PEAK = 9.2; // extra level at 00:00:00 when the 双11 pre-sales are paid (≈ ×10 after normalising)
const BURST_TAU_S = 420; // e-folding time of the midnight burst: mostly gone by 00:20
function rawCurve(secOfDay: number): number {
  const h = secOfDay / 3600;
  let i = 1;
  while (LEVELS[i][0] < h) i++;
  const [h0, v0] = LEVELS[i - 1], [h1, v1] = LEVELS[i];
  return v0 + ((v1 - v0) * (h - h0)) / (h1 - h0) + BURST_PEAK * Math.exp(-secOfDay / BURST_TAU_S);
}
const CURVE_NORM = (() => { let s = 0; for (let t = 0; t < 86_400; t++) s += rawCurve(t); return s / 86_400; })();

function zoneFor(tz: string): IANAZone {
  const zone = IANAZone.create(tz); // luxon caches zones by name
  if (!zone.isValid) throw new RangeError(`unknown time zone: ${tz}`);
  return zone;
}
// luxon's offset lookup costs ~5 µs (Intl) and a call needs five, so offsets are memoised per 15-minute
// bucket; a bucket with a zone transition inside is never memoised and is looked up exactly each time.
const offsetMemo = new Map<string, Map<number, number>>();
function offsetMin(zone: IANAZone, epochSecond: number): number {
  let memo = offsetMemo.get(zone.name);
  if (!memo) offsetMemo.set(zone.name, (memo = new Map()));
  const bucket = Math.floor(epochSecond / 900);
  let off = memo.get(bucket);
  if (off === undefined) {
    off = zone.offset(bucket * 900_000);
    if (zone.offset((bucket * 900 + 899) * 1000) !== off) return zone.offset(epochSecond * 1000);
    if (memo.size >= 4096) memo.clear(); // bounded: a long-running server must not grow it forever
    memo.set(bucket, off);
  }
  return off;
}
function curveAt(zone: IANAZone, epochSecond: number): number {
  const local = epochSecond + offsetMin(zone, epochSecond) * 60;
  return rawCurve(((local % 86_400) + 86_400) % 86_400) / CURVE_NORM;
}
export function dayCurve(tz: string, epochSecond: number): number {
  return curveAt(zoneFor(tz), epochSecond);
}

// ---- Orders. An order's head (fate, times, channel, buyer home) is cheap and is all that shipping and
// delivery need; the body (lines, prices, buyer details) is drawn only for orders of this second and refunds.
interface Head { second: number; n: number; rng: Rng; buyerRng: Rng; cancelled: boolean; refunded: boolean;
  createdMs: number; closedMs: number; laterMs: number; channel: Channel; shop: Shop; buyerIdx: number;
  home: ProvinceInfo; city: string }
function orderCount(seedHash: number, zone: IANAZone, rate: number, second: number): number {
  return poisson(rngFor(seedHash, second, 0, SALT_COUNT), (rate / PAID_SHARE) * curveAt(zone, second));
}
function orderHead(seedHash: number, second: number, n: number): Head {
  const rng = rngFor(seedHash, second, n, SALT_ORDER);
  const cancelled = rng() >= PAID_SHARE;
  const refunded = rng() < REFUND_SHARE && !cancelled; // drawn for every order so later draws don't shift
  const createdMs = Math.floor(rng() * 600);
  const closedMs = createdMs + 100 + Math.floor(rng() * (899 - createdMs)); // ≤ 998: same second
  const laterMs = Math.floor(rng() * 1000); // ms of shipped/delivered/refunded inside their own second
  const channel = pickChannel(rng());
  const shop = pickShop.get(channel)!(rng());
  const store = shop.home ? SHOP_INDEX.get(shop.shop_id)! : -1;
  const buyerIdx = store >= 0 ? BUYER_POOL + store * O2O_POOL + Math.floor(rng() * O2O_POOL)
    : Math.floor(rng() * BUYER_POOL);
  const buyerRng = rngFor(seedHash, buyerIdx, 0, SALT_BUYER);
  const home = shop.home ? provinceInfo.get(shop.home.province)! : pickProvince(buyerRng());
  const city = shop.home ? shop.home.city : pickOf(buyerRng, home.cities);
  return { second, n, rng, buyerRng, cancelled, refunded, createdMs, closedMs, laterMs, channel, shop,
    buyerIdx, home, city };
}

// Platforms hide buyers behind 隐私面单 most of the time; own channels and O2O delivery carry them in clear.
const PII_SHARE: Readonly<Record<Channel, number>> = { tmall: 0.4, jd: 0.4, pdd: 0.3, douyin: 0.4, meituan: 0.9, own: 1 };
const MARKDOWN: Readonly<Record<Channel, number>> = { tmall: 0.1, jd: 0.1, pdd: 0.15, douyin: 0.12, meituan: 0.05, own: 0.08 };
const COUPONS: ReadonlyArray<readonly [number, number]> = [[29900, 5000], [19900, 3000], [9900, 1000], [4900, 500]];

function buyerDetails(h: Head): Pick<OrderDetails, 'buyer_name' | 'buyer_phone' | 'address'> {
  const r = h.buyerRng; // continues after the home draws, so a buyer is always the same person
  const name = SURNAMES[Math.floor(r() * SURNAMES.length)] + pickOf(r, GIVEN_NAMES);
  const phone = pickOf(r, PHONE_PREFIXES) + String(Math.floor(r() * 1e8)).padStart(8, '0');
  const cityPart = h.home.cities.length === 1 && h.home.cities[0] === h.home.province ? '' : `${h.city}市`;
  const address = `${h.home.full_name}${cityPart}${pickOf(r, DISTRICTS)}${pickOf(r, STREETS)}${1 + Math.floor(r() * 400)}号`
    + `${1 + Math.floor(r() * 30)}栋${1 + Math.floor(r() * 4)}单元${101 + Math.floor(r() * 28) * 100 + Math.floor(r() * 4)}室`;
  return { buyer_name: name, buyer_phone: phone, address };
}

function orderBody(h: Head): DemoOrder {
  const r = h.rng;
  const u = r();
  const want = u < 0.55 ? 1 : u < 0.83 ? 2 : u < 0.95 ? 3 : 4;
  const lines: OrderLine[] = [];
  const seen = new Set<string>();
  let controlledQty = 0, subtotal = 0;
  for (let tries = 0; lines.length < want && tries < want * 3; tries++) {
    const sku = pickSku(r());
    const q = r();
    let qty = q < 0.68 ? 1 : q < 0.9 ? 2 : q < 0.98 ? 3 : 4 + Math.floor(r() * 3);
    if (sku.controlled) qty = Math.min(qty, 2 - controlledQty); // 含麻黄碱: ≤ 2 packs per order in total
    if (seen.has(sku.sku_id) || qty < 1) continue;
    seen.add(sku.sku_id);
    if (sku.controlled) controlledQty += qty;
    // Prices near list, rounded to 0.1 yuan; Rx is not promoted with 满减, so Rx lines carry no discount.
    const unit = Math.round((sku.list_price_fen * (1 - MARKDOWN[h.channel] * r())) / 10) * 10;
    const line: OrderLine = { sku_id: sku.sku_id, qty, unit_price_fen: unit };
    if (!sku.is_rx && r() < 0.25) line.discount_fen = Math.floor(qty * unit * (0.02 + 0.06 * r()));
    subtotal += qty * unit - (line.discount_fen ?? 0);
    lines.push(line);
  }
  const details: OrderDetails = { order_id: `O${h.second}-${h.n}`, channel: h.channel, shop_id: h.shop.shop_id,
    buyer_id: `B${String(h.buyerIdx).padStart(9, '0')}`, province: h.home.province, city: h.city, lines };
  if (r() < 0.45) details.campaign = pickOf(r, CAMPAIGNS[h.channel]);
  if (r() < PII_SHARE[h.channel]) Object.assign(details, buyerDetails(h));
  const tier = r() < 0.35 ? COUPONS.find(([min]) => subtotal >= min) : undefined;
  const coupon = Math.min(tier ? tier[1] : 0, subtotal);
  return { details, paid_fen: Math.max(0, subtotal - coupon), coupon_fen: coupon, cancelled: h.cancelled,
    created_ms: h.createdMs, closed_ms: h.closedMs, warehouse_id: h.home.warehouse_id };
}

function checkOptions(opts: DemoOptions, epochSecond: number): void {
  if (!Number.isSafeInteger(epochSecond)) throw new RangeError('epochSecond must be an integer');
  if (!(opts.ratePerSecond >= 0) || !Number.isFinite(opts.ratePerSecond)) throw new RangeError('bad ratePerSecond');
  if (opts.seed.length === 0) throw new RangeError('seed must not be empty');
}

/** The orders created in one second (all of them, cancelled ones included), in order of `n`. */
export function demoOrdersForSecond(opts: DemoOptions, epochSecond: number): DemoOrder[] {
  checkOptions(opts, epochSecond);
  const seedHash = hashString(opts.seed);
  const count = orderCount(seedHash, zoneFor(opts.tz), opts.ratePerSecond, epochSecond);
  return Array.from({ length: count }, (_, n) => orderBody(orderHead(seedHash, epochSecond, n)));
}

// Ids must stay ≤ 128 chars and free of odd characters, so a long or exotic seed is replaced by its hash.
function seedTag(seed: string): string {
  return /^[A-Za-z0-9_.]{1,32}$/.test(seed) ? seed : (hashString(seed) >>> 0).toString(36);
}
// Every event of a call lies in one second, so one offset lookup serves them all (an offset never changes
// mid-second); the string is then assembled by hand, which is much faster than luxon per event.
function stamper(zone: IANAZone, epochSecond: number): (ms: number) => string {
  const offMin = offsetMin(zone, epochSecond);
  const prefix = new Date((epochSecond + offMin * 60) * 1000).toISOString().slice(0, 20);
  const abs = Math.abs(offMin), pad2 = (x: number): string => String(x).padStart(2, '0');
  const suffix = `${offMin < 0 ? '-' : '+'}${pad2(Math.floor(abs / 60))}:${pad2(abs % 60)}`;
  return (ms) => prefix + String(ms).padStart(3, '0') + suffix;
}

const CANCEL_REASONS = ['买家主动取消', '未支付超时关闭', '信息填写错误'];
const REFUND_REASONS = ['买家拍错/多拍', '药品包装破损', '不想要了', '物流太慢'];

export function demoOrderEventsForSecond(opts: DemoOptions, epochSecond: number): OrderEvent[] {
  checkOptions(opts, epochSecond);
  const zone = zoneFor(opts.tz);
  const seedHash = hashString(opts.seed);
  const tag = seedTag(opts.seed);
  const ts = stamper(zone, epochSecond);
  const timed: Array<{ ms: number; ev: OrderEvent }> = [];
  const id = (h: Head, kind: string): string => `demo-${tag}-${h.second}-${h.n}-${kind}`;
  const heads = (second: number): Head[] => {
    const count = orderCount(seedHash, zone, opts.ratePerSecond, second);
    return Array.from({ length: count }, (_, n) => orderHead(seedHash, second, n));
  };

  for (const h of heads(epochSecond)) {
    const o = orderBody(h);
    timed.push({ ms: h.createdMs, ev: { event_id: id(h, 'created'), type: 'order.created', ts: ts(h.createdMs),
      ...o.details, lines: o.details.lines.map((l) => ({ ...l })) } });
    const at = ts(h.closedMs);
    timed.push({ ms: h.closedMs, ev: h.cancelled
      ? { event_id: id(h, 'cancelled'), type: 'order.cancelled', ts: at, order_id: o.details.order_id,
        reason: pickOf(h.rng, CANCEL_REASONS) }
      : { event_id: id(h, 'paid'), type: 'order.paid', ts: at, ...o.details, paid_fen: o.paid_fen,
        ...(o.coupon_fen > 0 ? { coupon_fen: o.coupon_fen } : {}) } });
  }
  for (const h of heads(epochSecond - DEMO_LIFECYCLE.shipAfterS)) {
    if (h.cancelled) continue;
    timed.push({ ms: h.laterMs, ev: { event_id: id(h, 'shipped'), type: 'order.shipped', ts: ts(h.laterMs),
      order_id: `O${h.second}-${h.n}`, warehouse_id: h.home.warehouse_id } });
  }
  for (const h of heads(epochSecond - DEMO_LIFECYCLE.deliverAfterS)) {
    if (h.cancelled) continue;
    timed.push({ ms: h.laterMs, ev: { event_id: id(h, 'delivered'), type: 'order.delivered', ts: ts(h.laterMs),
      order_id: `O${h.second}-${h.n}` } });
  }
  for (const h of heads(epochSecond - DEMO_LIFECYCLE.refundAfterS)) {
    if (!h.refunded) continue;
    const o = orderBody(h);
    if (o.paid_fen <= 0) continue;
    const l = o.details.lines[0]; // a partial refund returns one line; a full one the whole order
    const lineValue = l.qty * l.unit_price_fen - (l.discount_fen ?? 0);
    const full = h.rng() < 0.55 || o.details.lines.length === 1;
    timed.push({ ms: h.laterMs, ev: { event_id: id(h, 'refunded'), type: 'order.refunded', ts: ts(h.laterMs),
      order_id: o.details.order_id, refund_fen: full ? o.paid_fen : Math.min(lineValue, o.paid_fen),
      reason: pickOf(h.rng, REFUND_REASONS) } });
  }
  timed.sort((a, b) => a.ms - b.ms); // stable: ties keep generation order
  return timed.map((t) => t.ev);
}

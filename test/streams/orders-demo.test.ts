// The demo order stream: deterministic, CONTRACT-shaped, realistic in volume, with a lifecycle that holds
// together (paid before shipped, Rx shipped only after approval, refunds never above what was paid).
import { describe, it, expect } from 'vitest';
import { SHOPS, SKUS, WAREHOUSE_IDS } from '../../streams/orders/catalogue.ts';
import {
  dayCurve, demoOrderEventsForSecond, demoOrdersForSecond, DEMO_LIFECYCLE,
  type DemoOptions, type OrderEvent, type OrderLine,
} from '../../streams/orders/demo.ts';
import { allOff, at, DATE, TZ, windowEvents, tsMs } from './demo-helpers.ts';

const OPTS: DemoOptions = { seed: 'test', tz: TZ, ratePerSecond: 5 };
const CLEAN: DemoOptions = { ...OPTS, violations: allOff() };
const DAY = at(`${DATE}T00:00:00`);

// Own copies of the CONTRACT vocabulary, so the test checks the generator against the contract, not the
// catalogue against itself.
const CHANNELS = ['tmall', 'jd', 'pdd', 'douyin', 'meituan', 'own'];
const PROVINCES = ('北京 天津 河北 山西 内蒙古 辽宁 吉林 黑龙江 上海 江苏 浙江 安徽 福建 江西 山东 河南 湖北 湖南 广东 '
  + '广西 海南 重庆 四川 贵州 云南 西藏 陕西 甘肃 青海 宁夏 新疆').split(' ');
const TS_FORMAT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}[+-]\d{2}:\d{2}$/;
const skuById = new Map(SKUS.map((s) => [s.sku_id, s]));
const shopById = new Map(SHOPS.map((s) => [s.shop_id, s]));

const isFen = (x: unknown): boolean => Number.isSafeInteger(x) && (x as number) >= 0;
const lineValue = (l: OrderLine): number => l.qty * l.unit_price_fen - (l.discount_fen ?? 0);

function orderWindow(opts: DemoOptions, from: number, seconds: number): Array<{ second: number; e: OrderEvent }> {
  const out: Array<{ second: number; e: OrderEvent }> = [];
  for (let s = from; s < from + seconds; s++) for (const e of demoOrderEventsForSecond(opts, s)) out.push({ second: s, e });
  return out;
}

/** The CONTRACT shape of one event, plus the generator's own promises for a clean run (no injected violations). */
function checkEvent(e: OrderEvent, second: number, offset = '+08:00'): void {
  expect(e.event_id.length).toBeGreaterThan(0);
  expect(e.event_id.length).toBeLessThanOrEqual(128);
  expect(e.ts).toMatch(TS_FORMAT);
  expect(e.ts.endsWith(offset)).toBe(true);
  expect(Math.floor(Date.parse(e.ts) / 1000)).toBe(second);
  expect(e.order_id).toMatch(/^O\d+-\d+$/);
  if (e.type === 'order.created' || e.type === 'order.paid') {
    expect(CHANNELS).toContain(e.channel);
    expect(PROVINCES).toContain(e.province);
    expect(shopById.get(e.shop_id)?.channel).toBe(e.channel);
    expect(e.buyer_id.length).toBeGreaterThan(0);
    expect(e.address_hash).toMatch(/^AH[0-9a-f]{16}$/);
    expect(e.device_id).toMatch(/^DV[0-9a-f]{8}$/);
    if (e.buyer_phone !== undefined) expect(e.buyer_phone).toMatch(/^1\d{10}$/);
    expect(e.lines.length).toBeGreaterThanOrEqual(1);
    expect(e.lines.length).toBeLessThanOrEqual(4);
    let controlled = 0;
    for (const l of e.lines) {
      const sku = skuById.get(l.sku_id)!;
      expect(sku).toBeDefined();
      expect(Number.isSafeInteger(l.qty) && l.qty >= 1).toBe(true);
      expect(isFen(l.unit_price_fen)).toBe(true);
      expect(l.unit_price_fen).toBeGreaterThan(sku.cost_fen); // clean: no PRICE_ANOMALY
      if (l.discount_fen !== undefined) expect(isFen(l.discount_fen) && lineValue(l) >= 0).toBe(true);
      if (sku.controlled) controlled += l.qty;
    }
    expect(controlled).toBeLessThanOrEqual(2);
  }
  if (e.type === 'order.paid') {
    expect(isFen(e.paid_fen)).toBe(true);
    expect(e.paid_fen).toBe(e.lines.reduce((sum, l) => sum + lineValue(l), 0) - (e.coupon_fen ?? 0));
  }
  if (e.type === 'order.shipped') {
    expect(WAREHOUSE_IDS).toContain(e.warehouse_id);
    for (const b of e.boxes ?? []) {
      expect(skuById.get(b.sku_id)?.traced).toBe(true);
      expect(b.trace_codes).toHaveLength(1); // clean: every traced box has its code
      expect(b.trace_codes[0]).toMatch(/^\d{20}$/);
    }
  }
  if (e.type === 'order.refunded') expect(isFen(e.refund_fen) && e.refund_fen > 0).toBe(true);
}

describe('demoOrderEventsForSecond', () => {
  it('is deterministic: the same (seed, tz, second) gives the same events, another seed others', () => {
    for (const s of [DAY, DAY + 1, at(`${DATE}T02:00:07`), at(`${DATE}T20:30:00`)]) {
      const a = demoOrderEventsForSecond(OPTS, s);
      expect(a.length).toBeGreaterThan(0);
      expect(JSON.stringify(demoOrderEventsForSecond({ ...OPTS }, s))).toBe(JSON.stringify(a));
      expect(demoOrderEventsForSecond({ ...OPTS, seed: 'other' }, s)).not.toEqual(a);
    }
  });

  it('emits CONTRACT-shaped events inside the second, in the zone offset', () => {
    // The midnight burst and 02:00, where the burst's orders come back as refunds.
    const sample = [...orderWindow(CLEAN, DAY, 15), ...orderWindow(CLEAN, at(`${DATE}T02:00:00`), 30)];
    const types = new Set(sample.map(({ e }) => e.type));
    expect([...types].sort()).toEqual(['order.cancelled', 'order.created', 'order.delivered', 'order.paid',
      'order.refunded', 'order.shipped']);
    for (const { second, e } of sample) checkEvent(e, second);
    const berlin: DemoOptions = { ...CLEAN, tz: 'Europe/Berlin' };
    for (const { second, e } of orderWindow(berlin, at(`${DATE}T00:00:00`, 'Europe/Berlin'), 5)) checkEvent(e, second, '+01:00');
  });

  it('pairs every order with exactly one of paid / cancelled, with the lines it was created with', () => {
    const s = DAY + 3;
    const events = demoOrderEventsForSecond(OPTS, s);
    const created = events.filter((e) => e.type === 'order.created');
    const closing = events.filter((e) => e.type === 'order.paid' || e.type === 'order.cancelled');
    expect(closing.map((e) => e.order_id).sort()).toEqual(created.map((e) => e.order_id).sort());
    for (const e of events) {
      if (e.type !== 'order.paid') continue;
      const c = created.find((x) => x.order_id === e.order_id);
      expect(c?.lines).toEqual(e.lines);
      expect(Date.parse(e.ts)).toBeGreaterThan(Date.parse(c?.ts ?? ''));
    }
    expect(demoOrdersForSecond(OPTS, s).map((o) => o.details.order_id).sort()).toEqual(created.map((e) => e.order_id).sort());
  });

  it('ships only paid orders (Rx ones after approval), delivers after shipping, refunds at most what was paid', () => {
    const opts: DemoOptions = { ...OPTS, ratePerSecond: 2 };
    const from = at(`${DATE}T20:00:00`), created = 600;
    const events = windowEvents(opts, from, created + DEMO_LIFECYCLE.lookbackS);
    const paid = new Map<string, { ts: number; paid_fen: number; rx: boolean }>();
    const rxOf = new Map<string, string>(), approved = new Map<string, number>(), rejected = new Set<string>();
    const shipped = new Map<string, number>();
    let rxShipped = 0, refunds = 0;
    for (const e of events) {
      if (e.type === 'order.paid') paid.set(e.order_id, { ts: tsMs(e), paid_fen: e.paid_fen, rx: e.lines.some((l) => skuById.get(l.sku_id)!.is_rx) });
      if (e.type === 'rx.issued') rxOf.set(e.rx_id, e.order_id);
      if (e.type === 'rx.approved') approved.set(rxOf.get(e.rx_id)!, tsMs(e));
      if (e.type === 'rx.rejected') rejected.add(rxOf.get(e.rx_id)!);
      if (e.type === 'order.shipped' && paid.has(e.order_id)) {
        const p = paid.get(e.order_id)!;
        expect(tsMs(e)).toBeGreaterThan(p.ts);
        expect(rejected.has(e.order_id)).toBe(false);
        if (p.rx && approved.has(e.order_id)) { rxShipped++; expect(tsMs(e)).toBeGreaterThan(approved.get(e.order_id)!); }
        shipped.set(e.order_id, tsMs(e));
      }
      if (e.type === 'order.delivered' && shipped.has(e.order_id)) expect(tsMs(e)).toBeGreaterThan(shipped.get(e.order_id)!);
      if (e.type === 'order.refunded' && paid.has(e.order_id)) {
        refunds++;
        expect(e.refund_fen).toBeLessThanOrEqual(paid.get(e.order_id)!.paid_fen);
      }
    }
    // Every order paid in the first 10 minutes has shipped (or was rejected) within the lookback.
    const early = [...paid].filter(([, p]) => p.ts < (from + created) * 1000);
    for (const [id] of early) expect(shipped.has(id) || rejected.has(id)).toBe(true);
    expect(rxShipped).toBeGreaterThan(20);
    expect(refunds).toBeGreaterThan(0);
  });

  it('gives unique event_ids over a simulated 10 minutes of every stream', () => {
    const sample = windowEvents(OPTS, at(`${DATE}T01:55:00`), 600);
    expect(new Set(sample.map((e) => e.event_id)).size).toBe(sample.length);
    expect(sample.some((e) => e.type === 'order.refunded')).toBe(true);
  });

  it('over one hour at rate 5, paid orders are within 10 % of rate × day curve', () => {
    const opts: DemoOptions = { ...OPTS, ratePerSecond: 5 };
    const from = at(`${DATE}T20:00:00`);
    let expected = 0, paid = 0, created = 0, cancelled = 0;
    for (let s = from; s < from + 3600; s++) {
      expected += 5 * dayCurve(TZ, s);
      for (const e of demoOrderEventsForSecond(opts, s)) {
        if (e.type === 'order.paid') paid++;
        else if (e.type === 'order.created') created++;
        else if (e.type === 'order.cancelled') cancelled++;
      }
    }
    expect(Math.abs(paid - expected) / expected).toBeLessThan(0.1);
    expect(cancelled / created).toBeGreaterThan(0.03);
    expect(cancelled / created).toBeLessThan(0.07);
  });

  it('rejects a bad zone or a fractional second', () => {
    expect(() => demoOrderEventsForSecond({ ...OPTS, tz: 'Mars/Olympus' }, DAY)).toThrow(RangeError);
    expect(() => demoOrderEventsForSecond(OPTS, DAY + 0.5)).toThrow(RangeError);
    expect(() => dayCurve('Mars/Olympus', DAY)).toThrow(RangeError);
  });
});

describe('dayCurve', () => {
  it('averages 1 over the business day (within 5 %), in any zone', () => {
    for (const tz of [TZ, 'Europe/Berlin']) {
      const start = at(`${DATE}T00:00:00`, tz);
      let sum = 0;
      for (let s = start; s < start + 86_400; s++) sum += dayCurve(tz, s);
      expect(Math.abs(sum / 86_400 - 1)).toBeLessThan(0.05);
    }
  });

  it('has the 双11 shape: midnight burst ≈ ×10 > evening peak > night trough', () => {
    const midnight = dayCurve(TZ, at(`${DATE}T00:00:30`));
    const evening = dayCurve(TZ, at(`${DATE}T21:00:00`));
    const night = dayCurve(TZ, at(`${DATE}T04:00:00`));
    expect(midnight).toBeGreaterThan(evening);
    expect(evening).toBeGreaterThan(night);
    expect(midnight).toBeGreaterThan(7);
    expect(midnight).toBeLessThan(13);
    expect(dayCurve(TZ, at(`${DATE}T00:20:00`))).toBeLessThan(midnight / 3); // the burst decays
    expect(dayCurve(TZ, at(`${DATE}T12:00:00`))).toBeGreaterThan(dayCurve(TZ, at(`${DATE}T15:00:00`)));
    expect(night).toBeLessThan(0.5);
    expect(dayCurve('Europe/Berlin', at(`${DATE}T00:00:30`, 'Europe/Berlin'))).toBeGreaterThan(7);
  });
});

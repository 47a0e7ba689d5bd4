// The demo order generator: deterministic, CONTRACT-shaped, realistic in volume and fast enough to replay a day.
import { describe, it, expect } from 'vitest';
import { DateTime } from 'luxon';
import { SHOPS, SKUS, WAREHOUSE_IDS } from '../../streams/orders/catalogue.ts';
import {
  dayCurve, demoOrderEventsForSecond, demoOrdersForSecond, DEMO_LIFECYCLE,
  type DemoOptions, type OrderEvent, type OrderLine,
} from '../../streams/orders/demo.ts';

const TZ = 'Asia/Shanghai';
const OPTS: DemoOptions = { seed: 'test', tz: TZ, ratePerSecond: 20 };
/** Epoch seconds of a local wall-clock time in a zone. */
const at = (local: string, tz = TZ): number => DateTime.fromISO(local, { zone: tz }).toSeconds();
const DAY = at('2026-11-11T00:00:00');

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

/** Events of consecutive seconds, each paired with the second it was generated for. */
function window(opts: DemoOptions, from: number, seconds: number): Array<{ second: number; e: OrderEvent }> {
  const out: Array<{ second: number; e: OrderEvent }> = [];
  for (let s = from; s < from + seconds; s++) for (const e of demoOrderEventsForSecond(opts, s)) out.push({ second: s, e });
  return out;
}

/** The CONTRACT shape of one event, plus the generator's own promises (ts in the second, ≤ 2 controlled packs). */
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
    if (e.buyer_phone !== undefined) expect(e.buyer_phone).toMatch(/^1\d{10}$/);
    expect(e.lines.length).toBeGreaterThanOrEqual(1);
    expect(e.lines.length).toBeLessThanOrEqual(4);
    let controlled = 0;
    for (const l of e.lines) {
      const sku = skuById.get(l.sku_id);
      expect(sku).toBeDefined();
      expect(Number.isSafeInteger(l.qty) && l.qty >= 1).toBe(true);
      expect(isFen(l.unit_price_fen)).toBe(true);
      if (l.discount_fen !== undefined) expect(isFen(l.discount_fen) && lineValue(l) >= 0).toBe(true);
      if (sku?.controlled) controlled += l.qty;
    }
    expect(controlled).toBeLessThanOrEqual(2);
  }
  if (e.type === 'order.paid') {
    expect(isFen(e.paid_fen)).toBe(true);
    const lines = e.lines.reduce((sum, l) => sum + lineValue(l), 0);
    expect(e.paid_fen).toBe(lines - (e.coupon_fen ?? 0));
  }
  if (e.type === 'order.shipped') expect(WAREHOUSE_IDS).toContain(e.warehouse_id);
  if (e.type === 'order.refunded') expect(isFen(e.refund_fen) && e.refund_fen > 0).toBe(true);
}

describe('demoOrderEventsForSecond', () => {
  it('is deterministic: the same (seed, tz, second) gives the same events, another seed others', () => {
    for (const s of [DAY, DAY + 1, at('2026-11-11T02:00:07'), at('2026-11-11T20:30:00')]) {
      const a = demoOrderEventsForSecond(OPTS, s);
      expect(a.length).toBeGreaterThan(0);
      expect(JSON.stringify(demoOrderEventsForSecond({ ...OPTS }, s))).toBe(JSON.stringify(a));
      expect(demoOrderEventsForSecond({ ...OPTS, seed: 'other' }, s)).not.toEqual(a);
    }
  });

  it('emits CONTRACT-shaped events inside the second, in the zone offset', () => {
    // The midnight burst (many orders) and 02:00, where the burst's orders come back as refunds.
    const sample = [...window(OPTS, DAY, 15), ...window(OPTS, at('2026-11-11T02:00:00'), 30)];
    const types = new Set(sample.map(({ e }) => e.type));
    expect([...types].sort()).toEqual(['order.cancelled', 'order.created', 'order.delivered', 'order.paid',
      'order.refunded', 'order.shipped']);
    for (const { second, e } of sample) checkEvent(e, second);
    // The same shape in another zone, with that zone's offset.
    const berlin: DemoOptions = { ...OPTS, tz: 'Europe/Berlin' };
    for (const { second, e } of window(berlin, at('2026-11-11T00:00:00', 'Europe/Berlin'), 5)) {
      checkEvent(e, second, '+01:00');
    }
  });

  it('keeps created and paid consistent and pairs every order with exactly one of paid / cancelled', () => {
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
    const orders = demoOrdersForSecond(OPTS, s).map((o) => o.details.order_id); // events are in ts order
    expect(orders.sort()).toEqual(created.map((e) => e.order_id).sort());
  });

  it('ships, delivers and refunds only paid orders of the right earlier second, refund ≤ paid', () => {
    const s = at('2026-11-11T02:00:00') + 11; // refunds come from the midnight burst
    const paidAt = new Map<number, Map<string, number>>();
    const paidOf = (second: number): Map<string, number> => {
      if (!paidAt.has(second)) {
        paidAt.set(second, new Map(demoOrdersForSecond(OPTS, second).filter((o) => !o.cancelled)
          .map((o) => [o.details.order_id, o.paid_fen])));
      }
      return paidAt.get(second) ?? new Map();
    };
    let refunds = 0;
    for (let second = s; second < s + 30; second++) {
      for (const e of demoOrderEventsForSecond(OPTS, second)) {
        if (e.type === 'order.shipped') expect(paidOf(second - DEMO_LIFECYCLE.shipAfterS).has(e.order_id)).toBe(true);
        if (e.type === 'order.delivered') {
          expect(paidOf(second - DEMO_LIFECYCLE.deliverAfterS).has(e.order_id)).toBe(true);
        }
        if (e.type === 'order.refunded') {
          refunds++;
          const paid = paidOf(second - DEMO_LIFECYCLE.refundAfterS).get(e.order_id);
          expect(paid).toBeDefined();
          expect(e.refund_fen).toBeLessThanOrEqual(paid ?? -1);
        }
      }
    }
    expect(refunds).toBeGreaterThan(0);
  });

  it('gives unique event_ids over a simulated 10 minutes with every kind of event', () => {
    const ids = new Set<string>();
    const sample = window(OPTS, at('2026-11-11T01:55:00'), 600);
    for (const { e } of sample) ids.add(e.event_id);
    expect(ids.size).toBe(sample.length);
    expect(sample.some(({ e }) => e.type === 'order.refunded')).toBe(true);
  });

  it('over one hour at rate 5, paid orders are within 10 % of rate × day curve', () => {
    const opts: DemoOptions = { ...OPTS, ratePerSecond: 5 };
    const from = at('2026-11-11T20:00:00');
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

  it('generates a whole day at rate 2 in reasonable time', () => {
    const opts: DemoOptions = { ...OPTS, ratePerSecond: 2 };
    const t0 = performance.now();
    let events = 0, paid = 0;
    for (let s = DAY; s < DAY + 86_400; s++) {
      const batch = demoOrderEventsForSecond(opts, s);
      events += batch.length;
      for (const e of batch) if (e.type === 'order.paid') paid++;
    }
    const ms = performance.now() - t0;
    console.log(`orders demo: one day (86,400 s) at rate 2 → ${events} events, ${paid} paid, ${ms.toFixed(0)} ms`);
    expect(ms).toBeLessThan(20_000);
    expect(Math.abs(paid - 2 * 86_400) / (2 * 86_400)).toBeLessThan(0.03); // rate is paid orders/s per day
  }, 60_000);
});

describe('dayCurve', () => {
  it('averages 1 over the business day (within 5 %), in any zone', () => {
    for (const tz of [TZ, 'Europe/Berlin']) {
      const start = at('2026-11-11T00:00:00', tz);
      let sum = 0;
      for (let s = start; s < start + 86_400; s++) sum += dayCurve(tz, s);
      expect(Math.abs(sum / 86_400 - 1)).toBeLessThan(0.05);
    }
  });

  it('has the 双11 shape: midnight burst ≈ ×10 > evening peak > night trough', () => {
    const midnight = dayCurve(TZ, at('2026-11-11T00:00:30'));
    const evening = dayCurve(TZ, at('2026-11-11T21:00:00'));
    const night = dayCurve(TZ, at('2026-11-11T04:00:00'));
    const lunch = dayCurve(TZ, at('2026-11-11T12:00:00'));
    const afternoon = dayCurve(TZ, at('2026-11-11T15:00:00'));
    expect(midnight).toBeGreaterThan(evening);
    expect(evening).toBeGreaterThan(night);
    expect(midnight).toBeGreaterThan(7);
    expect(midnight).toBeLessThan(13);
    expect(dayCurve(TZ, at('2026-11-11T00:20:00'))).toBeLessThan(midnight / 3); // the burst decays
    expect(lunch).toBeGreaterThan(afternoon);
    expect(night).toBeLessThan(0.5);
    // Local time, not UTC: midnight in Berlin is a burst too.
    expect(dayCurve('Europe/Berlin', at('2026-11-11T00:00:30', 'Europe/Berlin'))).toBeGreaterThan(7);
  });
});

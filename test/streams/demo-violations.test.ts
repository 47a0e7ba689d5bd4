// Every DOMAIN rule is broken at the configured rate (per opportunity) and never at rate 0. Each rule is
// switched on alone, detected from the generated events and reference rows only, and compared with the
// rate within a few binomial standard deviations.
import { describe, expect, it } from 'vitest';
import { DEFAULT_VIOLATIONS, demoReference, openingReceipts, resolveOptions, RULE_IDS, type DemoOptions, type RuleId } from '../../streams/demo/index.ts';
import { expectedDaily } from '../../streams/inventory/demo.ts';
import { SKUS, WAREHOUSE_IDS } from '../../streams/orders/catalogue.ts';
import { allOff, at, DATE, DETECT, nearRate, only, TZ, windowEvents, type Count, type Ev } from './demo-helpers.ts';

const base = (violations: Record<RuleId, number>, rate = 3): DemoOptions => ({ seed: 'violations', tz: TZ, ratePerSecond: rate, violations });
const FROM = at(`${DATE}T20:00:00`), CREATED_S = 1200, LOOKAHEAD_S = 2700;
const DATES = Array.from({ length: 10 }, (_, i) => `2026-11-${String(i + 1).padStart(2, '0')}`);
const daysTo = (date: string, d: string): number => (Date.parse(d) - Date.parse(date)) / 86_400_000;

/** Rules found in the events of orders created during 20 evening minutes (with their lookahead). */
const EVENT_RULES = ['RX_WITHOUT_PRESCRIPTION', 'RX_REVIEW_SLA', 'CONTROLLED_QTY', 'EXPIRED_OUTBOUND', 'TRACE_CODE_MISSING',
  'TRACE_CODE_DUPLICATE', 'PRICE_ANOMALY'] as const;
const RATE: Record<(typeof EVENT_RULES)[number], number> = { RX_WITHOUT_PRESCRIPTION: 0.2, RX_REVIEW_SLA: 0.2, CONTROLLED_QTY: 0.2,
  EXPIRED_OUTBOUND: 0.2, TRACE_CODE_MISSING: 0.05, TRACE_CODE_DUPLICATE: 0.05, PRICE_ANOMALY: 0.05 };

function eventCount(rule: RuleId, opts: DemoOptions, from = FROM, created = CREATED_S, lookahead = LOOKAHEAD_S, events?: Ev[]): Count {
  return DETECT[rule]!(events ?? windowEvents(opts, from, created + lookahead), demoReference(opts, DATE), from, from + created);
}

/** Reference-level rules over ten days: [hits, chances]. */
const REFERENCE_RULES: Record<'NEAR_EXPIRY_STOCK' | 'LICENCE_EXPIRY' | 'STOCKOUT_RISK', (opts: DemoOptions) => Count> = {
  NEAR_EXPIRY_STOCK: (opts) => {
    let hits = 0;
    for (const date of DATES) {
      const stocked = new Set(openingReceipts(resolveOptions(opts), date, `${date}T00:00:00.000+08:00`).map((e) => e.batch_no));
      const near = demoReference(opts, date).batches.filter((b) => stocked.has(b.batch_no) && daysTo(date, b.expiry_date) >= 0 && daysTo(date, b.expiry_date) < 180);
      hits += new Set(near.map((b) => b.sku_id)).size;
    }
    return { hits, chances: DATES.length * SKUS.length };
  },
  LICENCE_EXPIRY: (opts) => {
    let hits = 0, chances = 0;
    for (const date of DATES) {
      for (const s of demoReference(opts, date).shops) {
        chances++;
        if (Math.min(daysTo(date, s.licence_expires), daysTo(date, s.gsp_expires)) <= 90) hits++;
      }
    }
    return { hits, chances };
  },
  STOCKOUT_RISK: (opts) => {
    const o = resolveOptions(opts);
    let hits = 0;
    for (const date of DATES) {
      const opening = new Map<string, number>();
      for (const e of openingReceipts(o, date, `${date}T00:00:00.000+08:00`)) opening.set(e.sku_id, (opening.get(e.sku_id) ?? 0) + e.qty);
      // Days of cover summed over all warehouses, at the expected sell rate: a risk below 5 days.
      for (const sku of SKUS) {
        const perDay = WAREHOUSE_IDS.reduce((sum, wh) => sum + expectedDaily(o, sku, wh), 0);
        if ((opening.get(sku.sku_id) ?? 0) < 5 * perDay) hits++;
      }
    }
    return { hits, chances: DATES.length * 20 }; // the top 20 SKUs are the opportunities
  },
};

/** Cold-room excursions over a day: runs of readings ≥ 9 °C per cold sensor; and readings out of band. */
function sensorDay(opts: DemoOptions): { excursions: number; chances: number; shortest: number; outOfBand: number } {
  const ref = demoReference(opts, DATE);
  const cls = new Map(ref.sensors.map((s) => [s.sensor_id, s.storage_class]));
  const runs = new Map<string, { start: number; last: number; clipped: boolean }>();
  const seen = new Set<string>();
  let excursions = 0, shortest = Infinity, outOfBand = 0;
  const events = windowEvents(opts, at(`${DATE}T00:00:00`), 86_400).filter((e): e is Ev & { sensor_id: string; temp_c: number } => e.type === 'sensor.reading');
  for (const e of events) {
    const t = Date.parse(e.ts), c = cls.get(e.sensor_id);
    const inBand = c === 'cold' ? e.temp_c >= 2 && e.temp_c <= 8 : c === 'shady' ? e.temp_c <= 20 : e.temp_c >= 10 && e.temp_c <= 30;
    if (!inBand) outOfBand++;
    const run = runs.get(e.sensor_id);
    if (c === 'cold' && e.temp_c >= 9 && e.temp_c <= 12) {
      // A run already going at the day's first reading began the day before: counted, not timed.
      if (!run) { runs.set(e.sensor_id, { start: t, last: t, clipped: !seen.has(e.sensor_id) }); excursions++; } else run.last = t;
    } else if (run) {
      if (!run.clipped) shortest = Math.min(shortest, run.last - run.start);
      runs.delete(e.sensor_id);
    }
    seen.add(e.sensor_id);
  }
  return { excursions, chances: 24 * [...cls.values()].filter((c) => c === 'cold').length, shortest, outOfBand };
}

describe('injected violations', () => {
  it('have sensible defaults for every rule, and unknown rules or rates outside [0, 1] are refused', () => {
    expect(Object.keys(DEFAULT_VIOLATIONS).sort()).toEqual([...RULE_IDS].sort());
    for (const p of Object.values(DEFAULT_VIOLATIONS)) expect(p > 0 && p <= 0.2).toBe(true);
    expect(() => resolveOptions(base({ ...allOff(), PRICE_ANOMALY: 1.5 }))).toThrow(RangeError);
    expect(() => resolveOptions({ seed: 's', tz: TZ, ratePerSecond: 1, violations: { NOT_A_RULE: 0.1 } as Partial<Record<RuleId, number>> })).toThrow(RangeError);
  });

  for (const rule of EVENT_RULES) {
    it(`${rule}: about ${RATE[rule] * 100} % of its opportunities in 20 evening minutes`, () => {
      const { hits, chances } = eventCount(rule, base(only(rule, RATE[rule])));
      console.log(`${rule}: ${hits} / ${chances} = ${(hits / chances).toFixed(3)} (configured ${RATE[rule]})`);
      expect(chances).toBeGreaterThan(100);
      expect(nearRate(hits, chances, RATE[rule])).toBe(true);
    });
  }

  it('ORDER_SPIKE: about 5 % of minutes start a device placing ≥ 10 orders within 5 minutes', () => {
    const from = at(`${DATE}T08:00:00`), created = 6 * 3600;
    const { hits, chances } = eventCount('ORDER_SPIKE', base(only('ORDER_SPIKE', 0.05), 0.3), from, created, 0);
    console.log(`ORDER_SPIKE: ${hits} / ${chances} minutes`);
    expect(nearRate(hits, chances, 0.05)).toBe(true);
  });

  for (const [rule, count] of Object.entries(REFERENCE_RULES)) {
    it(`${rule}: about 30 % of its opportunities over ten days of reference and opening stock`, () => {
      const { hits, chances } = count(base(only(rule as RuleId, 0.3)));
      console.log(`${rule}: ${hits} / ${chances}`);
      expect(nearRate(hits, chances, 0.3)).toBe(true);
    });
  }

  it('COLD_CHAIN_EXCURSION: about 10 % of cold-sensor hours spend 20+ minutes at 9–12 °C', () => {
    const day = sensorDay(base(only('COLD_CHAIN_EXCURSION', 0.1), 0.05));
    console.log(`COLD_CHAIN_EXCURSION: ${day.excursions} / ${day.chances}, shortest ${(day.shortest / 60_000).toFixed(1)} min`);
    expect(nearRate(day.excursions, day.chances, 0.1, 5)).toBe(true);
    expect(day.shortest).toBeGreaterThanOrEqual(20 * 60_000);
  }, 60_000);

  it('never happen at rate 0', () => {
    const clean = base(allOff());
    const events = windowEvents(clean, FROM, CREATED_S + LOOKAHEAD_S);
    for (const rule of EVENT_RULES) expect(eventCount(rule, clean, FROM, CREATED_S, LOOKAHEAD_S, events).hits, rule).toBe(0);
    expect(eventCount('ORDER_SPIKE', base(allOff(), 0.3), at(`${DATE}T08:00:00`), 3 * 3600, 0).hits).toBe(0);
    for (const [rule, count] of Object.entries(REFERENCE_RULES)) expect(count(clean).hits, rule).toBe(0);
    expect(demoReference(clean, DATE).batches.every((b) => daysTo(DATE, b.expiry_date) >= 180)).toBe(true);
    expect(sensorDay(base(allOff(), 0.05))).toMatchObject({ excursions: 0, outOfBand: 0 });
  }, 120_000);
});

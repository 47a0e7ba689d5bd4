// The demo's reference data for one business date, shaped as the rows of PUT /api/v1/reference/{kind}
// (streams/reference/schema.ts). Dates are relative to the demo date, so near-expiry batches and expiring
// licences (LICENCE_EXPIRY, 7/30/90-day tiers) show on whatever day the demo runs.
import { SKUS, SHOPS, WAREHOUSES, CHANNELS, CHANNEL_WEIGHTS, type Channel } from '../orders/catalogue.ts';
import { orderBody } from '../orders/basket.ts';
import { orderHead } from '../orders/heads.ts';
import { DEMO_SENSORS } from '../sensors/demo.ts';
import { batchesForDate, dayNumber } from './batches.ts';
import { RULE_IDS, resolveOptions, type DemoOptions, type Resolved } from './options.ts';
import { SALT, hash01, rngFor } from './random.ts';
import { addDays } from './time.ts';
import { FEN_MAX } from '../common.ts';

export interface DemoReference {
  skus: Array<{ sku_id: string; name: string; category: string; is_rx: boolean; storage_class: string; controlled: boolean;
    traced: boolean; list_price_fen: number; cost_fen: number }>;
  shops: Array<{ shop_id: string; channel: Channel; name: string; licence_no: string; licence_expires: string; gsp_expires: string }>;
  warehouses: Array<{ warehouse_id: string; name: string; province: string }>;
  batches: Array<{ batch_no: string; sku_id: string; mfg_date: string; expiry_date: string }>;
  sensors: Array<{ sensor_id: string; warehouse_id: string; location: string; storage_class: string }>;
  targets: Array<{ date: string; channel: Channel | 'all'; gmv_target_fen: number }>;
}
export type ReferenceKindName = keyof DemoReference;
export const REFERENCE_ORDER: readonly ReferenceKindName[] = ['skus', 'shops', 'warehouses', 'batches', 'sensors', 'targets'];

let avgPaid: number | null = null;
/** Mean paid_fen of a demo order, from a fixed sample of 4,000 orders (violations off), computed once. */
export function averagePaidFen(): number {
  if (avgPaid === null) {
    const allOff = Object.fromEntries(RULE_IDS.map((r) => [r, 0]));
    const o = resolveOptions({ seed: 'average-order', tz: 'UTC', ratePerSecond: 1, violations: allOff });
    let sum = 0, n = 0;
    for (let s = 0; s < 4000; s++) {
      const h = orderHead(o, s, 0);
      if (h.cancelled) continue;
      sum += orderBody(o, h).paid_fen;
      n++;
    }
    avgPaid = sum / n;
  }
  return avgPaid;
}

/** Expected GMV of a whole day at the options' rate (targets and live rooms scale with it). */
export function expectedDayGmvFen(o: Resolved): number {
  return o.rate * 86_400 * averagePaidFen();
}

/**
 * Days until each shop's licences lapse: far off normally; with LICENCE_EXPIRY (per shop and day) one of them
 * falls inside a warning tier. The shops picked on a day take the tiers in turn — 7, 30, 90 days, again — so
 * a day with three or more shows every tier on the compliance wall.
 */
function licenceDays(o: Resolved, date: string): Array<{ licence: number; gsp: number }> {
  const tiers: ReadonlyArray<readonly [number, number]> = [[1, 7], [8, 30], [31, 90]];
  let picked = 0;
  return SHOPS.map((_, shopIdx) => {
    const r = rngFor(o.seedHash, shopIdx, dayNumber(date), SALT.SHOP);
    const licence = 200 + Math.floor(r() * 1300), gsp = 150 + Math.floor(r() * 900);
    const uWhich = r(), uDays = r();
    if (!(hash01(o.seedHash, shopIdx, dayNumber(date), SALT.SHOP + 100) < o.v.LICENCE_EXPIRY)) return { licence, gsp };
    const [lo, hi] = tiers[picked++ % tiers.length];
    const days = lo + Math.floor(uDays * (hi - lo + 1));
    return uWhich < 0.5 ? { licence: days, gsp } : { licence, gsp: days };
  });
}

const TARGET_STRETCH = 1.12; // targets are set a little above the expected day: the screen shows the chase
// Rounded to 万元, within the CONTRACT's money bound (a bench's day at 25,000 events/s would pass it).
const roundTarget = (fen: number): number => Math.min(FEN_MAX, Math.max(1_000_000, Math.round(fen / 1_000_000) * 1_000_000));

export function demoReferenceOf(o: Resolved, date: string): DemoReference {
  const dayGmv = expectedDayGmvFen(o);
  const licences = licenceDays(o, date);
  const chTotal = CHANNELS.reduce((s, c) => s + CHANNEL_WEIGHTS[c], 0);
  const perChannel = CHANNELS.map((channel) => ({ date, channel, gmv_target_fen: roundTarget((dayGmv * TARGET_STRETCH * CHANNEL_WEIGHTS[channel]) / chTotal) }));
  return {
    skus: SKUS.map(({ weight: _w, ...row }) => ({ ...row })),
    shops: SHOPS.map((s, i) => {
      const d = licences[i];
      return { shop_id: s.shop_id, channel: s.channel, name: s.name, licence_no: s.licence_no,
        licence_expires: addDays(date, d.licence), gsp_expires: addDays(date, d.gsp) };
    }),
    warehouses: WAREHOUSES.map((w) => ({ ...w })),
    batches: [...batchesForDate(o, date).values()].flat().map(({ kind: _k, ...row }) => ({ ...row })),
    sensors: DEMO_SENSORS.map((s) => ({ ...s })),
    targets: [...perChannel, { date, channel: 'all', gmv_target_fen: Math.min(FEN_MAX, perChannel.reduce((s, t) => s + t.gmv_target_fen, 0)) }],
  };
}

/** Reference rows of every kind for a business date (YYYY-MM-DD), valid against REFERENCE_KINDS. */
export function demoReference(opts: DemoOptions, date: string): DemoReference {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(Date.parse(`${date}T00:00:00Z`))) throw new RangeError(`bad date: ${date}`);
  return demoReferenceOf(resolveOptions(opts), date);
}

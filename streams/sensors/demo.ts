// Demo temperature and humidity sensors (冷链温湿度): two cold rooms, a shady room and the ambient floor in
// every warehouse, plus two refrigerated vans. A reading every 30 s per sensor, smooth noise inside each
// storage band (cold 2–8 °C, shady ≤ 20 °C, normal 10–30 °C) with brief door-open bumps that stay inside it.
// COLD_CHAIN_EXCURSION is injected per cold sensor and hour: 9–12 °C for 25–45 minutes.
import type { Resolved } from '../demo/options.ts';
import { SALT, hash01, rngFor, smoothNoise } from '../demo/random.ts';
import { WAREHOUSES, type StorageClass, type WarehouseId } from '../orders/catalogue.ts';

export interface DemoSensor {
  readonly sensor_id: string;
  readonly warehouse_id: WarehouseId;
  readonly location: string;
  readonly storage_class: StorageClass;
}

type EventHead<T extends string> = { event_id: string; type: T; ts: string };
export type SensorReadingEvent = EventHead<'sensor.reading'> & { sensor_id: string; temp_c: number; humidity_pct: number };

export const READING_EVERY_S = 30;

export const DEMO_SENSORS: readonly DemoSensor[] = [
  ...WAREHOUSES.flatMap((w) => {
    const code = w.warehouse_id.slice(3);
    const s = (suffix: string, location: string, storage_class: StorageClass): DemoSensor =>
      ({ sensor_id: `SN-${code}-${suffix}`, warehouse_id: w.warehouse_id, location, storage_class });
    return [s('C1', `${w.name} 冷库1号(胰岛素/生物制品)`, 'cold'), s('C2', `${w.name} 冷库2号(益生菌/疫苗类)`, 'cold'),
      s('S1', `${w.name} 阴凉库`, 'shady'), s('N1', `${w.name} 常温库`, 'normal')];
  }),
  { sensor_id: 'SN-GZ-V1', warehouse_id: 'WH-GZ', location: '冷藏车 粤A·C3721', storage_class: 'cold' },
  { sensor_id: 'SN-SH-V1', warehouse_id: 'WH-SH', location: '冷藏车 沪B·L8804', storage_class: 'cold' },
];

/** Readings of each sensor fall on its own phase of the 30-s cycle, so they don't all land on one second. */
const phaseOf = (idx: number): number => (idx * 7) % READING_EVERY_S;

interface Band { base: number; slow: number; fast: number; day: number; min: number; max: number; humidity: number }
const BANDS: Readonly<Record<StorageClass, Band>> = {
  cold: { base: 4.9, slow: 0.8, fast: 0.3, day: 0, min: 2.6, max: 7.6, humidity: 62 },
  shady: { base: 15.5, slow: 2, fast: 0.4, day: 1.5, min: 11, max: 19.6, humidity: 52 },
  normal: { base: 21, slow: 3, fast: 0.5, day: 2.5, min: 12, max: 28.8, humidity: 50 },
};
export const EXCURSION = { minS: 1500, maxS: 2700, minC: 9, maxC: 12 } as const;

/** The injected excursion covering this second, if any (it may have started in the previous hour). */
export function excursionAt(o: Resolved, idx: number, second: number): null | { start: number; end: number } {
  if (DEMO_SENSORS[idx].storage_class !== 'cold' || !(o.v.COLD_CHAIN_EXCURSION > 0)) return null;
  const hour = Math.floor(second / 3600);
  for (const h of [hour - 1, hour]) {
    if (!(hash01(o.seedHash, h, idx, SALT.EXCURSION) < o.v.COLD_CHAIN_EXCURSION)) continue;
    const r = rngFor(o.seedHash, h, idx, SALT.EXCURSION);
    const start = h * 3600 + Math.floor(r() * 3600), end = start + EXCURSION.minS + Math.floor(r() * (EXCURSION.maxS - EXCURSION.minS));
    if (second >= start && second < end) return { start, end };
  }
  return null;
}

const round1 = (x: number): number => Math.round(x * 10) / 10;

/** One sensor's reading at a second (whether or not it reports then). secOfDay drives the daytime warming. */
export function readingAt(o: Resolved, idx: number, second: number, secOfDay: number): { temp_c: number; humidity_pct: number } {
  const band = BANDS[DEMO_SENSORS[idx].storage_class];
  const slow = smoothNoise(o.seedHash, idx, second, 900, SALT.SENSOR), fast = smoothNoise(o.seedHash, idx + 64, second, 120, SALT.SENSOR);
  const humidity = Math.min(95, Math.max(20, band.humidity + 8 * smoothNoise(o.seedHash, idx + 128, second, 1800, SALT.SENSOR)));
  if (excursionAt(o, idx, second)) {
    const t = EXCURSION.minC + (EXCURSION.maxC - EXCURSION.minC) * (0.5 + 0.45 * slow);
    return { temp_c: round1(Math.min(EXCURSION.maxC, Math.max(EXCURSION.minC, t))), humidity_pct: round1(humidity) };
  }
  // A door opened in this 10-minute slot warms the room for about a minute and a half.
  const slot = Math.floor(second / 600), intoSlot = second - slot * 600;
  const door = hash01(o.seedHash, slot, idx, SALT.DOOR) < 0.08 && intoSlot < 90 ? 1.2 * (1 - intoSlot / 90) : 0;
  const daytime = band.day * Math.sin((Math.PI * (secOfDay - 6 * 3600)) / (12 * 3600));
  const white = hash01(o.seedHash, second, idx, SALT.SENSOR) - 0.5;
  const t = band.base + band.slow * slow + band.fast * fast + daytime + door + 0.2 * white;
  return { temp_c: round1(Math.min(band.max, Math.max(band.min, t))), humidity_pct: round1(humidity) };
}

/** The readings due in one second. */
export function sensorReadings(o: Resolved, second: number, secOfDay: number, ts: (ms: number) => string): SensorReadingEvent[] {
  const out: SensorReadingEvent[] = [];
  const phase = ((second % READING_EVERY_S) + READING_EVERY_S) % READING_EVERY_S;
  DEMO_SENSORS.forEach((s, idx) => {
    if (phaseOf(idx) !== phase) return;
    out.push({ event_id: `demo-${o.tag}-sn-${s.sensor_id}-${second}`, type: 'sensor.reading', ts: ts(100 + idx * 10),
      sensor_id: s.sensor_id, ...readingAt(o, idx, second, secOfDay) });
  });
  return out;
}

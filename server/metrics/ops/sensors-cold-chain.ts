// sensors.cold_chain: every storage sensor's latest temperature against the band of its storage class.
import { Type } from 'typebox';
import { toInt } from '../../plugins/clickhouse.ts';
import { STORAGE_CLASSES } from '../../../streams/reference/schema.ts';
import { toBusinessIso } from '../../time.ts';
import { defineMetric } from '../metric.ts';
import { DEFAULT_SETTINGS, type BusinessSettings } from '../../settings.ts';
import { msParam, round1, rows } from './common.ts';

type StorageClass = (typeof STORAGE_CLASSES)[number];
export interface Band {
  min_c: number | null;
  max_c: number | null;
}

/**
 * Allowed temperatures per storage class (DOMAIN "SKU facts"), inclusive at both ends. `cold` is the band
 * COLD_CHAIN_EXCURSION judges (its `minC`/`maxC` in the rules file, server/settings.ts): a wall never draws
 * another band than the rule's. 阴凉 shady is defined only as ≤ 20 °C, so it has no lower bound here rather
 * than one nobody agreed on. A sensor with no reference row has class 'unknown' and no band: it can be
 * no_data but never out.
 */
export function temperatureBands(settings: BusinessSettings = DEFAULT_SETTINGS): Readonly<Record<StorageClass | 'unknown', Band>> {
  return {
    cold: { ...settings.coldBand },
    shady: { min_c: null, max_c: 20 },
    normal: { min_c: 10, max_c: 30 },
    unknown: { min_c: null, max_c: null },
  };
}

/** A latest reading older than this is not trusted as "now": status no_data. Sensors report every 10–60 s. */
export const STALE_AFTER_MS = 15 * 60_000;
/** How far back the latest reading is looked for (bounds the scan); older sensors show no reading at all. */
const LOOKBACK_MS = 24 * 3_600_000;
const MAX_SENSORS = 5_000;

export const SENSOR_STATUSES = ['ok', 'out', 'no_data'] as const;
export interface ColdChainSensor {
  sensor_id: string;
  warehouse_id: string | null;
  location: string | null;
  storage_class: StorageClass | 'unknown';
  temp_c: number | null;
  humidity_pct: number | null;
  ts: string | null;
  band: Band;
  status: (typeof SENSOR_STATUSES)[number];
  min_c_1h: number | null;
  max_c_1h: number | null;
}

/**
 * Sensors from ref_sensors plus any sensor that reported without reference data. Temperatures are rounded
 * to 0.1 °C and the band check uses the rounded value, so the screen never shows 8.0 °C marked out. Readings
 * stamped after the clock's now are not counted yet (the value is what was known at as_of).
 */
export const sensorsColdChain = defineMetric({
  id: 'sensors.cold_chain',
  description: { 'zh-CN': '冷链及库房温湿度（最新读数与温区）', en: 'Storage temperatures: latest reading against the band' },
  params: Type.Object({}, { additionalProperties: false }),
  value: '[{"sensor_id","warehouse_id","location","storage_class","temp_c","humidity_pct","ts","band":{"min_c","max_c"},"status":"ok|out|no_data","min_c_1h","max_c_1h"}]',
  streams: ['sensor', 'ref.sensors'],
  tick: 'minute',
  resolve: (raw) => raw,
  async compute(ctx): Promise<ColdChainSensor[]> {
    const now = ctx.clock.now();
    const db = ctx.storage.db;
    const refs = await rows<{ sensor_id: string; warehouse_id: string; location: string; storage_class: string }>(
      ctx,
      `SELECT sensor_id, warehouse_id, location, storage_class FROM ${db}.ref_sensors FINAL ORDER BY sensor_id LIMIT {max:UInt32}`,
      { max: MAX_SENSORS },
    );
    const readings = await rows<{ sensor_id: string; last: [number, number | null]; ts_ms: string; min1h: number; max1h: number; n1h: string }>(
      ctx,
      `SELECT sensor_id, argMax((temp_c, humidity_pct), (ts, event_id)) AS last, toUnixTimestamp64Milli(max(ts)) AS ts_ms,
              minIf(temp_c, ts > ${msParam('hour_ago')}) AS min1h, maxIf(temp_c, ts > ${msParam('hour_ago')}) AS max1h,
              countIf(ts > ${msParam('hour_ago')}) AS n1h
       FROM ${db}.sensor_readings
       WHERE ts > ${msParam('since')} AND ts <= ${msParam('now')}
       GROUP BY sensor_id ORDER BY sensor_id LIMIT {max:UInt32}`,
      { since: now - LOOKBACK_MS, hour_ago: now - 3_600_000, now, max: MAX_SENSORS },
    );
    const latest = new Map(readings.map((r) => [r.sensor_id, r]));
    const known = new Map(refs.map((r) => [r.sensor_id, r]));
    const ids = [...new Set([...known.keys(), ...latest.keys()])];
    const bands = temperatureBands(ctx.settings);
    const out = ids.map((id): ColdChainSensor => {
      const ref = known.get(id);
      const storage_class = ref && isStorageClass(ref.storage_class) ? ref.storage_class : 'unknown';
      const band = bands[storage_class];
      const r = latest.get(id);
      const tsMs = r ? toInt(r.ts_ms) : null;
      const temp = r ? round1(r.last[0]) : null;
      const hourly = r !== undefined && toInt(r.n1h) > 0;
      return {
        sensor_id: id,
        warehouse_id: ref?.warehouse_id ?? null,
        location: ref?.location ?? null,
        storage_class,
        temp_c: temp,
        humidity_pct: r ? round1(r.last[1]) : null,
        ts: tsMs === null ? null : toBusinessIso(tsMs, ctx.tz),
        band,
        status: temp === null || tsMs === null || now - tsMs > STALE_AFTER_MS ? 'no_data' : outside(temp, band) ? 'out' : 'ok',
        min_c_1h: hourly ? round1(r.min1h) : null,
        max_c_1h: hourly ? round1(r.max1h) : null,
      };
    });
    // Stable order on a wall: by warehouse (unreferenced sensors last), then sensor id; never by status.
    return out.sort((a, b) => cmp(a.warehouse_id ?? '\uffff', b.warehouse_id ?? '\uffff') || cmp(a.sensor_id, b.sensor_id));
  },
});

function isStorageClass(s: string): s is StorageClass {
  return (STORAGE_CLASSES as readonly string[]).includes(s);
}

function outside(t: number, band: Band): boolean {
  return (band.min_c !== null && t < band.min_c) || (band.max_c !== null && t > band.max_c);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// Time for the demo generators: the business zone's offsets, timestamps, the business date of a second and
// the 双11 day curve. Everything is in the business zone's local time, never the machine's.
import { DateTime, IANAZone } from 'luxon';

export function zoneFor(tz: string): IANAZone {
  const zone = IANAZone.create(tz); // luxon caches zones by name
  if (!zone.isValid) throw new RangeError(`unknown time zone: ${tz}`);
  return zone;
}

// luxon's offset lookup costs ~5 µs (Intl) and is needed several times a second, so offsets are memoised
// per 15-minute bucket; a bucket with a zone transition inside is never memoised and is looked up exactly.
const offsetMemo = new Map<string, Map<number, number>>();
export function offsetMin(zone: IANAZone, epochSecond: number): number {
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

/**
 * Timestamps inside one second: every event a call returns lies in that second, so one offset lookup serves
 * them all (an offset never changes mid-second) and the string is assembled by hand (much faster than luxon).
 */
export function stamper(zone: IANAZone, epochSecond: number): (ms: number) => string {
  const offMin = offsetMin(zone, epochSecond);
  const prefix = new Date((epochSecond + offMin * 60) * 1000).toISOString().slice(0, 20);
  const abs = Math.abs(offMin), pad2 = (x: number): string => String(x).padStart(2, '0');
  const suffix = `${offMin < 0 ? '-' : '+'}${pad2(Math.floor(abs / 60))}:${pad2(abs % 60)}`;
  return (ms) => prefix + String(ms).padStart(3, '0') + suffix;
}

/** The business date (YYYY-MM-DD) of an epoch second; the last answer's 15-minute bucket is remembered. */
let lastDate = { zone: '', bucket: NaN, date: '' };
export function dateOfSecond(zone: IANAZone, epochSecond: number): string {
  const bucket = Math.floor(epochSecond / 900); // zone offsets are whole quarter hours: a bucket has one date
  if (lastDate.zone === zone.name && lastDate.bucket === bucket) return lastDate.date;
  const date = new Date((epochSecond + offsetMin(zone, epochSecond) * 60) * 1000).toISOString().slice(0, 10);
  lastDate = { zone: zone.name, bucket, date };
  return date;
}

const dayStarts = new Map<string, number>();
let lastStart = { tz: '', date: '', s: 0 };
/** Epoch second of 00:00 of a business date (cached: asked once per generated second). */
export function dayStartSecond(tz: string, date: string): number {
  if (lastStart.tz === tz && lastStart.date === date) return lastStart.s;
  const key = `${tz}|${date}`;
  let s = dayStarts.get(key);
  if (s === undefined) {
    const dt = DateTime.fromISO(date, { zone: tz });
    if (!dt.isValid) throw new RangeError(`bad date: ${date}`);
    s = dt.startOf('day').toSeconds();
    if (dayStarts.size > 1000) dayStarts.clear();
    dayStarts.set(key, s);
  }
  lastStart = { tz, date, s };
  return s;
}

/** Length of a business date in seconds (23 or 25 hours across DST in zones that have it). */
export function dayLengthSeconds(tz: string, date: string): number {
  const next = DateTime.fromISO(date, { zone: 'UTC' }).plus({ days: 1 }).toISODate() as string;
  return dayStartSecond(tz, next) - dayStartSecond(tz, date);
}

/** A date plus whole days, YYYY-MM-DD (calendar arithmetic, no zone). */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

// ---- The day curve: a 双11 shape in local time, normalised so its mean over the 86,400 s of a day is 1.
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

/** Local second of the day (0…86,399) of an epoch second. */
export function localSecondOfDay(zone: IANAZone, epochSecond: number): number {
  const local = epochSecond + offsetMin(zone, epochSecond) * 60;
  return ((local % 86_400) + 86_400) % 86_400;
}

/** Relative activity at an epoch second; averages 1 over a business day. */
export function curveAt(zone: IANAZone, epochSecond: number): number {
  return rawCurve(localSecondOfDay(zone, epochSecond)) / CURVE_NORM;
}

export function dayCurve(tz: string, epochSecond: number): number {
  return curveAt(zoneFor(tz), epochSecond);
}

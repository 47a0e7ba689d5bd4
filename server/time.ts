// Business-day arithmetic. "Today" and every day boundary are in TZ_BUSINESS, never the machine's zone.
import { DateTime } from 'luxon';

/** Injected time source (STYLE §12): tests pin it; production uses Date.now. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

/** The business date (YYYY-MM-DD) of an instant. */
export function businessDate(epochMs: number, tz: string): string {
  return DateTime.fromMillis(epochMs, { zone: tz }).toISODate() as string;
}

/** True for a real calendar date written YYYY-MM-DD. */
export function isIsoDate(s: string): boolean {
  return DATE_RE.test(s) && DateTime.fromISO(s, { zone: 'UTC' }).isValid;
}

/** [start, end) of a business date in epoch ms (23 or 25 hours long across DST in zones that have it). */
export function dayRange(date: string, tz: string): { fromMs: number; toMs: number } {
  const start = DateTime.fromISO(date, { zone: tz }).startOf('day');
  return { fromMs: start.toMillis(), toMs: start.plus({ days: 1 }).toMillis() };
}

/** Milliseconds until the next minute boundary in the business zone (minute ticks of "today" series). */
export function msToNextMinute(epochMs: number): number {
  return 60_000 - (epochMs % 60_000);
}

/** RFC 3339 with the business zone's offset, e.g. 2026-11-11T00:00:01.250+08:00. */
export function toBusinessIso(epochMs: number, tz: string): string {
  return DateTime.fromMillis(epochMs, { zone: tz }).toISO({ suppressMilliseconds: false }) as string;
}

// Orders paid per minute of a business date, zero-filled: shared by sales.orders_per_minute and
// sales.orders_per_minute_compare so the line and its comparison line come from one computation.
import { DateTime } from 'luxon';
import { toInt } from '../../plugins/clickhouse.ts';
import { dayRange } from '../../time.ts';
import type { MetricContext } from '../metric.ts';

export interface MinutePoint {
  /** HH:MM in the business zone. */
  minute: string;
  orders: number;
}

/**
 * One entry per minute of `date` (business zone), from 00:00 up to the current minute when `toNow` (a
 * series that reaches "now" even in a quiet minute), or the whole day otherwise; a future date is empty.
 * sales_minute holds only first payments, so a sum of `orders` counts distinct orders.
 */
export async function ordersPerMinute({ storage, tz, clock }: MetricContext, date: string, toNow: boolean): Promise<MinutePoint[]> {
  const { fromMs, toMs } = dayRange(date, tz);
  const now = clock.now();
  const endMs = toNow ? Math.min(toMs, now - (now % 60_000) + 60_000) : toMs;
  if (endMs <= fromMs) return [];
  // Minute buckets are UTC minutes; every IANA offset is a whole number of minutes, so they align.
  const rs = await storage.read.query({
    query: `SELECT toUnixTimestamp(minute) AS m, sum(orders) AS n FROM ${storage.db}.sales_minute
            WHERE minute >= toDateTime({from:UInt32}, 'UTC') AND minute < toDateTime({to:UInt32}, 'UTC')
            GROUP BY minute ORDER BY minute`,
    query_params: { from: fromMs / 1000, to: endMs / 1000 },
    format: 'JSONEachRow',
  });
  const counts = new Map<number, number>();
  for (const row of await rs.json<{ m: string | number; n: string }>()) counts.set(Number(row.m) * 1000, toInt(row.n));
  const points: MinutePoint[] = [];
  for (let t = fromMs; t < endMs; t += 60_000) {
    points.push({ minute: DateTime.fromMillis(t, { zone: tz }).toFormat('HH:mm'), orders: counts.get(t) ?? 0 });
  }
  return points;
}

/** The business date before `date` (calendar arithmetic in the zone, so DST days stay whole days). */
export function previousDate(date: string, tz: string): string {
  return DateTime.fromISO(date, { zone: tz }).minus({ days: 1 }).toISODate() as string;
}

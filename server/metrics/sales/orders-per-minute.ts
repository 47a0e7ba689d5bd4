import { DateTime } from 'luxon';
import { toInt } from '../../plugins/clickhouse.ts';
import { dayRange } from '../../time.ts';
import { defineMetric } from '../metric.ts';
import { DateParam, dayParams, withToday } from '../params.ts';

export interface MinutePoint {
  minute: string;
  orders: number;
}

/** Distinct orders paid in each minute, one entry per minute from 00:00 to now (23:59 for a past day). */
export const salesOrdersPerMinute = defineMetric({
  id: 'sales.orders_per_minute',
  description: { 'zh-CN': '每分钟支付订单数', en: 'Orders paid per minute' },
  params: DateParam,
  value: '[{"minute":"HH:MM","orders":integer}]',
  streams: ['order'],
  tick: 'minute',
  resolve: withToday,
  async compute({ storage, tz, clock }, { date }): Promise<MinutePoint[]> {
    const rs = await storage.read.query({
      query: `SELECT toUnixTimestamp(minute) AS m, sum(orders) AS n FROM ${storage.db}.sales_minute
              WHERE minute >= toDateTime({from:UInt32}, 'UTC') AND minute < toDateTime({to:UInt32}, 'UTC')
              GROUP BY minute ORDER BY minute`,
      query_params: dayParams(date!, tz),
      format: 'JSONEachRow',
    });
    const counts = new Map<number, number>();
    for (const row of await rs.json<{ m: string | number; n: string }>()) counts.set(Number(row.m) * 1000, toInt(row.n));
    // Zero-filled up to the current minute: the line reaches "now" even in a quiet minute.
    const { fromMs, toMs } = dayRange(date!, tz);
    const end = Math.min(toMs, clock.now() - (clock.now() % 60_000) + 60_000);
    const points: MinutePoint[] = [];
    for (let t = fromMs; t < end; t += 60_000) {
      points.push({ minute: DateTime.fromMillis(t, { zone: tz }).toFormat('HH:mm'), orders: counts.get(t) ?? 0 });
    }
    return points;
  },
});

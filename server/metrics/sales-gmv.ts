import { toInt } from '../plugins/clickhouse.ts';
import { defineMetric } from './metric.ts';
import { DateParam, dayParams, withToday } from './params.ts';

/** Gross merchandise value: sum of paid_fen of the orders first paid that day (refunds don't reduce it). */
export const salesGmv = defineMetric({
  id: 'sales.gmv',
  description: { 'zh-CN': '当日成交额（GMV，分）', en: 'GMV of the day, fen (first payment of each order)' },
  params: DateParam,
  value: 'integer fen',
  streams: ['orders'],
  resolve: withToday,
  async compute({ storage, tz }, { date }) {
    const rs = await storage.read.query({
      query: `SELECT sum(gmv_fen) AS v FROM ${storage.db}.sales_minute
              WHERE minute >= toDateTime({from:UInt32}, 'UTC') AND minute < toDateTime({to:UInt32}, 'UTC')`,
      query_params: dayParams(date!, tz),
      format: 'JSONEachRow',
    });
    const [row] = await rs.json<{ v: string }>();
    return toInt(row?.v ?? 0);
  },
});

import { toInt } from '../plugins/clickhouse.ts';
import { defineMetric } from './metric.ts';
import { DateParam, dayParams, withToday } from './params.ts';

/** Distinct orders paid that day (each order counted on its first payment). */
export const salesPaidOrders = defineMetric({
  id: 'sales.paid_orders',
  description: { 'zh-CN': '当日支付订单数', en: 'Distinct orders paid that day' },
  params: DateParam,
  value: 'integer',
  streams: ['orders'],
  resolve: withToday,
  async compute({ storage, tz }, { date }) {
    const rs = await storage.read.query({
      query: `SELECT sum(orders) AS v FROM ${storage.db}.sales_minute
              WHERE minute >= toDateTime({from:UInt32}, 'UTC') AND minute < toDateTime({to:UInt32}, 'UTC')`,
      query_params: dayParams(date!, tz),
      format: 'JSONEachRow',
    });
    const [row] = await rs.json<{ v: string }>();
    return toInt(row?.v ?? 0);
  },
});

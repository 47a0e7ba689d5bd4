import { defineMetric } from '../metric.ts';
import { DateParam, withToday } from '../params.ts';
import { ordersPerMinute, type MinutePoint } from './minute-series.ts';

export type { MinutePoint } from './minute-series.ts';

/** Distinct orders paid in each minute, one entry per minute from 00:00 to now (23:59 for a past day). */
export const salesOrdersPerMinute = defineMetric({
  id: 'sales.orders_per_minute',
  description: { 'zh-CN': '每分钟支付订单数', en: 'Orders paid per minute' },
  params: DateParam,
  value: '[{"minute":"HH:MM","orders":integer}]',
  streams: ['order.paid'],
  tick: 'minute',
  resolve: withToday,
  compute: (ctx, { date }): Promise<MinutePoint[]> => ordersPerMinute(ctx, date!, true),
});

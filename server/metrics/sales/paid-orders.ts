import { defineMetric } from '../metric.ts';
import { DateParam, withToday } from '../params.ts';
import { sumSalesDay } from './rollup.ts';

/** Distinct orders paid that day (each order counted on its first payment). */
export const salesPaidOrders = defineMetric({
  id: 'sales.paid_orders',
  description: { 'zh-CN': '当日支付订单数', en: 'Distinct orders paid that day' },
  params: DateParam,
  value: 'integer',
  streams: ['order.paid'],
  resolve: withToday,
  compute: (ctx, { date }) => sumSalesDay(ctx, date!, 'orders'),
  hot: async (ctx, { date }) => (await ctx.hot.get(date!)).orders,
});

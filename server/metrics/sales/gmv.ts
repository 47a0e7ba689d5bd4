import { defineMetric } from '../metric.ts';
import { DateParam, withToday } from '../params.ts';
import { sumSalesDay } from './rollup.ts';

/** Gross merchandise value: sum of paid_fen of the orders first paid that day (refunds don't reduce it). */
export const salesGmv = defineMetric({
  id: 'sales.gmv',
  description: { 'zh-CN': '当日成交额（GMV，分）', en: 'GMV of the day, fen (first payment of each order)' },
  params: DateParam,
  value: 'integer fen',
  streams: ['order.paid'],
  resolve: withToday,
  compute: (ctx, { date }) => sumSalesDay(ctx, date!, 'gmv_fen'),
  hot: async (ctx, { date }) => (await ctx.hot.get(date!)).gmv_fen,
});

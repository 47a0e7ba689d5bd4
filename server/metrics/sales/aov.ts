import { defineMetric } from '../metric.ts';
import { DateParam, withToday } from '../params.ts';
import { divRound } from './integer.ts';
import { salesDayTotals } from './rollup.ts';

/**
 * Average order value (客单价): GMV / paid orders of the day in integer fen, rounded half up with integer
 * arithmetic (no float ever sees the money); 0 when there is no paid order yet.
 */
export const salesAov = defineMetric({
  id: 'sales.aov',
  description: { 'zh-CN': '客单价（分）：成交额 ÷ 支付订单数', en: 'Average order value, fen: GMV / paid orders' },
  params: DateParam,
  value: 'integer fen',
  streams: ['order.paid'],
  resolve: withToday,
  async compute(ctx, { date }): Promise<number> {
    const { gmv_fen, orders } = await salesDayTotals(ctx, date!);
    return orders === 0 ? 0 : divRound(gmv_fen, orders);
  },
});

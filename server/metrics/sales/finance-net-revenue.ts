import { defineMetric } from '../metric.ts';
import { DateParam, withToday } from '../params.ts';
import { refundsDay, salesDayTotals } from './rollup.ts';

export interface NetRevenue {
  /** Sum of paid_fen of the orders first paid that day (already net of discounts and coupons). */
  gmv_fen: number;
  /** Refunds dated that day by their own ts, whatever day the order was paid. */
  refund_fen: number;
  /** gmv_fen − refund_fen; negative on a day when old orders are refunded and little sells. */
  net_fen: number;
}

/**
 * Net revenue of a business day for the executive screen: GMV less the refunds booked that day. Both terms
 * come from the same rollups as sales.gmv and sales.refunds, so the three numbers always reconcile.
 */
export const financeNetRevenue = defineMetric({
  id: 'finance.net_revenue',
  description: { 'zh-CN': '净收入（成交额 − 当日退款，分）', en: 'Net revenue: GMV less refunds of the day, fen' },
  params: DateParam,
  value: '{"gmv_fen":integer,"refund_fen":integer,"net_fen":integer}',
  streams: ['order'],
  resolve: withToday,
  async compute(ctx, { date }): Promise<NetRevenue> {
    const { gmv_fen } = await salesDayTotals(ctx, date!);
    const { refund_fen } = await refundsDay(ctx, date!);
    return { gmv_fen, refund_fen, net_fen: gmv_fen - refund_fen };
  },
});

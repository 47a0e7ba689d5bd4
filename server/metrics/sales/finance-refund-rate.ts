import { defineMetric } from '../metric.ts';
import { DateParam, withToday } from '../params.ts';
import { ratioBp } from './integer.ts';
import { refundsDay, sumSalesDay } from './rollup.ts';

export interface RefundRate {
  /** Distinct orders with a refund dated that day (as sales.refunds). */
  refunded_orders: number;
  /** Distinct orders first paid that day (as sales.paid_orders). */
  paid_orders: number;
  /** refunded_orders / paid_orders in basis points, rounded half up; null when nothing was paid that day. */
  rate_bp: number | null;
}

/**
 * Refund rate of the day as the finance screen reads it: refunds booked that day against orders paid that
 * day. It is a daily flow ratio, not a cohort rate (a refund of last week's order counts today), so it can
 * exceed 10,000 bp on a quiet day; both counts are the ones sales.refunds and sales.paid_orders show.
 */
export const financeRefundRate = defineMetric({
  id: 'finance.refund_rate',
  description: { 'zh-CN': '退款率（当日退款订单 ÷ 当日支付订单，基点）', en: 'Refund rate: refunded / paid orders of the day, bp' },
  params: DateParam,
  value: '{"refunded_orders":integer,"paid_orders":integer,"rate_bp":integer|null}',
  streams: ['order'],
  resolve: withToday,
  async compute(ctx, { date }): Promise<RefundRate> {
    const { refunded_orders } = await refundsDay(ctx, date!);
    const paid_orders = await sumSalesDay(ctx, date!, 'orders');
    return { refunded_orders, paid_orders, rate_bp: ratioBp(refunded_orders, paid_orders) };
  },
});

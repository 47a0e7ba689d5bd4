import { defineMetric } from '../metric.ts';
import { DateParam, withToday } from '../params.ts';
import { refundsDay, type RefundsDay } from './rollup.ts';

/**
 * CONTRACT: refunds dated that day by the refund's own ts (a refund of last week's order counts today);
 * refunded_orders counts distinct orders, so two partial refunds of one order count it once.
 */
export const salesRefunds = defineMetric({
  id: 'sales.refunds',
  description: { 'zh-CN': '当日退款金额与退款订单数', en: 'Refunds of the day: amount and distinct orders' },
  params: DateParam,
  value: '{"refund_fen":integer,"refunded_orders":integer}',
  streams: ['order'],
  resolve: withToday,
  compute: (ctx, { date }): Promise<RefundsDay> => refundsDay(ctx, date!),
});

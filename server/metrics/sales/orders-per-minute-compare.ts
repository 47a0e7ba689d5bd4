import { defineMetric } from '../metric.ts';
import { DateParam, withToday } from '../params.ts';
import { ordersPerMinute, previousDate, type MinutePoint } from './minute-series.ts';

export interface OrdersCompare {
  /** `date` from 00:00 to the current minute (the whole day for a past date), zeros included. */
  today: MinutePoint[];
  /** The business day before `date`, every minute of it (1,440; 1,380 or 1,500 on a DST change day). */
  yesterday: MinutePoint[];
}

/**
 * Orders per minute with a comparison line: "today vs the same time yesterday" on the war-room screen.
 * Both series come from the same helper as sales.orders_per_minute, so `today` equals that metric exactly.
 */
export const salesOrdersPerMinuteCompare = defineMetric({
  id: 'sales.orders_per_minute_compare',
  description: {
    'zh-CN': '每分钟支付订单数：当日与前一日对比',
    en: 'Orders paid per minute, the day against the day before',
  },
  params: DateParam,
  value: '{"today":[{"minute":"HH:MM","orders":integer}],"yesterday":[{"minute":"HH:MM","orders":integer}]}',
  streams: ['order.paid'],
  tick: 'minute',
  resolve: withToday,
  async compute(ctx, { date }): Promise<OrdersCompare> {
    // Sequential on purpose: chDB runs one query at a time per connection anyway (STACK-NOTES).
    const today = await ordersPerMinute(ctx, date!, true);
    const yesterday = await ordersPerMinute(ctx, previousDate(date!, ctx.tz), false);
    return { today, yesterday };
  },
});

import { defineMetric } from '../metric.ts';
import { DateParam, withToday } from '../params.ts';
import { splitSalesDay } from './rollup.ts';

export interface ChannelSales {
  channel: string;
  gmv_fen: number;
  orders: number;
}

/** CONTRACT: GMV and paid orders per channel for the day, by gmv_fen desc; channels with no paid order left out. */
export const salesGmvByChannel = defineMetric({
  id: 'sales.gmv_by_channel',
  description: { 'zh-CN': '分渠道成交额与支付订单数', en: 'GMV and paid orders by channel' },
  params: DateParam,
  value: '[{"channel","gmv_fen":integer,"orders":integer}] by gmv_fen desc',
  streams: ['order.paid'],
  resolve: withToday,
  async compute(ctx, { date }): Promise<ChannelSales[]> {
    const rows = await splitSalesDay(ctx, date!, 'channel');
    return rows.map((r) => ({ channel: r.key, gmv_fen: r.gmv_fen, orders: r.orders }));
  },
});

import { defineMetric } from '../metric.ts';
import { DateParam, withToday } from '../params.ts';
import { splitSalesDay } from './rollup.ts';

export interface ProvinceSales {
  province: string;
  gmv_fen: number;
  orders: number;
}

/** CONTRACT: GMV and paid orders per province (the map widget), by gmv_fen desc; provinces with none left out. */
export const salesGmvByProvince = defineMetric({
  id: 'sales.gmv_by_province',
  description: { 'zh-CN': '分省份成交额与支付订单数', en: 'GMV and paid orders by province' },
  params: DateParam,
  value: '[{"province","gmv_fen":integer,"orders":integer}] by gmv_fen desc',
  streams: ['order.paid'],
  resolve: withToday,
  async compute(ctx, { date }): Promise<ProvinceSales[]> {
    const rows = await splitSalesDay(ctx, date!, 'province');
    return rows.map((r) => ({ province: r.key, gmv_fen: r.gmv_fen, orders: r.orders }));
  },
});

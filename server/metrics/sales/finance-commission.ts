import type { Channel } from '../../../streams/common.ts';
import { defineMetric } from '../metric.ts';
import { DateParam, withToday } from '../params.ts';
import { applyBp } from './integer.ts';
import { splitSalesDay } from './rollup.ts';

/**
 * Platform commission per channel in basis points of GMV (500 = 5 %). Configurable defaults: the real rates
 * depend on each shop's contract and category; change them here (one typed place) until they become
 * reference data. `own` is the company's own mini-program: no platform, no commission.
 */
export const COMMISSION_BP: Readonly<Record<Channel, number>> = {
  tmall: 500,
  jd: 600,
  pdd: 300,
  douyin: 500,
  meituan: 800,
  own: 0,
};

export interface ChannelCommission {
  channel: string;
  gmv_fen: number;
  rate_bp: number;
  /** gmv_fen × rate_bp / 10,000, rounded half up once per channel and day. */
  commission_fen: number;
}

/** Commission rate of a channel code as stored (0 for a code outside the table, which ingest never lets in). */
export function commissionBp(channel: string): number {
  return (COMMISSION_BP as Readonly<Record<string, number>>)[channel] ?? 0;
}

/** Platform commission of the day per channel, on the GMV of orders first paid that day; by gmv_fen desc. */
export const financeCommission = defineMetric({
  id: 'finance.commission',
  description: { 'zh-CN': '平台佣金（按渠道，分）', en: 'Platform commission by channel, fen' },
  params: DateParam,
  value: '[{"channel","gmv_fen":integer,"rate_bp":integer,"commission_fen":integer}] by gmv_fen desc',
  streams: ['order'],
  resolve: withToday,
  async compute(ctx, { date }): Promise<ChannelCommission[]> {
    const sales = await splitSalesDay(ctx, date!, 'channel');
    return sales.map((s) => {
      const rate = commissionBp(s.key);
      return { channel: s.key, gmv_fen: s.gmv_fen, rate_bp: rate, commission_fen: applyBp(s.gmv_fen, rate) };
    });
  },
});

import { DEFAULT_SETTINGS, type ChannelTerms } from '../../settings.ts';
import type { MetricContext } from '../metric.ts';
import { defineMetric } from '../metric.ts';
import { DateParam, withToday } from '../params.ts';
import { applyBp } from './integer.ts';
import { splitSalesDay } from './rollup.ts';

export interface ChannelCommission {
  channel: string;
  gmv_fen: number;
  rate_bp: number;
  /** gmv_fen × rate_bp / 10,000, rounded half up once per channel and day. */
  commission_fen: number;
}

/** Commission rate of a channel code as stored (0 for a code outside the table, which ingest never lets in),
 *  from the deployment's settings (server/settings.ts). */
export function commissionBp(ctx: MetricContext, channel: string): number {
  return ((ctx.settings ?? DEFAULT_SETTINGS).channels as Readonly<Record<string, ChannelTerms>>)[channel]?.commission_bp ?? 0;
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
      const rate = commissionBp(ctx, s.key);
      return { channel: s.key, gmv_fen: s.gmv_fen, rate_bp: rate, commission_fen: applyBp(s.gmv_fen, rate) };
    });
  },
});

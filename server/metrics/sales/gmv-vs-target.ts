import { toInt } from '../../plugins/clickhouse.ts';
import { defineMetric, type MetricContext } from '../metric.ts';
import { DateParam, withToday } from '../params.ts';
import { ratioBp } from './integer.ts';
import { splitSalesDay } from './rollup.ts';

export interface ChannelTarget {
  channel: string;
  gmv_fen: number;
  target_fen: number | null;
  /** gmv / target in basis points (10,000 = target reached), rounded half up; null without a target or with a target of 0. */
  progress_bp: number | null;
}

export interface GmvVsTarget {
  gmv_fen: number;
  /** The `all` target of the date, null when none was uploaded. */
  target_fen: number | null;
  progress_bp: number | null;
  by_channel: ChannelTarget[];
}

/** Targets of a date as known at read time (latest upload per (date, channel) wins: FINAL). */
async function targetsOf({ storage }: MetricContext, date: string): Promise<Map<string, number>> {
  const rs = await storage.read.query({
    query: `SELECT toString(channel) AS c, gmv_target_fen AS t FROM ${storage.db}.ref_targets FINAL WHERE date = {date:Date32}`,
    query_params: { date },
    format: 'JSONEachRow',
  });
  return new Map((await rs.json<{ c: string; t: string }>()).map((r) => [r.c, toInt(r.t)]));
}

/**
 * GMV against the sales target of the day (the war-room progress bar), overall and per channel. A channel
 * appears when it sold or has a target (a target with no sale yet shows as 0 bp, which is the point of the
 * bar); by gmv_fen desc, ties by channel.
 */
export const salesGmvVsTarget = defineMetric({
  id: 'sales.gmv_vs_target',
  description: { 'zh-CN': '成交额目标达成率（总体与分渠道）', en: 'GMV against target, overall and by channel' },
  params: DateParam,
  value:
    '{"gmv_fen":integer,"target_fen":integer|null,"progress_bp":integer|null,' +
    '"by_channel":[{"channel","gmv_fen":integer,"target_fen":integer|null,"progress_bp":integer|null}]}',
  streams: ['order.paid', 'ref.targets'],
  resolve: withToday,
  async compute(ctx, { date }): Promise<GmvVsTarget> {
    const sales = await splitSalesDay(ctx, date!, 'channel');
    const targets = await targetsOf(ctx, date!);
    const progress = (gmv: number, target: number | null) => (target === null ? null : ratioBp(gmv, target));

    const gmvBy = new Map(sales.map((s) => [s.key, s.gmv_fen]));
    const channels = new Set([...gmvBy.keys(), ...[...targets.keys()].filter((c) => c !== 'all')]);
    const byChannel = [...channels].map((channel): ChannelTarget => {
      const gmv = gmvBy.get(channel) ?? 0;
      const target = targets.get(channel) ?? null;
      return { channel, gmv_fen: gmv, target_fen: target, progress_bp: progress(gmv, target) };
    });
    byChannel.sort((a, b) => b.gmv_fen - a.gmv_fen || (a.channel < b.channel ? -1 : 1));

    const gmv = sales.reduce((n, s) => n + s.gmv_fen, 0);
    const target = targets.get('all') ?? null;
    return { gmv_fen: gmv, target_fen: target, progress_bp: progress(gmv, target), by_channel: byChannel };
  },
});

import { Type } from 'typebox';
import { CHANNELS } from '../../../streams/common.ts';
import { toInt } from '../../plugins/clickhouse.ts';
import { defineMetric } from '../metric.ts';
import { DEFAULT_SETTINGS } from '../../settings.ts';

export interface ChannelCash {
  channel: string;
  /** Paid orders not yet settled: never delivered, or delivered less than its channel's settlement days ago. */
  orders: number;
  /** Σ per order of paid_fen − all its refunds − its commission (rounded half up per order). */
  amount_fen: number;
}

/**
 * Cash the platforms still hold for us, as of now (the clock): every order with a first payment, not
 * cancelled, that has not reached its settlement instant (first order.delivered + the channel's `settlement_days`, server/settings.ts). The
 * amount is what the platform will pay out: paid_fen less the order's refunds (whatever their date) less
 * commission at the channel's `commission_bp`, rounded per order as a platform deducts it. A fully refunded order still in
 * the window shows its commission as a negative amount; it is not clamped, so the total reconciles.
 *
 * Reads `order_state` (one row per order once merged, ORDER BY order_id), never order_events. Its rows merge
 * lazily: an order paid in one insert and delivered, refunded or cancelled in later ones has several rows
 * until a background merge. FINAL combines them at read time with each column's own function (max channel:
 * only the paid row has one; min paid_at/delivered_at, NULL where a row had no such event; sum of money; max
 * cancelled), exactly what a GROUP BY order_id with those functions gives, but as a streaming merge that
 * skips key ranges no other part overlaps, several times faster. The WHERE must see merged rows (a filter
 * before the merge would drop e.g. a delivery row that arrived in its own insert): ClickHouse applies WHERE
 * after FINAL and moves no non-key condition to PREWHERE; optimize_move_to_prewhere_if_final = 0 is pinned
 * anyway. test/server/metrics/sales-rollup-edges.test.ts checks it with merges stopped.
 */
export const financeCashAwaitingSettlement = defineMetric({
  id: 'finance.cash_awaiting_settlement',
  description: { 'zh-CN': '待平台结算资金（按渠道，分）', en: 'Cash awaiting platform settlement by channel, fen' },
  params: Type.Object({}, { additionalProperties: false }),
  value: '[{"channel","orders":integer,"amount_fen":integer}] by amount_fen desc',
  streams: ['order'],
  // An order leaves the list when its settlement instant passes, without any new event.
  tick: 'minute',
  resolve: (raw) => raw,
  async compute({ storage, clock, settings = DEFAULT_SETTINGS }): Promise<ChannelCash[]> {
    const rs = await storage.read.query({
      query: `SELECT ch, count() AS n, sum(paid - refunded - intDiv(paid * transform(ch, {chs:Array(String)}, {rates:Array(Int64)}, toInt64(0)) + 5000, 10000)) AS a
              FROM (
                SELECT toString(channel) AS ch, paid_fen AS paid, refund_fen AS refunded
                FROM ${storage.db}.order_state FINAL
                WHERE paid_at IS NOT NULL AND cancelled = 0
                  AND (delivered_at IS NULL
                    OR toUnixTimestamp64Milli(assumeNotNull(delivered_at)) + transform(toString(channel), {chs:Array(String)}, {days:Array(Int64)}, toInt64(0)) * 86400000 > {now:Int64})
              )
              GROUP BY ch ORDER BY a DESC, ch
              SETTINGS optimize_move_to_prewhere_if_final = 0`,
      query_params: {
        chs: [...CHANNELS],
        rates: CHANNELS.map((c) => settings.channels[c].commission_bp),
        days: CHANNELS.map((c) => settings.channels[c].settlement_days),
        now: clock.now(),
      },
      format: 'JSONEachRow',
    });
    const rows = await rs.json<{ ch: string; n: string; a: string }>();
    return rows.map((r) => ({ channel: r.ch, orders: toInt(r.n), amount_fen: toInt(r.a) }));
  },
});

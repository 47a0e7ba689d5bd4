import { DateTime } from 'luxon';
import { toInt } from '../../plugins/clickhouse.ts';
import { dayRange } from '../../time.ts';
import { defineMetric } from '../metric.ts';
import { DateParam, withToday } from '../params.ts';
import { ratioBp } from './integer.ts';

/** The repurchase window: the 30 business days ending on (and including) the date. */
export const REPURCHASE_WINDOW_DAYS = 30;

export interface Buyers {
  /** Distinct buyers with a first payment of an order that day. */
  buyers: number;
  /** Of them, buyers whose first-ever first payment is that day. */
  new_buyers: number;
  /** buyers − new_buyers: they had paid an order before that day. */
  returning_buyers: number;
  /**
   * Among buyers with a paid order in the window, the share with ≥ 2 paid orders in it, in basis points,
   * rounded half up; null when nobody paid in the window.
   */
  repurchase_rate_bp: number | null;
}

/**
 * New vs returning buyers and the 30-day repurchase rate (复购率) for the members panel. A paid order is an
 * order's first order.paid (first_paid = 1), so a second payment event of the same order adds nothing; a
 * later cancellation or refund does not undo a purchase. "First-ever" is over all stored history, so an
 * older payment that arrives late turns a "new" buyer into a returning one, as it should.
 *
 * No rollup holds payments per buyer; this reads the first-paid rows of order_events up to the end of the
 * date (see the report of this change for the `buyer_first_paid` / `buyer_paid_day` rollups).
 */
export const membersBuyers = defineMetric({
  id: 'members.buyers',
  description: { 'zh-CN': '新老买家与30天复购率', en: 'New vs returning buyers and 30-day repurchase rate' },
  params: DateParam,
  value: '{"buyers":integer,"new_buyers":integer,"returning_buyers":integer,"repurchase_rate_bp":integer|null}',
  streams: ['order'],
  resolve: withToday,
  async compute({ storage, tz }, { date }): Promise<Buyers> {
    const { fromMs, toMs } = dayRange(date!, tz);
    // Calendar arithmetic in the zone: 29 days before the date's start is the window's first day.
    const windowFromMs = DateTime.fromMillis(fromMs, { zone: tz }).minus({ days: REPURCHASE_WINDOW_DAYS - 1 }).toMillis();
    const rs = await storage.read.query({
      query: `SELECT countIf(day_orders > 0) AS buyers,
                countIf(day_orders > 0 AND first_ms >= {from:Int64}) AS new_buyers,
                countIf(window_orders > 0) AS window_buyers,
                countIf(window_orders >= 2) AS repeaters
              FROM (
                SELECT buyer_id,
                  min(toUnixTimestamp64Milli(ts)) AS first_ms,
                  countIf(ts >= fromUnixTimestamp64Milli({from:Int64}, 'UTC')) AS day_orders,
                  countIf(ts >= fromUnixTimestamp64Milli({wfrom:Int64}, 'UTC')) AS window_orders
                FROM ${storage.db}.order_events
                WHERE type = 'order.paid' AND first_paid = 1 AND ts < fromUnixTimestamp64Milli({to:Int64}, 'UTC')
                GROUP BY buyer_id
              )`,
      query_params: { from: fromMs, to: toMs, wfrom: windowFromMs },
      format: 'JSONEachRow',
    });
    const [row] = await rs.json<{ buyers: string; new_buyers: string; window_buyers: string; repeaters: string }>();
    const buyers = toInt(row?.buyers ?? 0);
    const newBuyers = toInt(row?.new_buyers ?? 0);
    return {
      buyers,
      new_buyers: newBuyers,
      returning_buyers: buyers - newBuyers,
      repurchase_rate_bp: ratioBp(row?.repeaters ?? 0, row?.window_buyers ?? 0),
    };
  },
});

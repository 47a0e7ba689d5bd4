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
 * Reads rollups only, never order_events: payments per buyer come from `buyer_paid_hour` (first payments per
 * UTC hour and buyer) over the window's hour keys, and a day buyer is returning when `buyer_first_paid` holds
 * a row of theirs dated before the day (new otherwise).
 * Day and window bounds are midnights in the business zone; where a zone's offset is not a whole number of
 * hours (e.g. Asia/Kolkata) the hour a bound falls in is read from `paid_orders_by_ts` instead (a short key
 * range), so every bound is exact to the millisecond in every zone.
 */
export const membersBuyers = defineMetric({
  id: 'members.buyers',
  description: { 'zh-CN': '新老买家与30天复购率', en: 'New vs returning buyers and 30-day repurchase rate' },
  params: DateParam,
  value: '{"buyers":integer,"new_buyers":integer,"returning_buyers":integer,"repurchase_rate_bp":integer|null}',
  streams: ['order.paid'],
  resolve: withToday,
  async compute({ storage, tz }, { date }): Promise<Buyers> {
    const { fromMs, toMs } = dayRange(date!, tz);
    // Calendar arithmetic in the zone: 29 days before the date's start is the window's first day.
    const windowFromMs = DateTime.fromMillis(fromMs, { zone: tz }).minus({ days: REPURCHASE_WINDOW_DAYS - 1 }).toMillis();
    const params: Record<string, number> = { from: fromMs };
    const windowRows = paymentRows(storage.db, [[windowFromMs, fromMs], [fromMs, toMs]], 'w', params);
    const dayBuyers = paymentRows(storage.db, [[fromMs, toMs]], 'd', params);
    // A day buyer is returning when buyer_first_paid has any row of theirs before the day (rows merge lazily,
    // so "the min is before" is "some row is before"); PREWHERE reads buyer_id only where first_ts qualifies.
    // The key index is used for the day's buyer set only while it is small: for a set of a million ids the
    // index analysis costs more than the scan it saves.
    const rs = await storage.read.query({
      query: `SELECT countIf(d > 0) AS buyers, count() AS window_buyers, countIf(n >= 2) AS repeaters,
                (SELECT uniqExact(buyer_id) FROM ${storage.db}.buyer_first_paid
                  PREWHERE first_ts < fromUnixTimestamp64Milli({from:Int64}, 'UTC')
                  WHERE buyer_id IN (SELECT buyer_id FROM (${dayBuyers}))) AS returning_buyers
              FROM (
                SELECT buyer_id, sum(orders) AS n, sum(day_orders) AS d FROM (${windowRows}) GROUP BY buyer_id
              )
              SETTINGS use_index_for_in_with_subqueries_max_values = 100000`,
      query_params: params,
      format: 'JSONEachRow',
    });
    const [row] = await rs.json<{ buyers: string; returning_buyers: string; window_buyers: string; repeaters: string }>();
    const buyers = toInt(row?.buyers ?? 0);
    const returning = toInt(row?.returning_buyers ?? 0);
    return {
      buyers,
      new_buyers: buyers - returning,
      returning_buyers: returning,
      repurchase_rate_bp: ratioBp(row?.repeaters ?? 0, row?.window_buyers ?? 0),
    };
  },
});

const HOUR_MS = 3_600_000;

/** [start, end) in epoch ms. */
type Span = readonly [number, number];

/** Adjacent or overlapping spans joined, empty ones dropped (fewer, wider key ranges). */
function joinSpans(spans: Span[]): Span[] {
  const out: [number, number][] = [];
  for (const [a, b] of [...spans].filter(([a, b]) => a < b).sort((x, y) => x[0] - y[0])) {
    const last = out[out.length - 1];
    if (last && a <= last[1]) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

/**
 * SQL rows (buyer_id, orders, day_orders) of the first payments in `spans` (each cut on its own, so a span
 * bound never shares an hour bucket with the next span): whole UTC hours from buyer_paid_hour, the partial
 * hours at span bounds from paid_orders_by_ts. day_orders counts the payments at or after {from:Int64}.
 * Bounds are added to `params` under names starting with `prefix`; only column names and generated
 * placeholders go into the SQL text.
 */
function paymentRows(db: string, spans: Span[], prefix: string, params: Record<string, number>): string {
  const hours: Span[] = [];
  const edges: Span[] = [];
  for (const [a, b] of spans) {
    const ha = Math.ceil(a / HOUR_MS) * HOUR_MS;
    const hb = Math.floor(b / HOUR_MS) * HOUR_MS;
    if (ha < hb) {
      hours.push([ha, hb]);
      edges.push([a, ha], [hb, b]);
    } else {
      edges.push([a, b]);
    }
  }
  const parts: string[] = [];
  const hourSpans = joinSpans(hours);
  if (hourSpans.length > 0) {
    const cond = hourSpans.map(([a, b], i) => {
      params[`${prefix}h${i}a`] = a / 1000;
      params[`${prefix}h${i}b`] = b / 1000;
      return `(hour >= toDateTime({${prefix}h${i}a:UInt32}, 'UTC') AND hour < toDateTime({${prefix}h${i}b:UInt32}, 'UTC'))`;
    });
    parts.push(`SELECT buyer_id, orders, if(toInt64(toUnixTimestamp(hour)) * 1000 >= {from:Int64}, orders, toUInt64(0)) AS day_orders
                FROM ${db}.buyer_paid_hour WHERE ${cond.join(' OR ')}`);
  }
  const edgeSpans = joinSpans(edges);
  if (edgeSpans.length > 0) {
    const cond = edgeSpans.map(([a, b], i) => {
      params[`${prefix}e${i}a`] = a;
      params[`${prefix}e${i}b`] = b;
      return `(ts >= fromUnixTimestamp64Milli({${prefix}e${i}a:Int64}, 'UTC') AND ts < fromUnixTimestamp64Milli({${prefix}e${i}b:Int64}, 'UTC'))`;
    });
    parts.push(`SELECT buyer_id, toUInt64(1) AS orders, toUInt64(toUnixTimestamp64Milli(ts) >= {from:Int64}) AS day_orders
                FROM ${db}.paid_orders_by_ts WHERE ${cond.join(' OR ')}`);
  }
  // A date's spans are never empty (a day is 23 to 25 hours), so there is always at least one part.
  return parts.join(' UNION ALL ');
}

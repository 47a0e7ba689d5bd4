// Day totals of the sales rollups (sales_minute, refunds_minute), shared by the sales and finance metrics.
// Both rollups have UTC minute buckets; a business day of any IANA zone is a whole number of minutes, so
// cutting them with dayParams is exact in every zone.
import { toInt } from '../../plugins/clickhouse.ts';
import type { MetricContext } from '../metric.ts';
import { dayParams } from '../params.ts';
import { rows } from '../query.ts';

const DAY_FILTER = `minute >= toDateTime({from:UInt32}, 'UTC') AND minute < toDateTime({to:UInt32}, 'UTC')`;

export interface SalesDayTotals {
  gmv_fen: number;
  orders: number;
}

/** GMV and paid orders of a business date in one query. */
export async function salesDayTotals(ctx: MetricContext, date: string): Promise<SalesDayTotals> {
  const [row] = await rows<{ g: string; n: string }>(
    ctx,
    `SELECT sum(gmv_fen) AS g, sum(orders) AS n FROM ${ctx.storage.db}.sales_minute WHERE ${DAY_FILTER}`,
    dayParams(date, ctx.tz),
  );
  return { gmv_fen: toInt(row?.g ?? 0), orders: toInt(row?.n ?? 0) };
}

/** One of the day totals (sales.gmv, sales.paid_orders). */
export async function sumSalesDay(ctx: MetricContext, date: string, column: keyof SalesDayTotals): Promise<number> {
  return (await salesDayTotals(ctx, date))[column];
}

export interface SalesSplit {
  key: string;
  gmv_fen: number;
  orders: number;
}

/**
 * GMV and paid orders of a business date split by channel or province, by GMV descending (ties by key, so
 * the order on a screen never flickers); keys without a paid order are left out.
 */
export async function splitSalesDay(ctx: MetricContext, date: string, by: 'channel' | 'province'): Promise<SalesSplit[]> {
  // `by` is one of two column names of a closed union, never user text; values go in as query parameters.
  const list = await rows<{ k: string; g: string; n: string }>(
    ctx,
    `SELECT toString(${by}) AS k, sum(gmv_fen) AS g, sum(orders) AS n FROM ${ctx.storage.db}.sales_minute
     WHERE ${DAY_FILTER} GROUP BY k HAVING n > 0 ORDER BY g DESC, k`,
    dayParams(date, ctx.tz),
  );
  return list.map((r) => ({ key: r.k, gmv_fen: toInt(r.g), orders: toInt(r.n) }));
}

export interface RefundsDay {
  refund_fen: number;
  refunded_orders: number;
}

/** Refunds dated on a business date by their own ts; refunded_orders counts distinct orders (exact). */
export async function refundsDay(ctx: MetricContext, date: string): Promise<RefundsDay> {
  const [row] = await rows<{ f: string; n: string }>(
    ctx,
    `SELECT sum(refund_fen) AS f, uniqExactMerge(orders) AS n FROM ${ctx.storage.db}.refunds_minute WHERE ${DAY_FILTER}`,
    dayParams(date, ctx.tz),
  );
  return { refund_fen: toInt(row?.f ?? 0), refunded_orders: toInt(row?.n ?? 0) };
}

/**
 * Business-day filter on sales_line_hour (UTC hour buckets; bind `dayParams`). Exact where the zone's offset
 * is a whole number of hours, as Asia/Shanghai's is; in a :30/:45 zone (e.g. Asia/Kolkata) the hour that
 * straddles midnight counts for the earlier day, which would need a per-minute line rollup to fix.
 */
export const LINE_HOUR_DAY = `hour >= toDateTime({from:UInt32}, 'UTC') AND hour < toDateTime({to:UInt32}, 'UTC')`;

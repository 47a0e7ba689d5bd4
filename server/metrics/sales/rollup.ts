// Day totals of the per-minute sales rollup, shared by the sales KPIs.
import { toInt } from '../../plugins/clickhouse.ts';
import type { MetricContext } from '../metric.ts';
import { dayParams } from '../params.ts';

/** Sum of one rollup column over a business date. */
export async function sumSalesDay({ storage, tz }: MetricContext, date: string, column: 'gmv_fen' | 'orders'): Promise<number> {
  const rs = await storage.read.query({
    query: `SELECT sum(${column}) AS v FROM ${storage.db}.sales_minute
            WHERE minute >= toDateTime({from:UInt32}, 'UTC') AND minute < toDateTime({to:UInt32}, 'UTC')`,
    query_params: dayParams(date, tz),
    format: 'JSONEachRow',
  });
  const [row] = await rs.json<{ v: string }>();
  return toInt(row?.v ?? 0);
}

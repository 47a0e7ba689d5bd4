// One typed way for every metric to run a query: on the read connection, values only ever as typed
// query parameters, rows as JSON objects (64-bit integers arrive as strings; convert with toInt).
import type { MetricContext } from './metric.ts';

export async function rows<T>(ctx: Pick<MetricContext, 'storage'>, query: string, params: Record<string, unknown> = {}): Promise<T[]> {
  const rs = await ctx.storage.read.query({ query, query_params: params, format: 'JSONEachRow' });
  return rs.json<T>();
}

/** SQL for an instant given as an Int64 epoch-ms query parameter, comparable with DateTime64(3, 'UTC'). */
export function msParam(name: string): string {
  return `fromUnixTimestamp64Milli({${name}:Int64}, 'UTC')`;
}

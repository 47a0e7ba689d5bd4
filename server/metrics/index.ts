// The metric registry: id → declaration. Adding a metric = one file + one line here + its test.
import type { MetricDef } from './metric.ts';
import { salesGmv } from './sales-gmv.ts';
import { salesOrdersPerMinute } from './sales-orders-per-minute.ts';
import { salesPaidOrders } from './sales-paid-orders.ts';

export const METRICS: ReadonlyMap<string, MetricDef> = new Map(
  ([salesGmv, salesPaidOrders, salesOrdersPerMinute] as MetricDef[]).map((m) => [m.id, m]),
);

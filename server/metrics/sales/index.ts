// Sales, finance and member metrics.
import type { MetricDef } from '../metric.ts';
import { salesGmv } from './gmv.ts';
import { salesOrdersPerMinute } from './orders-per-minute.ts';
import { salesPaidOrders } from './paid-orders.ts';

export const SALES_METRICS: readonly MetricDef[] = [salesGmv, salesPaidOrders, salesOrdersPerMinute] as MetricDef[];

// The metric registry: id → declaration. Adding a metric = one file + one line in its group's index + a test.
import type { MetricDef } from './metric.ts';
import { OPS_METRICS } from './ops/index.ts';
import { SALES_METRICS } from './sales/index.ts';

export const METRICS: ReadonlyMap<string, MetricDef> = new Map([...SALES_METRICS, ...OPS_METRICS].map((m) => [m.id, m]));
if (METRICS.size !== SALES_METRICS.length + OPS_METRICS.length) throw new Error('two metrics share an id');

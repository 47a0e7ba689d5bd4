// Operations metrics: prescriptions, warehouse and stock, traceability, cold chain, live rooms, alerts.
import type { MetricDef } from '../metric.ts';

export const OPS_METRICS: readonly MetricDef[] = [] as MetricDef[];

// Operations metrics: prescriptions, warehouse and stock, traceability, cold chain, live rooms, alerts.
import type { MetricDef } from '../metric.ts';
import { alertsOpen } from './alerts-open.ts';
import { complianceLicenceExpiry } from './compliance-licence-expiry.ts';
import { inventoryStock } from './inventory-stock.ts';
import { liveRooms } from './live-rooms.ts';
import { rxFunnel } from './rx-funnel.ts';
import { rxPendingQueue } from './rx-pending-queue.ts';
import { rxReviewTime } from './rx-review-time.ts';
import { sensorsColdChain } from './sensors-cold-chain.ts';
import { traceCoverage } from './trace-coverage.ts';
import { warehouseBacklog } from './warehouse-backlog.ts';
import { warehouseNearExpiry } from './warehouse-near-expiry.ts';
import { warehousePicksPerHour } from './warehouse-picks-per-hour.ts';
import { warehouseStockValue } from './warehouse-stock-value.ts';
import { warehouseStockoutRisk } from './warehouse-stockout-risk.ts';

export const OPS_METRICS: readonly MetricDef[] = [
  complianceLicenceExpiry,
  rxFunnel,
  rxReviewTime,
  rxPendingQueue,
  inventoryStock,
  warehouseBacklog,
  warehousePicksPerHour,
  warehouseStockValue,
  warehouseNearExpiry,
  warehouseStockoutRisk,
  sensorsColdChain,
  traceCoverage,
  liveRooms,
  alertsOpen,
] as MetricDef[];

// Sales, finance and member metrics: one file per metric, registered here.
import type { MetricDef } from '../metric.ts';
import { salesAov } from './aov.ts';
import { financeCashAwaitingSettlement } from './finance-cash-awaiting-settlement.ts';
import { financeCommission } from './finance-commission.ts';
import { financeGrossMargin } from './finance-gross-margin.ts';
import { financeNetRevenue } from './finance-net-revenue.ts';
import { financeRefundRate } from './finance-refund-rate.ts';
import { salesGmvByCategory } from './gmv-by-category.ts';
import { salesGmvByChannel } from './gmv-by-channel.ts';
import { salesGmvByProvince } from './gmv-by-province.ts';
import { salesGmvVsTarget } from './gmv-vs-target.ts';
import { salesGmv } from './gmv.ts';
import { salesLatestOrders } from './latest-orders.ts';
import { membersBuyers } from './members-buyers.ts';
import { salesOrdersPerMinuteCompare } from './orders-per-minute-compare.ts';
import { salesOrdersPerMinute } from './orders-per-minute.ts';
import { salesPaidOrders } from './paid-orders.ts';
import { salesRefunds } from './refunds.ts';
import { salesTopSkus } from './top-skus.ts';

export const SALES_METRICS: readonly MetricDef[] = [
  // Sales (CONTRACT core first).
  salesGmv,
  salesPaidOrders,
  salesOrdersPerMinute,
  salesGmvByChannel,
  salesGmvByProvince,
  salesTopSkus,
  salesRefunds,
  salesAov,
  salesOrdersPerMinuteCompare,
  salesGmvVsTarget,
  salesGmvByCategory,
  salesLatestOrders,
  // Finance.
  financeNetRevenue,
  financeGrossMargin,
  financeCommission,
  financeRefundRate,
  financeCashAwaitingSettlement,
  // Members.
  membersBuyers,
] as MetricDef[];

import { Type } from 'typebox';
import { toInt } from '../../plugins/clickhouse.ts';
import { defineMetric } from '../metric.ts';
import { DateParam, dayParams, withToday } from '../params.ts';
import { ratioBp } from './integer.ts';
import { LINE_HOUR_DAY } from './rollup.ts';

export const MARGIN_BY = ['channel', 'category', 'campaign'] as const;

const Params = Type.Object(
  {
    ...DateParam.properties,
    by: Type.Optional(Type.Enum([...MARGIN_BY], { default: 'channel', description: 'split by channel, category or campaign; default channel' })),
  },
  { additionalProperties: false },
);

export interface MarginRow {
  /** The channel, the category (`unknown` for SKUs without reference data) or the campaign ('' = none). */
  key: string;
  /** Line value of first payments whose SKU cost is known. */
  revenue_fen: number;
  /** Σ qty × cost_fen of those lines, at the cost known at read time. */
  cogs_fen: number;
  margin_fen: number;
  /** margin / revenue in basis points, rounded half up (half away from zero when negative); null when revenue is 0. */
  margin_bp: number | null;
  /** Units on lines of SKUs with no reference data: cost unknown, so left out of revenue, COGS and margin. */
  unknown_cost_qty: number;
  /** Line value of those lines, so revenue_fen + unknown_cost_revenue_fen is the whole line value of the key. */
  unknown_cost_revenue_fen: number;
}

/**
 * Gross margin of a business day by channel, category or campaign. Revenue is the line value of first
 * payments (qty × unit_price_fen − discount_fen), COGS is qty × cost_fen from ref_skus as known at read time.
 * A line of a SKU that reference data has not described has no cost: counting its revenue against zero cost
 * would overstate the margin, so such lines are kept apart in unknown_cost_qty / unknown_cost_revenue_fen and
 * left out of revenue_fen, cogs_fen and margin until the SKU's reference arrives (then the metric is
 * recomputed: it listens to `ref.skus`). Rows by revenue_fen desc, ties by key.
 */
export const financeGrossMargin = defineMetric({
  id: 'finance.gross_margin',
  description: { 'zh-CN': '毛利（按渠道、品类或活动）', en: 'Gross margin by channel, category or campaign' },
  params: Params,
  value:
    '[{"key","revenue_fen":integer,"cogs_fen":integer,"margin_fen":integer,"margin_bp":integer|null,' +
    '"unknown_cost_qty":integer,"unknown_cost_revenue_fen":integer}] by revenue_fen desc',
  streams: ['order', 'ref.skus'],
  resolve: (raw, ctx) => ({ ...withToday(raw, ctx), by: raw.by ?? 'channel' }),
  async compute({ storage, tz }, { date, by }): Promise<MarginRow[]> {
    // `by` is a query parameter too: one SQL text for the three splits, no identifier spliced in.
    // Unmatched right rows have sku_id '' (no join_use_nulls): a real sku_id is never empty.
    const rs = await storage.read.query({
      query: `WITH r.sku_id != '' AS known
              SELECT multiIf({by:String} = 'channel', toString(l.channel), {by:String} = 'campaign', l.campaign,
                       known, toString(r.category), 'unknown') AS k,
                sumIf(l.g, known) AS revenue, sumIf(toInt64(l.q) * r.cost_fen, known) AS cogs,
                sumIf(l.q, NOT known) AS unknown_qty, sumIf(l.g, NOT known) AS unknown_revenue
              FROM (
                SELECT sku_id, channel, campaign, sum(qty) AS q, sum(gmv_fen) AS g FROM ${storage.db}.sales_line_hour
                WHERE ${LINE_HOUR_DAY} GROUP BY sku_id, channel, campaign
              ) AS l
              LEFT JOIN (SELECT sku_id, category, cost_fen FROM ${storage.db}.ref_skus FINAL) AS r ON r.sku_id = l.sku_id
              GROUP BY k ORDER BY revenue DESC, k`,
      query_params: { ...dayParams(date!, tz), by: by! },
      format: 'JSONEachRow',
    });
    const rows = await rs.json<{ k: string; revenue: string; cogs: string; unknown_qty: string; unknown_revenue: string }>();
    return rows.map((r) => {
      const revenue = toInt(r.revenue);
      const cogs = toInt(r.cogs);
      return {
        key: r.k,
        revenue_fen: revenue,
        cogs_fen: cogs,
        margin_fen: revenue - cogs,
        margin_bp: ratioBp(revenue - cogs, revenue),
        unknown_cost_qty: toInt(r.unknown_qty),
        unknown_cost_revenue_fen: toInt(r.unknown_revenue),
      };
    });
  },
});

// Daily rules, run at start, at the business day's rollover, and within seconds of a change to what they read:
// NEAR_EXPIRY_STOCK, STOCKOUT_RISK, LICENCE_EXPIRY. Evidence of a daily rule names the reference row and the
// business day it was found on (`ref:batches/B123`, `day:2026-11-11`): there is no single event to point at.
import { Type } from 'typebox';
import { RULE_LABELS } from '../../widgets/labels.ts';
import { DateTime } from 'luxon';
import { toInt } from '../plugins/clickhouse.ts';
import { rows } from '../metrics/query.ts';
import { businessDate } from '../time.ts';
import { dailyRule, type Hit, type Severity } from './rule.ts';

const int = (description: string, dflt: number, max = 3650) => Type.Integer({ minimum: 1, maximum: max, default: dflt, description });

/** Batches in stock (any warehouse) whose expiry date is today or within `windowDays`; entity: the batch. */
export const nearExpiryStock = dailyRule({
  id: 'NEAR_EXPIRY_STOCK',
  kind: 'daily',
  severity: 'minor',
  title: RULE_LABELS.NEAR_EXPIRY_STOCK,
  params: Type.Object({ windowDays: int('days before expiry a batch in stock counts as near-expiry', 180) }, { additionalProperties: false }),
  triggers: ['inventory', 'ref.batches', 'ref.skus'],
  minIntervalMs: 10_000,
  async evaluate(ctx, p) {
    const today = businessDate(ctx.clock.now(), ctx.tz);
    const db = ctx.storage.db;
    const list = await rows<{ batch_no: string; sku_id: string; expiry: string; days_left: string; qty: string; value_fen: string }>(
      ctx,
      `SELECT s.batch_no AS batch_no, any(s.sku_id) AS sku_id, toString(any(b.expiry_date)) AS expiry,
              dateDiff('day', {today:Date32}, any(b.expiry_date)) AS days_left, sum(s.qty) AS qty,
              sum(s.qty * c.cost_fen) AS value_fen
       FROM (SELECT warehouse_id, sku_id, batch_no, sum(qty) AS qty FROM ${db}.stock_batch
             GROUP BY warehouse_id, sku_id, batch_no HAVING qty > 0) AS s
       INNER JOIN (SELECT batch_no, expiry_date FROM ${db}.ref_batches FINAL) AS b ON b.batch_no = s.batch_no
       LEFT ANY JOIN (SELECT sku_id, cost_fen FROM ${db}.ref_skus FINAL) AS c ON c.sku_id = s.sku_id
       WHERE b.expiry_date >= {today:Date32} AND b.expiry_date < addDays({today:Date32}, {days:Int32})
       GROUP BY s.batch_no`,
      { today, days: p.windowDays },
    );
    return list.map((r): Hit => ({
      entity: `batch:${r.batch_no}`,
      evidence: [`ref:batches/${r.batch_no}`, `day:${today}`],
      atMs: ctx.clock.now(),
      detail: { sku_id: r.sku_id, expiry_date: r.expiry, days_left: toInt(r.days_left), qty: toInt(r.qty), value_fen: toInt(r.value_fen) },
    }));
  },
});

/**
 * Among the `topSkus` best sellers of the last `windowHours`, those whose stock on hand (all warehouses)
 * covers fewer than `thresholdDays` days at that sell rate. The rate is the window's sales over the hours
 * it really covers, but never fewer than `minSpanHours` (the first hours of a day, or of a midnight burst,
 * would otherwise extrapolate wildly). Entity: the SKU.
 */
export const stockoutRisk = dailyRule({
  id: 'STOCKOUT_RISK',
  kind: 'daily',
  severity: 'minor',
  title: RULE_LABELS.STOCKOUT_RISK,
  params: Type.Object(
    {
      topSkus: int('best sellers watched', 20, 1000),
      thresholdDays: int('days of cover below which a SKU is at risk', 5, 365),
      windowHours: int('hours of sales behind the sell rate', 24, 24 * 30),
      minSpanHours: int('fewest hours the sell rate is spread over', 6, 24 * 30),
    },
    { additionalProperties: false },
  ),
  triggers: ['order.paid', 'inventory', 'ref.skus'],
  minIntervalMs: 60_000,
  async evaluate(ctx, p) {
    const now = ctx.clock.now();
    const db = ctx.storage.db;
    const from = Math.floor((now - p.windowHours * 3_600_000) / 3_600_000) * 3600;
    const list = await rows<{ sku_id: string; sold: string; span_h: string; on_hand: string }>(
      ctx,
      `SELECT l.sku_id AS sku_id, l.sold AS sold, l.span_h AS span_h, st.on_hand AS on_hand
       FROM (SELECT sku_id, sum(qty) AS sold, dateDiff('hour', min(hour), toDateTime({now:UInt32}, 'UTC')) + 1 AS span_h
             FROM ${db}.sales_line_hour WHERE hour >= toDateTime({from:UInt32}, 'UTC')
             GROUP BY sku_id HAVING sold > 0 ORDER BY sold DESC, sku_id LIMIT {top:UInt32}) AS l
       LEFT ANY JOIN (SELECT sku_id, sum(qty) AS on_hand FROM ${db}.stock_batch GROUP BY sku_id) AS st ON st.sku_id = l.sku_id`,
      { now: Math.floor(now / 1000), from, top: p.topSkus },
    );
    const hits: Hit[] = [];
    const today = businessDate(now, ctx.tz);
    for (const r of list) {
      const perDay = (toInt(r.sold) * 24) / Math.max(toInt(r.span_h), p.minSpanHours);
      const onHand = Math.max(0, toInt(r.on_hand));
      const cover = onHand / perDay;
      if (cover >= p.thresholdDays) continue;
      hits.push({
        entity: `sku:${r.sku_id}`,
        evidence: [`ref:skus/${r.sku_id}`, `day:${today}`],
        atMs: now,
        detail: { on_hand: onHand, sold_per_day: Math.round(perDay), days_of_cover: Math.round(cover * 10) / 10 },
      });
    }
    return hits;
  },
});

/**
 * A shop whose 药品经营许可证 (licence) or GSP certificate expires within `warnDays` (major), or within
 * `criticalDays` or already expired (critical). Entity: the shop; severity rises as the date nears.
 */
export const licenceExpiry = dailyRule({
  id: 'LICENCE_EXPIRY',
  kind: 'daily',
  severity: 'major',
  title: RULE_LABELS.LICENCE_EXPIRY,
  params: Type.Object(
    { warnDays: int('days before expiry a document alerts', 90), criticalDays: int('days before expiry the alert becomes critical', 7) },
    { additionalProperties: false },
  ),
  triggers: ['ref.shops'],
  minIntervalMs: 1_000,
  async evaluate(ctx, p) {
    const today = businessDate(ctx.clock.now(), ctx.tz);
    const list = await rows<{ shop_id: string; document: string; expires_on: string; days_left: string }>(
      ctx,
      `SELECT shop_id, d.1 AS document, toString(d.2) AS expires_on, dateDiff('day', {today:Date32}, d.2) AS days_left
       FROM (SELECT shop_id, licence_expires, gsp_expires FROM ${ctx.storage.db}.ref_shops FINAL)
       ARRAY JOIN [('licence', licence_expires), ('gsp', gsp_expires)] AS d
       WHERE d.2 <= addDays({today:Date32}, {days:Int32})
       ORDER BY shop_id, d.2`,
      { today, days: p.warnDays },
    );
    const byShop = new Map<string, { document: string; expires_on: string; days_left: number }>();
    for (const r of list) if (!byShop.has(r.shop_id)) byShop.set(r.shop_id, { document: r.document, expires_on: r.expires_on, days_left: toInt(r.days_left) });
    return [...byShop].map(([shop, d]): Hit => ({
      entity: `shop:${shop}`,
      evidence: [`ref:shops/${shop}`, `day:${today}`],
      atMs: ctx.clock.now(),
      severity: (d.days_left <= p.criticalDays ? 'critical' : 'major') as Severity,
      detail: d,
    }));
  },
});

/** Epoch ms of the next business midnight after `nowMs`. */
export function nextMidnight(nowMs: number, tz: string): number {
  return DateTime.fromMillis(nowMs, { zone: tz }).startOf('day').plus({ days: 1 }).toMillis();
}

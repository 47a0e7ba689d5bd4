// CONTRACT `alerts.open`: the alerts still needing attention, newest activity first.
import { Type } from 'typebox';
import { toInt } from '../../plugins/clickhouse.ts';
import { toBusinessIso } from '../../time.ts';
import { defineMetric } from '../metric.ts';
import { rows } from './common.ts';

export interface OpenAlert {
  alert_id: string;
  rule: string;
  severity: string;
  entity: string;
  first_seen: string;
  last_seen: string;
  state: 'open' | 'acknowledged';
  /** Event ids (or reference rows) behind it; the ids themselves are in GET /api/v1/alerts/{id}. */
  evidence_count: number;
  /** Facts a wall may show: value at risk, days left, °C… (never buyer or prescription data). */
  detail: Record<string, unknown>;
}

/** A wall shows a few dozen; the cap only protects the push pipeline if a rule floods (alerts API has all). */
export const MAX_OPEN_ALERTS = 1_000;

/**
 * The latest version of each alert (ReplacingMergeTree read with FINAL, so a resolved alert whose older
 * "open" row is not merged away yet does not come back), state open or acknowledged, by last_seen desc
 * then alert_id. Times are RFC 3339 in the business zone.
 */
export const alertsOpen = defineMetric({
  id: 'alerts.open',
  description: { 'zh-CN': '未关闭的预警（未处理与已确认）', en: 'Open and acknowledged alerts, latest activity first' },
  params: Type.Object({}, { additionalProperties: false }),
  value: '[{"alert_id","rule","severity","entity","first_seen","last_seen","state":"open|acknowledged","evidence_count","detail"}]',
  streams: ['alerts'],
  // The alert store writes `alerts` itself, after the rules ran: the projection has nothing to do with it.
  projected: false,
  resolve: (raw) => raw,
  async compute(ctx): Promise<OpenAlert[]> {
    const list = await rows<{ alert_id: string; rule: string; severity: string; entity: string; first_ms: string; last_ms: string; state: 'open' | 'acknowledged'; evidence_count: string; detail: string }>(
      ctx,
      `SELECT alert_id, rule, severity, entity, toUnixTimestamp64Milli(first_seen) AS first_ms,
              toUnixTimestamp64Milli(last_seen) AS last_ms, state, evidence_count, detail
       FROM (SELECT * FROM ${ctx.storage.db}.alerts FINAL)
       WHERE state IN ('open', 'acknowledged')
       ORDER BY last_seen DESC, alert_id
       LIMIT {max:UInt32}`,
      { max: MAX_OPEN_ALERTS },
    );
    return list.map((r) => ({
      alert_id: r.alert_id,
      rule: r.rule,
      severity: r.severity,
      entity: r.entity,
      first_seen: toBusinessIso(toInt(r.first_ms), ctx.tz),
      last_seen: toBusinessIso(toInt(r.last_ms), ctx.tz),
      state: r.state,
      evidence_count: toInt(r.evidence_count),
      detail: r.detail ? (JSON.parse(r.detail) as Record<string, unknown>) : {},
    }));
  },
});

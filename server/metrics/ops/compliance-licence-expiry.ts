// compliance.licence_expiry: shop licences (药品经营许可证) and GSP certificates expiring soon, or expired.
import { Type } from 'typebox';
import { toInt } from '../../plugins/clickhouse.ts';
import { businessDate } from '../../time.ts';
import { defineMetric } from '../metric.ts';
import { intParam, rows, withDefaults } from './common.ts';

const Params = Type.Object({ days: intParam(90, 3650, 'look-ahead window in days') }, { additionalProperties: false });

export interface LicenceExpiry {
  /** `{shop_id}:licence` or `{shop_id}:gsp`. */
  id: string;
  shop_id: string;
  name: string;
  channel: string;
  document: 'licence' | 'gsp';
  expires_on: string;
  /** expires_on − today in TZ_BUSINESS: 0 expires today, negative has expired. */
  days_left: number;
}

/**
 * Both documents of every shop in ref_shops whose expiry date is before today + `days` (TZ_BUSINESS, so
 * the countdown moves at local midnight: minute tick), soonest first; expired ones stay listed (first).
 */
export const complianceLicenceExpiry = defineMetric({
  id: 'compliance.licence_expiry',
  description: { 'zh-CN': '证照到期倒计时（药品经营许可证、GSP证书）', en: 'Licence and GSP certificate expiry countdown' },
  params: Params,
  value: '[{"id","shop_id","name","channel","document":"licence|gsp","expires_on":"YYYY-MM-DD","days_left":integer}] soonest first',
  streams: ['ref.shops'],
  tick: 'minute',
  resolve: withDefaults(Params),
  async compute(ctx, { days }): Promise<LicenceExpiry[]> {
    const list = await rows<{ shop_id: string; name: string; channel: string; document: 'licence' | 'gsp'; expires_on: string; days_left: string }>(
      ctx,
      `SELECT shop_id, name, toString(channel) AS channel, d.1 AS document, toString(d.2) AS expires_on,
              dateDiff('day', {today:Date32}, d.2) AS days_left
       FROM (SELECT shop_id, name, channel, licence_expires, gsp_expires FROM ${ctx.storage.db}.ref_shops FINAL)
       ARRAY JOIN [('licence', licence_expires), ('gsp', gsp_expires)] AS d
       WHERE d.2 < addDays({today:Date32}, {days:Int32})
       ORDER BY d.2, shop_id, document`,
      { today: businessDate(ctx.clock.now(), ctx.tz), days: days! },
    );
    return list.map((r) => ({ id: `${r.shop_id}:${r.document}`, shop_id: r.shop_id, name: r.name, channel: r.channel, document: r.document, expires_on: r.expires_on, days_left: toInt(r.days_left) }));
  },
});

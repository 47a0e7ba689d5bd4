// compliance.licence_expiry against dates written by hand: both documents of each shop, the window, expired
// ones first, and the countdown moving at midnight in Shanghai (not UTC).
import { describe, expect, it } from 'vitest';
import { fixedClock, getJson, putReference, useServer } from '../../helpers/server.ts';

const clock = fixedClock('2026-11-25T23:30:00+08:00'); // 15:30 UTC: the UTC date is the same, Shanghai's too
const server = useServer({ clock });

const shop = (shop_id: string, licence_expires: string, gsp_expires: string) => ({ shop_id, channel: 'tmall', name: `店${shop_id}`, licence_no: `L-${shop_id}`, licence_expires, gsp_expires });

describe('compliance.licence_expiry', () => {
  it('lists documents expiring within the window, soonest first, with days left in the business zone', async () => {
    const put = await putReference(server().url, 'shops', [
      shop('a', '2026-12-02', '2027-06-01'), // licence in 7 days; GSP far away
      shop('b', '2026-11-20', '2026-11-25'), // licence expired 5 days ago; GSP expires today
      shop('c', '2027-02-23', '2027-02-24'), // 90 days: outside (the window is < 90 days), 91 days: outside
    ]);
    expect(put.status).toBe(200);
    const r = await getJson(server().url, '/api/v1/metrics/compliance.licence_expiry');
    expect(r.body.params).toEqual({ days: 90 });
    expect(r.body.value).toEqual([
      { id: 'b:licence', shop_id: 'b', name: '店b', channel: 'tmall', document: 'licence', expires_on: '2026-11-20', days_left: -5 },
      { id: 'b:gsp', shop_id: 'b', name: '店b', channel: 'tmall', document: 'gsp', expires_on: '2026-11-25', days_left: 0 },
      { id: 'a:licence', shop_id: 'a', name: '店a', channel: 'tmall', document: 'licence', expires_on: '2026-12-02', days_left: 7 },
    ]);
    expect((await getJson(server().url, '/api/v1/metrics/compliance.licence_expiry?days=91')).body.value.map((x: { id: string }) => x.id)).toContain('c:licence');
    // 00:30 in Shanghai is still the 25th in UTC: the countdown follows Shanghai.
    clock.set('2026-11-26T00:30:00+08:00');
    const next = await getJson(server().url, '/api/v1/metrics/compliance.licence_expiry');
    expect(next.body.value.find((x: { id: string }) => x.id === 'a:licence').days_left).toBe(6);
  });
});

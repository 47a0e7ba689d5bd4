// Day rollover on a screen left open: the server's clock runs in real time from 23:59:50 in Shanghai, and the
// screen runtime (LiveMetrics in Node, real socket.io, real chDB) watches "today" metrics across midnight.
// Nothing re-subscribes: the hub moves every "today" subscription to the new day by itself.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiveMetrics } from '../../screens/runtime/live-metrics.ts';
import type { MinutePoint } from '../../server/metrics/sales/orders-per-minute.ts';
import type { Clock } from '../../server/time.ts';
import { paid } from '../helpers/events.ts';
import { ADMIN, getJson, postEvents, removeDir, startServer, type Running } from '../helpers/server.ts';

const START = Date.parse('2026-11-24T23:59:50+08:00');
const MIDNIGHT = Date.parse('2026-11-25T00:00:00+08:00');
const offset = START - Date.now();
const clock: Clock = { now: () => Date.now() + offset };

let s: Running;
let l: LiveMetrics;

async function until(cond: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

beforeAll(async () => {
  s = await startServer({ clock });
});
afterAll(async () => {
  l?.close();
  await s?.close();
  if (s) removeDir(s.dataDir);
});

describe('day rollover at 00:00 in TZ_BUSINESS', () => {
  it('moves GMV, the minute line and the comparison to the new day without a reload', async () => {
    // Three orders in the last seconds of the 24th.
    const before = [1_100, 2_200, 3_300].map((fen, i) => paid({ ts: clock.now() - 1_000 + i * 100, paid_fen: fen }));
    expect((await postEvents(s.url, before)).status).toBe(200);

    l = new LiveMetrics(s.url, ADMIN);
    const gmv = l.watch('gmv', 'sales.gmv');
    const opm = l.watch('opm', 'sales.orders_per_minute');
    const cmp = l.watch('cmp', 'sales.orders_per_minute_compare');
    await until(() => gmv.value === 6_600 && cmp.seq > 0 && opm.seq > 0, 'the evening values');
    expect(clock.now()).toBeLessThan(MIDNIGHT); // the checks above ran on the 24th
    expect((opm.value as MinutePoint[]).at(-1)).toEqual({ minute: '23:59', orders: 3 });

    // Past midnight: GMV starts from 0, the line starts over, yesterday is the comparison line.
    await until(() => clock.now() >= MIDNIGHT && gmv.value === 0, 'GMV to go to 0 after midnight');
    await until(() => (opm.value as MinutePoint[]).length === 1, 'the minute line to start over');
    expect(opm.value).toEqual([{ minute: '00:00', orders: 0 }]);
    await until(() => (cmp.value as { today: MinutePoint[] }).today.length === 1, 'the comparison to move');
    const compare = cmp.value as { today: MinutePoint[]; yesterday: MinutePoint[] };
    expect(compare.yesterday).toHaveLength(1_440);
    expect(compare.yesterday.at(-1)).toEqual({ minute: '23:59', orders: 3 });
    expect(compare.today).toEqual([{ minute: '00:00', orders: 0 }]);

    // The first order of the 25th counts on the new day only, and the screen agrees with the read API.
    expect((await postEvents(s.url, [paid({ ts: clock.now(), paid_fen: 4_400 })])).status).toBe(200);
    await until(() => gmv.value === 4_400, 'the first GMV of the new day');
    const api = await getJson(s.url, '/api/v1/metrics/sales.gmv');
    expect(api.body).toMatchObject({ value: 4_400, params: { date: '2026-11-25' } });
    const yesterday = await getJson(s.url, '/api/v1/metrics/sales.gmv?date=2026-11-24');
    expect(yesterday.body.value).toBe(6_600);
    expect(l.gaps).toBe(0);
  });
});

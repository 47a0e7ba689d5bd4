// A war-room screen left open across midnight in Chromium: the server's clock runs in real time from
// 23:59:35 Shanghai, the display machine is in UTC (its own midnight is 8 hours away). At 00:00 Shanghai the
// screen must show the new day by itself: GMV 0, the minute line starting over, the clock on the 25th.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../../server/time.ts';
import { launchChromium, outputPath, watchErrors } from '../helpers/browser.ts';
import { paid } from '../helpers/events.ts';
import { ADMIN, getJson, postEvents, removeDir, startServer, type Running } from '../helpers/server.ts';

// 25 s before midnight: the page must load and draw its first values before the day ends, also on a busy machine.
const START = Date.parse('2026-11-24T23:59:35+08:00');
const MIDNIGHT = Date.parse('2026-11-25T00:00:00+08:00');
let offset = 0;
const clock: Clock = { now: () => Date.now() + offset };

let s: Running;
let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
  // Set before the server starts: it schedules its minute ticks from this clock.
  offset = START - Date.now();
  s = await startServer({ clock });
});
afterAll(async () => {
  await browser?.close();
  await s?.close();
  if (s) removeDir(s.dataDir);
});

describe('war-room screen across midnight', () => {
  it('switches to the new business day without a reload', async () => {
    const evening = [2_000, 3_000].map((fen, i) => paid({ ts: clock.now() - 2_000 + i * 500, paid_fen: fen }));
    expect((await postEvents(s.url, evening)).status).toBe(200);
    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 }, timezoneId: 'UTC' });
    const errors = watchErrors(page);
    await page.goto(`${s.url}/screens/war-room?token=${ADMIN}`);
    const gmv = page.locator('[data-widget=gmv] rx-kpi');
    const line = page.locator('[data-widget=orders-per-minute] rx-line');
    await expect.poll(() => gmv.getAttribute('data-value'), { timeout: 10_000 }).toBe('5000');
    await expect.poll(() => line.getAttribute('data-last'), { timeout: 10_000 }).toBe('23:59');
    expect(await line.getAttribute('data-points')).toBe('1440');
    expect(clock.now()).toBeLessThan(MIDNIGHT);

    await expect.poll(() => gmv.getAttribute('data-value'), { timeout: 35_000 }).toBe('0');
    await expect.poll(() => line.getAttribute('data-points'), { timeout: 5_000 }).toBe('1');
    expect(await line.getAttribute('data-last')).toBe('00:00');
    expect(clock.now()).toBeGreaterThanOrEqual(MIDNIGHT);
    // The screen's clock is the server's (from its heartbeats), in Shanghai time, not the UTC wall PC's.
    await expect.poll(() => page.locator('time.clock').innerText(), { timeout: 7_000 }).toMatch(/^2026\/11\/25 00:00:\d\d$/);

    // The first order of the new day shows, equal to the read API.
    expect((await postEvents(s.url, [paid({ ts: clock.now(), paid_fen: 7_000 })])).status).toBe(200);
    await expect.poll(() => gmv.getAttribute('data-value'), { timeout: 5_000 }).toBe('7000');
    expect((await getJson(s.url, '/api/v1/metrics/sales.gmv')).body).toMatchObject({ value: 7_000, params: { date: '2026-11-25' } });
    await page.screenshot({ path: outputPath('war-room-after-midnight.png') });
    expect(errors).toEqual([]);
  }, 90_000);
});

// The whole pipe on real parts: events posted over HTTP → chDB → metric → socket.io → Lit/G2 in Chromium.
// Needs the built screens (`npm test` builds them first).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, getJson, postEvents, removeDir, startServer, type Running } from '../helpers/server.ts';
import { launchChromium, outputPath, watchErrors } from '../helpers/browser.ts';
import { paid } from '../helpers/events.ts';

let s: Running;
let browser: Browser;
let page: Page;
let errors: string[];

const gmvText = () => page.locator('[data-widget=gmv] rx-kpi').getAttribute('data-value');
const ordersText = () => page.locator('[data-widget=paid-orders] rx-kpi').getAttribute('data-value');

beforeAll(async () => {
  expect(existsSync(join(import.meta.dirname, '../../public/build/index.html')), 'run `npm run build` first').toBe(true);
  s = await startServer();
  browser = await launchChromium();
  // A display PC in UTC must still show the business day (the server tells the page TZ_BUSINESS).
  page = await browser.newPage({ viewport: { width: 1920, height: 1080 }, timezoneId: 'UTC' });
  errors = watchErrors(page);
});
afterAll(async () => {
  await browser?.close();
  await s?.close();
  if (s) removeDir(s.dataDir);
});

describe('war-room screen in Chromium', () => {
  it('opens, hides the token from the address bar, and shows live values equal to the read API', async () => {
    await page.goto(`${s.url}/screens/war-room?token=${ADMIN}`);
    await expect.poll(() => page.url()).toBe(`${s.url}/screens/war-room`);
    await expect.poll(gmvText, { timeout: 10_000 }).toBe('0');
    await page.locator('[data-status=live]').waitFor({ timeout: 10_000 });

    const now = Date.now();
    const events = Array.from({ length: 30 }, (_, i) => paid({ ts: now - i * 7_000, paid_fen: 123_456 + i * 1_001, channel: ['tmall', 'jd', 'douyin'][i % 3] }));
    expect((await postEvents(s.url, events)).status).toBe(200);

    const api = await getJson(s.url, '/api/v1/metrics/sales.gmv');
    expect(api.body.value).toBe(events.reduce((n, e) => n + e.paid_fen, 0));
    await expect.poll(gmvText, { timeout: 5_000 }).toBe(String(api.body.value));
    await expect.poll(ordersText, { timeout: 5_000 }).toBe(String((await getJson(s.url, '/api/v1/metrics/sales.paid_orders')).body.value));
    // The big number is the 万 form of the same value, and the exact line below it is to the fen.
    const big = await page.locator('[data-widget=gmv] rx-kpi [part=value]').innerText();
    expect(big.replace(/\s/g, '')).toBe(`¥${(api.body.value / 1_000_000).toFixed(2)}万`);
    const exact = await page.locator('[data-widget=gmv] rx-kpi [part=exact]').innerText();
    expect(exact).toBe(`¥${(api.body.value / 100).toLocaleString('en-US', { minimumFractionDigits: 2 })}`);
    // The G2 line drew on a canvas (charts draw in turns, a few frames after the push).
    await expect.poll(() => page.locator('[data-widget=orders-per-minute] rx-line canvas').count(), { timeout: 5_000 }).toBe(2);

    await page.screenshot({ path: outputPath('war-room-1920x1080.png') });
    expect(errors).toEqual([]);
  });

  it('shows the connection as down when the server goes away', async () => {
    await s.close();
    await page.locator('[data-status=down]').waitFor({ timeout: 10_000 });
    expect(await page.locator('[data-widget=gmv]').getAttribute('data-state')).toBe('stale');
    await page.screenshot({ path: outputPath('war-room-disconnected.png') });
    // Connection refusals while it retries are expected here; nothing else may have failed.
    expect(errors.filter((e) => !/ERR_CONNECTION_REFUSED|WebSocket connection/.test(e))).toEqual([]);
  });
});

// A wall without the admin token, in Chromium against a real server (CONTRACT "Displays", issue 17): it
// shows a pairing code; pairing through the API makes it show live war-room numbers equal to the API within
// 5 s; its token reads nothing else; PATCH moves it; a playlist of two screens rotates and holds under a
// takeover; a restart of the server does not unpair it; a revoke returns it to a code. Screenshots of the
// pairing screen at 1080p and 4K in test/.output/.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PAIRING_ALPHABET } from '../../server/displays/pairing.ts';
import { outputPath, useBrowser, watchErrors } from '../helpers/browser.ts';
import { paid } from '../helpers/events.ts';
import { ADMIN, postEvents, putReference, removeDir, startServer, tempDataDir, type Running } from '../helpers/server.ts';

const browser = useBrowser();
const dir = tempDataDir();
let s: Running;
let page: Page;
let errors: string[];

beforeAll(async () => {
  expect(existsSync(join(import.meta.dirname, '../../public/build/index.html')), 'run `npx vite build` first').toBe(true);
  s = await startServer({ dataDir: dir });
}, 60_000);
afterAll(async () => {
  await s?.close();
  removeDir(dir);
});

async function api(method: string, path: string, body?: unknown, token: string = ADMIN): Promise<{ status: number; body: any }> {
  const res = await fetch(`${s.url}${path}`, { method, headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

/** The code on the wall (waits for it). */
async function codeOn(p: Page): Promise<string> {
  const code = p.locator('rx-display [data-code]');
  await code.waitFor({ timeout: 15_000 });
  return (await code.getAttribute('data-code'))!;
}

const shownScreen = (p: Page) => p.evaluate(() => document.querySelector('rx-display')?.shadowRoot?.querySelector('rx-screen.shown')?.getAttribute('data-screen') ?? null);
const displayToken = (p: Page) => p.evaluate(() => localStorage.getItem('rxpulse.display'));

describe('a wall paired by code', () => {
  let displayId = '';

  it('shows a big pairing code with no token (1080p and 4K screenshots)', async () => {
    for (const [w, h, name] of [[3840, 2160, '4k'], [1920, 1080, '1080p']] as const) {
      const p = await browser().newPage({ viewport: { width: w, height: h } });
      await p.goto(`${s.url}/display`);
      const code = await codeOn(p);
      expect(code).toMatch(new RegExp(`^[${PAIRING_ALPHABET}]{6}$`));
      const box = await p.locator('rx-display [data-code]').boundingBox();
      // Readable across a room: the code is at least a sixth of the screen's height.
      expect(box!.height).toBeGreaterThan(h / 6);
      await p.screenshot({ path: outputPath(`display-pairing-${name}.png`) });
      await p.close();
    }
    page = await browser().newPage({ viewport: { width: 1920, height: 1080 } });
    errors = watchErrors(page);
    // A screen URL opened with no token is a wall too.
    await page.goto(`${s.url}/screens/war-room`);
    expect(await codeOn(page)).toMatch(/^[A-Z2-9]{6}$/);
  });

  it('paired through the API, it shows live war-room numbers equal to the API within 5 s; the token is not in the URL', async () => {
    expect((await postEvents(s.url, [paid({ ts: Date.now() - 60_000, paid_fen: 123_456, event_id: 'wall-1' })])).status).toBe(200);
    const code = await codeOn(page);
    const t0 = Date.now();
    const r = await api('POST', '/api/v1/displays', { code, name: '作战室主屏', screen_id: 'war-room' });
    expect(r.status).toBe(201);
    displayId = r.body.display_id;
    const gmv = page.locator('rx-display rx-screen.shown section[data-widget=gmv][data-state=live]');
    await gmv.waitFor({ timeout: 5_000 });
    expect(Date.now() - t0).toBeLessThan(5_000);
    const api1 = (await api('GET', '/api/v1/metrics/sales.gmv')).body.value as number;
    const shown = await page.evaluate(() => {
      const screen = document.querySelector('rx-display')!.shadowRoot!.querySelector('rx-screen.shown') as unknown as { live: { get(id: string): { value: unknown } } };
      return screen.live.get('gmv').value;
    });
    expect(shown).toBe(api1);
    expect(page.url()).not.toContain('token');
    expect(await displayToken(page)).toMatch(/^rxd_/);
  });

  it('its token gets 403 on a metric of another screen and on every write', async () => {
    const token = (await displayToken(page))!;
    expect((await api('GET', '/api/v1/metrics/warehouse.backlog', undefined, token)).status).toBe(403);
    expect((await api('POST', '/api/v1/events', [], token)).status).toBe(403);
    expect((await api('PUT', '/api/v1/screens/war-room', {}, token)).status).toBe(403);
  });

  it('PATCH moves it to another screen within 5 s', async () => {
    expect((await api('PATCH', `/api/v1/displays/${displayId}`, { screen_id: 'warehouse' })).status).toBe(200);
    await expect.poll(() => shownScreen(page), { timeout: 5_000 }).toBe('warehouse');
  });

  it('a playlist of two screens at 10 s each rotates, and holds under a takeover', async () => {
    expect((await api('PUT', '/api/v1/playlists/two', { title: '轮播', items: [{ screen_id: 'executive', seconds: 10 }, { screen_id: 'war-room', seconds: 10 }] })).status).toBe(200);
    expect((await api('PATCH', `/api/v1/displays/${displayId}`, { playlist_id: 'two' })).status).toBe(200);
    await expect.poll(() => shownScreen(page), { timeout: 5_000 }).toBe('executive');
    // The next screen is live before it is shown: every moment something is drawn (no blank frame).
    const seen = new Set<string>();
    const deadline = Date.now() + 25_000;
    while (Date.now() < deadline && seen.size < 2) {
      const id = await shownScreen(page);
      expect(id).not.toBeNull();
      seen.add(id!);
      await page.waitForTimeout(250);
    }
    expect([...seen].sort()).toEqual(['executive', 'war-room']);
    await expect.poll(() => shownScreen(page), { timeout: 15_000 }).toBe('war-room');
    // A critical alert (a box of an expired batch shipped) takes the war room over: the rotation holds.
    expect((await putReference(s.url, 'batches', [{ batch_no: 'B-OLD', sku_id: 'SKU-X', mfg_date: '2020-01-01', expiry_date: '2021-01-01' }])).status).toBe(200);
    await new Promise((r) => setTimeout(r, 500));
    expect((await postEvents(s.url, [{ event_id: 'ship-old', type: 'order.shipped', ts: new Date().toISOString(), order_id: 'O-OLD', warehouse_id: 'WH-1', boxes: [{ box_id: 'BX-1', sku_id: 'SKU-X', batch_no: 'B-OLD', trace_codes: [] }] }])).status).toBe(200);
    await page.locator('rx-display rx-screen.shown [data-takeover]').waitFor({ timeout: 10_000 });
    await page.waitForTimeout(15_000);
    expect(await shownScreen(page)).toBe('war-room');
    await page.screenshot({ path: outputPath('display-takeover-hold.png') });
  }, 90_000);

  it('a restart of the server does not unpair it', async () => {
    const token = await displayToken(page);
    await s.close();
    s = await startServer({ dataDir: dir, port: Number(new URL(s.url).port) });
    await page.waitForTimeout(8_000);
    expect(await displayToken(page)).toBe(token);
    expect(await page.locator('rx-display [data-code]').count()).toBe(0);
    await expect.poll(() => shownScreen(page), { timeout: 15_000 }).not.toBeNull();
  }, 60_000);

  it('revoke returns it to a code within 5 s, and its token gets 401', async () => {
    const token = (await displayToken(page))!;
    expect((await api('DELETE', `/api/v1/displays/${displayId}`)).status).toBe(204);
    await page.locator('rx-display [data-code]').waitFor({ timeout: 5_000 });
    expect(await displayToken(page)).toBeNull();
    expect((await api('GET', '/api/v1/displays/self', undefined, token)).status).toBe(401);
    // The restart above refused the page's reconnects for a moment; nothing else may have failed.
    expect(errors.filter((e) => !/401|403|Failed to load resource|ERR_CONNECTION_REFUSED/.test(e))).toEqual([]);
  });
});

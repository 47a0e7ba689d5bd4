// The four built-in screens on demo data, at 1920×1080 and 3840×2160, in a browser whose zone is not the
// business zone: no console errors, no CSP violation, every widget live, every value a widget holds equal to the read API
// for its metric and params, every KPI number equal to the API. Screenshots in test/.output/.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoEventsForSecond, demoReference } from '../../streams/demo/index.ts';
import { dayRange } from '../../server/time.ts';
import type { Screen } from '../../screens/schema.ts';
import { valueAt } from '../../widgets/format.ts';
import { launchChromium, outputPath, watchCspViolations, watchErrors } from '../helpers/browser.ts';
import { ADMIN, fixedClock, getJson, postEvents, putReference, useServer } from '../helpers/server.ts';

const DATE = '2026-11-11';
const TZ = 'Asia/Shanghai';
const opts = { seed: 'screens', tz: TZ, ratePerSecond: 1 };
const { fromMs } = dayRange(DATE, TZ);
// A fixed clock: ages and "today" do not move while values are compared.
const server = useServer({ clock: fixedClock('2026-11-11T00:20:00+08:00') });
let browser: Browser;

beforeAll(async () => {
  for (const [kind, rows] of Object.entries(demoReference(opts, DATE))) expect((await putReference(server().url, kind, rows)).status).toBe(200);
  const lines: string[] = [];
  for (let s = fromMs / 1000; s < fromMs / 1000 + 20 * 60; s++) for (const e of demoEventsForSecond(opts, s)) lines.push(JSON.stringify(e));
  for (let i = 0; i < lines.length; i += 10_000) expect((await postEvents(server().url, lines.slice(i, i + 10_000).join('\n'))).status).toBe(200);
  await server().app.projector.barrier();
  browser = await launchChromium();
}, 180_000);
afterAll(async () => {
  await browser?.close();
});


describe('built-in screens', () => {
  for (const id of ['war-room', 'warehouse', 'compliance', 'executive']) {
    for (const [w, h] of [[1920, 1080], [3840, 2160]]) {
      it(`${id} at ${w}×${h}: live, equal to the read API, no console errors`, async () => {
        const screen = (await getJson(server().url, `/api/v1/screens/${id}`)).body as Screen;
        const page = await browser.newPage({ viewport: { width: w, height: h }, timezoneId: 'America/New_York' });
        const errors = watchErrors(page);
        const violations = await watchCspViolations(page);
        const response = await page.goto(`${server().url}/screens/${id}?token=${ADMIN}`);
        // The page runs under the server's CSP (no eval, no inline script, same-origin connections only).
        expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
        await page.locator('[data-status=live]').waitFor({ timeout: 15_000 });
        await expect.poll(() => page.locator('section.cell[data-state=live]').count(), { timeout: 15_000 }).toBe(screen.widgets.length);
        for (const wd of screen.widgets) {
          const query = new URLSearchParams(Object.entries(wd.params ?? {}).map(([k, v]) => [k, String(v)])).toString();
          const api = (await getJson(server().url, `/api/v1/metrics/${wd.metric}${query ? `?${query}` : ''}`)).body.value;
          const held = await page.evaluate((wid) => (window as unknown as { rxpulse: { live: { get(id: string): { value: unknown } } } }).rxpulse.live.get(wid)?.value, wd.id);
          expect(held, `${id}/${wd.id} (${wd.metric})`).toEqual(api);
          if (wd.type === 'rx-kpi') {
            const shown = await page.locator(`[data-widget=${wd.id}] rx-kpi`).getAttribute('data-value');
            const want = valueAt(api, wd.options?.field as string | undefined);
            expect(shown, `${id}/${wd.id} KPI`).toBe(typeof want === 'number' ? String(want) : null);
          }
        }
        // Let the last animations settle before the picture.
        await page.waitForTimeout(800);
        await page.screenshot({ path: outputPath(`screen-${id}-${w}x${h}.png`) });
        expect(errors).toEqual([]);
        expect(await violations()).toEqual([]);
        await page.close();
      }, 60_000);
    }
  }

  it('executive on a phone (390×844): one readable column, no sideways scrolling', async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, timezoneId: 'America/New_York' });
    const errors = watchErrors(page);
    await page.goto(`${server().url}/screens/executive?token=${ADMIN}`);
    await page.locator('[data-status=live]').waitFor({ timeout: 15_000 });
    const layout = await page.evaluate(() => {
      const root = document.querySelector('rx-screen')!;
      const cells = [...root.shadowRoot!.querySelectorAll('section.cell')].map((c) => c.getBoundingClientRect());
      return { mobile: root.hasAttribute('mobile'), scrollWidth: root.scrollWidth, width: root.clientWidth, cells: cells.map((r) => ({ left: r.left, width: r.width, top: r.top })) };
    });
    expect(layout.mobile).toBe(true);
    expect(layout.scrollWidth).toBeLessThanOrEqual(layout.width);
    for (const c of layout.cells) expect(c.width).toBeGreaterThan(300); // full width, one column
    expect(layout.cells.every((c, i) => i === 0 || c.top > layout.cells[i - 1].top)).toBe(true);
    await page.screenshot({ path: outputPath('screen-executive-phone.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);
});


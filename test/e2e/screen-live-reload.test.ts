// A screen changed through the admin API updates an open page without a reload.
import { describe, expect, it } from 'vitest';
import { useBrowser, watchErrors } from '../helpers/browser.ts';
import { paid } from '../helpers/events.ts';
import { ADMIN, postEvents, useServer } from '../helpers/server.ts';

const server = useServer();
const browser = useBrowser();

const label = (zh: string, en: string) => ({ 'zh-CN': zh, en });
const screen = (title: string, widgets: unknown[]) => ({ id: 'live-edit', title: label(title, title), grid: { columns: 4, rows: 2 }, widgets });
const gmv = { id: 'gmv', type: 'rx-kpi', area: { col: 1, row: 1, colSpan: 2, rowSpan: 2 }, label: label('成交额', 'GMV'), metric: 'sales.gmv', options: { format: 'yuan' } };
const orders = { id: 'orders', type: 'rx-kpi', area: { col: 3, row: 1, colSpan: 2, rowSpan: 2 }, label: label('支付订单', 'Orders'), metric: 'sales.paid_orders', options: { format: 'count' } };

async function put(body: unknown): Promise<number> {
  const res = await fetch(`${server().url}/api/v1/screens/live-edit`, { method: 'PUT', headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return res.status;
}

describe('live layout reload', () => {
  it('shows the new layout of a screen changed through the admin API, without reloading the page', async () => {
    expect(await put(screen('第一版', [gmv]))).toBe(200);
    expect((await postEvents(server().url, [paid({ ts: Date.now(), paid_fen: 12_300 })])).status).toBe(200);
    const page = await browser().newPage({ viewport: { width: 1920, height: 1080 } });
    const errors = watchErrors(page);
    await page.goto(`${server().url}/screens/live-edit?token=${ADMIN}`);
    await expect.poll(() => page.locator('[data-widget=gmv] rx-kpi').getAttribute('data-value'), { timeout: 10_000 }).toBe('12300');
    await page.evaluate(() => ((window as unknown as { __sameDocument: boolean }).__sameDocument = true));

    expect(await put(screen('第二版', [gmv, orders]))).toBe(200);
    await expect.poll(() => page.locator('h1').innerText(), { timeout: 5_000 }).toBe('第二版');
    await expect.poll(() => page.locator('[data-widget=orders] rx-kpi').getAttribute('data-value'), { timeout: 5_000 }).toBe('1');
    expect(await page.locator('[data-widget=gmv] rx-kpi').getAttribute('data-value')).toBe('12300');
    expect(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true);

    // A widget removed from the layout leaves the page.
    expect(await put(screen('第三版', [orders]))).toBe(200);
    await expect.poll(() => page.locator('[data-widget=gmv]').count(), { timeout: 5_000 }).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true);
    expect(errors).toEqual([]);
  });
});

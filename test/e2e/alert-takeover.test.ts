// A critical alert takes over a wall whose screen opted in (war-room: `takeover: true`) until it is
// acknowledged, and the compliance wall's feed lists it: events posted over HTTP → rules engine → alerts →
// `alerts.open` over socket.io → <rx-takeover> in Chromium, then an ack over the API gives the wall back
// without a reload. Needs the built screens (`npm test` builds them first). Screenshots in test/.output/.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Screen } from '../../screens/schema.ts';
import { launchChromium, outputPath, watchErrors } from '../helpers/browser.ts';
import { paid } from '../helpers/events.ts';
import { ADMIN, getJson, postEvents, putReference, useServer } from '../helpers/server.ts';

const server = useServer();
let browser: Browser;

const DAY = 86_400_000;
/** Expired three days before the events (which are posted at the real time). */
const EXPIRED_ON = new Date(Date.now() - 3 * DAY).toISOString().slice(0, 10);
const BUYER = { buyer_name: '王小明', buyer_phone: '13912345678', address: '广东省广州市天河区体育西路1号' };
/** What the buyer's data looks like raw and masked: neither may reach a banner or the feed. */
const PERSONAL = ['王小明', '王**', '13912345678', '139****5678', '体育西路'];

const sku = (sku_id: string, extra: Record<string, unknown>) => ({
  sku_id, name: sku_id, category: 'otc_a', is_rx: false, storage_class: 'normal', controlled: false, traced: false, list_price_fen: 5_000, cost_fen: 2_000, ...extra,
});

beforeAll(async () => {
  expect(existsSync(join(import.meta.dirname, '../../public/build/index.html')), 'run `npx vite build` first').toBe(true);
  const url = server().url;
  expect((await putReference(url, 'skus', [sku('RX-1', { category: 'rx', is_rx: true }), sku('PLAIN-1', {})])).status).toBe(200);
  expect((await putReference(url, 'batches', [
    { batch_no: 'B-EXP-1', sku_id: 'PLAIN-1', mfg_date: '2024-01-01', expiry_date: EXPIRED_ON },
    { batch_no: 'B-OK-1', sku_id: 'PLAIN-1', mfg_date: '2026-01-01', expiry_date: '2099-12-31' },
  ])).status).toBe(200);
  browser = await launchChromium();
}, 120_000);
afterAll(async () => {
  await browser?.close();
});

async function open(id: string, w: number, h: number, query = ''): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: w, height: h }, timezoneId: 'America/New_York' });
  const errors = watchErrors(page);
  await page.goto(`${server().url}/screens/${id}?token=${ADMIN}${query}`);
  await page.locator('[data-status=live]').waitFor({ timeout: 20_000 });
  const screen = (await getJson(server().url, `/api/v1/screens/${id}`)).body as Screen;
  await expect.poll(() => page.locator('section.cell[data-state=live]').count(), { timeout: 20_000 }).toBe(screen.widgets.length);
  return { page, errors };
}

async function openAlert(rule: string): Promise<{ alert_id: string; evidence_count: number }> {
  const list = (await getJson(server().url, `/api/v1/alerts?rule=${rule}&state=open`)).body as { alert_id: string; evidence_count: number }[];
  expect(list, rule).toHaveLength(1);
  return list[0];
}

async function ack(id: string): Promise<void> {
  const res = await fetch(`${server().url}/api/v1/alerts/${id}/ack`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ by: '值班药师 李工', note: 'on it' }),
  });
  expect(res.status).toBe(200);
}

const banner = (page: Page) => page.locator('[data-takeover]');
const bannerText = (page: Page) => page.locator('[data-takeover] [part=banner]').innerText();
/** The takeover's clock (the server's time the page draws ages with). */
const bannerNow = (page: Page) => banner(page).evaluate((el) => (el as HTMLElementTagNameMap['rx-takeover']).now);

/** Layout checks a wall viewer would notice: under the header, inside the stage, no text cut off. */
async function checkLayout(page: Page): Promise<void> {
  const rect = (sel: string) => page.evaluate((s) => {
    const r = document.querySelector('rx-screen')!.shadowRoot!.querySelector(s)!.getBoundingClientRect();
    return { x: r.x, y: r.y, width: r.width, height: r.height };
  }, sel);
  const [header, box, stage] = [await rect('header'), await rect('[data-takeover]'), await rect('.stage')];
  expect(box.y).toBeGreaterThanOrEqual(header.y + header.height);
  expect(box.x).toBeGreaterThanOrEqual(stage.x);
  expect(box.x + box.width).toBeLessThanOrEqual(stage.x + stage.width + 0.5);
  // Full width: the banner spans the stage but its padding.
  expect(box.width).toBeGreaterThan(stage.width * 0.9);
  for (const part of ['rule', 'entity', 'evidence', 'age']) {
    const cut = await page.locator(`[data-takeover] [part=${part}]`).evaluate((el) => el.scrollWidth > el.clientWidth + 1);
    expect(cut, `${part} cut off`).toBe(false);
  }
}

describe('alert takeover', () => {
  it('a critical alert takes over the war-room until acknowledged; the compliance feed lists it', async () => {
    const url = server().url;
    const compliance = await open('compliance', 1920, 1080);
    const war = await open('war-room', 1920, 1080);
    // Whatever happens below must happen in this document: no reload.
    for (const p of [compliance.page, war.page]) await p.evaluate(() => ((window as unknown as { __sameDocument: boolean }).__sameDocument = true));
    expect(await banner(war.page).count()).toBe(0);

    // 1. An expired batch picked: EXPIRED_OUTBOUND (critical).
    const t0 = performance.now();
    const posted = postEvents(url, [{ event_id: 'evt-pick-exp-1', type: 'inventory.pick', ts: new Date().toISOString(), warehouse_id: 'WH-GZ', sku_id: 'PLAIN-1', batch_no: 'B-EXP-1', qty: 3 }]);
    await banner(war.page).waitFor({ state: 'visible', timeout: 15_000 });
    const shownMs = performance.now() - t0;
    expect((await posted).status).toBe(200);
    console.log(`alert takeover: POST of the pick → banner visible on the war-room in ${shownMs.toFixed(0)} ms`);
    expect(shownMs).toBeLessThan(3_000);

    const expired = await openAlert('EXPIRED_OUTBOUND');
    expect(expired.evidence_count).toBe(1);
    expect(await banner(war.page).getAttribute('data-takeover')).toBe(expired.alert_id);
    expect(await banner(war.page).getAttribute('data-more')).toBe('0');
    const text1 = await bannerText(war.page);
    for (const want of ['严重预警', '过期批次出库', '批次 B-EXP-1', '证据 1 条', '持续', '<1分']) expect(text1).toContain(want);
    await checkLayout(war.page);

    // The compliance wall (no takeover) lists it in its feed: severity, rule, entity, evidence, age.
    const row = compliance.page.locator(`[data-widget=alerts] [data-alert="${expired.alert_id}"]`);
    await row.waitFor({ timeout: 10_000 });
    expect(await row.locator('.chip').innerText()).toBe('严重');
    expect(await row.locator('.rule').innerText()).toBe('过期批次出库');
    expect(await row.locator('[part=entity]').innerText()).toBe('批次 B-EXP-1');
    expect(await row.locator('[part=evidence]').innerText()).toBe('证据 1 条');
    expect(await row.locator('[part=age]').innerText()).toMatch(/^(刚刚|\d+秒前)$/);
    expect(await row.getAttribute('class')).toContain('open');
    expect(await banner(compliance.page).count()).toBe(0);

    // The banner's clock moves every second (the age counts from first_seen to the server's time).
    const before = await bannerNow(war.page);
    expect(Math.abs(before - Date.now())).toBeLessThan(5_000);
    await expect.poll(() => bannerNow(war.page), { timeout: 5_000 }).toBeGreaterThanOrEqual(before + 1_000);

    // 2. A newer critical one: an Rx order paid (with the buyer's name, phone and address) and shipped without
    // an approved prescription. The banner shows the newest and "+1"; nothing of the buyer.
    const now = Date.now();
    const order = paid({ order_id: 'O-TK-1', ts: new Date(now - 2_000).toISOString(), paid_fen: 5_000, lines: [{ sku_id: 'RX-1', qty: 1, unit_price_fen: 5_000 }], ...BUYER });
    const shipped = { event_id: 'evt-ship-O-TK-1', type: 'order.shipped', ts: new Date(now).toISOString(), order_id: 'O-TK-1', warehouse_id: 'WH-GZ' };
    expect((await postEvents(url, [order, shipped])).status).toBe(200);
    await expect.poll(async () => (await getJson(url, '/api/v1/alerts?rule=RX_WITHOUT_PRESCRIPTION&state=open')).body.length, { timeout: 10_000 }).toBe(1);
    const rx = await openAlert('RX_WITHOUT_PRESCRIPTION');
    await expect.poll(() => banner(war.page).getAttribute('data-takeover'), { timeout: 10_000 }).toBe(rx.alert_id);
    expect(await banner(war.page).getAttribute('data-more')).toBe('1');
    const text2 = await bannerText(war.page);
    for (const want of ['处方药无处方发货', '订单 O-TK-1', '证据 2 条', '+1', '另有 1 条严重预警']) expect(text2).toContain(want);
    await compliance.page.locator(`[data-widget=alerts] [data-alert="${rx.alert_id}"]`).waitFor({ timeout: 10_000 });
    const feedText = await compliance.page.locator('[data-widget=alerts] rx-alert-feed').evaluate((el) => el.shadowRoot!.textContent ?? '');
    for (const p of PERSONAL) {
      expect(text2, `banner shows ${p}`).not.toContain(p);
      expect(feedText, `feed shows ${p}`).not.toContain(p);
    }
    await checkLayout(war.page);
    await war.page.screenshot({ path: outputPath('takeover-war-room-1920x1080.png'), animations: 'disabled' });
    await compliance.page.screenshot({ path: outputPath('takeover-compliance-1920x1080.png') });

    // The same banner on a 4K wall (drawn at twice the size, sharp) and in English.
    const big = await open('war-room', 3840, 2160);
    await banner(big.page).waitFor({ timeout: 10_000 });
    await checkLayout(big.page);
    await big.page.screenshot({ path: outputPath('takeover-war-room-3840x2160.png'), animations: 'disabled' });
    await banner(big.page).screenshot({ path: outputPath('takeover-banner-3840x2160.png'), animations: 'disabled' });
    const en = await open('war-room', 1920, 1080, '&lang=en');
    await banner(en.page).waitFor({ timeout: 10_000 });
    const textEn = await bannerText(en.page);
    for (const want of ['Rx shipped without prescription', 'Order O-TK-1', 'Evidence: 2', '+1', '1 more critical']) expect(textEn).toContain(want);
    expect(textEn).toMatch(/Open for\s*(< 1 min|\d+ min)/);
    await checkLayout(en.page);
    await en.page.screenshot({ path: outputPath('takeover-war-room-en-1920x1080.png'), animations: 'disabled' });
    // On a phone the banner heads the one column, at phone sizes.
    const phone = await open('war-room', 390, 844);
    await banner(phone.page).waitFor({ timeout: 10_000 });
    const fits = await phone.page.evaluate(() => {
      const root = document.querySelector('rx-screen')!;
      const r = root.shadowRoot!.querySelector('[data-takeover]')!.getBoundingClientRect();
      return root.scrollWidth <= root.clientWidth && r.left >= 0 && r.right <= root.clientWidth;
    });
    expect(fits).toBe(true);
    await phone.page.screenshot({ path: outputPath('takeover-war-room-phone.png'), animations: 'disabled' });
    for (const p of [big, en, phone]) {
      expect(p.errors).toEqual([]);
      await p.page.close();
    }

    // 3. Acknowledged: the newest goes, the older one is shown again; then the wall is given back.
    await ack(rx.alert_id);
    await expect.poll(() => banner(war.page).getAttribute('data-takeover'), { timeout: 10_000 }).toBe(expired.alert_id);
    expect(await banner(war.page).getAttribute('data-more')).toBe('0');
    const t1 = performance.now();
    await ack(expired.alert_id);
    await banner(war.page).waitFor({ state: 'detached', timeout: 10_000 });
    console.log(`alert takeover: ack of the last critical alert → banner gone in ${(performance.now() - t1).toFixed(0)} ms`);

    // The screen is normal again, in the same document, every widget live; the feed shows both acknowledged.
    expect(await war.page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true);
    expect(await war.page.locator('.stage.taken').count()).toBe(0);
    const screen = (await getJson(url, '/api/v1/screens/war-room')).body as Screen;
    await expect.poll(() => war.page.locator('section.cell[data-state=live]').count(), { timeout: 15_000 }).toBe(screen.widgets.length);
    await war.page.locator('[data-status=live]').waitFor({ timeout: 15_000 });
    for (const id of [expired.alert_id, rx.alert_id]) {
      await expect.poll(() => compliance.page.locator(`[data-widget=alerts] [data-alert="${id}"]`).getAttribute('class'), { timeout: 10_000 }).toContain('acknowledged');
    }
    expect(await compliance.page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true);
    await war.page.screenshot({ path: outputPath('takeover-war-room-after-ack-1920x1080.png') });

    expect(war.errors).toEqual([]);
    expect(compliance.errors).toEqual([]);
    await war.page.close();
    await compliance.page.close();
  }, 180_000);

  it('the policy decides: a licence expiring in days stays in the feed; the banner shrinks to a strip after strip_after_s', async () => {
    const url = server().url;
    const war = await open('war-room', 1920, 1080);
    // A shop licence expiring in 3 days: LICENCE_EXPIRY, critical. The war-room's policy (cold chain, Rx
    // shipped without prescription, expired outbound, duplicate trace code) leaves it out.
    const inDays = (n: number) => new Date(Date.now() + n * DAY).toISOString().slice(0, 10);
    expect((await putReference(url, 'shops', [{ shop_id: 'SHOP-LIC', channel: 'tmall', name: '测试旗舰店', licence_no: 'L-1', licence_expires: inDays(3), gsp_expires: inDays(400) }])).status).toBe(200);
    await expect.poll(async () => (await getJson(url, '/api/v1/alerts?rule=LICENCE_EXPIRY&state=open')).body.length, { timeout: 15_000 }).toBe(1);
    expect((await openAlert('LICENCE_EXPIRY')) ).toBeTruthy();
    await war.page.waitForTimeout(3_000);
    expect(await banner(war.page).count()).toBe(0);

    // A screen whose policy takes any critical alert, strip after 3 s: the full banner, then the strip in the
    // header with the widgets no longer dimmed or covered.
    const doc = { ...((await getJson(url, '/api/v1/screens/war-room')).body as Screen & { tz?: string }), id: 'war-room-strip', takeover: { strip_after_s: 3 } };
    delete doc.tz;
    const put = await fetch(`${url}/api/v1/screens/war-room-strip`, { method: 'PUT', headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' }, body: JSON.stringify(doc) });
    expect(put.status).toBe(200);
    const strip = await open('war-room-strip', 1920, 1080);
    await banner(strip.page).waitFor({ timeout: 10_000 });
    expect(await banner(strip.page).getAttribute('data-strip')).toBe('0');
    await expect.poll(() => banner(strip.page).getAttribute('data-strip'), { timeout: 8_000 }).toBe('1');
    const geometry = await strip.page.evaluate(() => {
      const root = document.querySelector('rx-screen')!.shadowRoot!;
      const r = (sel: string) => root.querySelector(sel)!.getBoundingClientRect();
      return { header: r('header'), banner: r('[data-takeover]'), gmv: r('[data-widget=gmv]'), dimmed: root.querySelector('.stage.taken') !== null };
    });
    expect(geometry.banner.bottom).toBeLessThanOrEqual(geometry.header.bottom + 1);
    expect(geometry.banner.top).toBeGreaterThanOrEqual(geometry.header.top - 1);
    expect(geometry.dimmed).toBe(false);
    expect(geometry.gmv.top).toBeGreaterThanOrEqual(geometry.header.bottom);
    expect(await bannerText(strip.page)).toContain('证照即将到期');
    await strip.page.screenshot({ path: outputPath('takeover-strip-1920x1080.png'), animations: 'disabled' });
    expect(war.errors).toEqual([]);
    expect(strip.errors).toEqual([]);
    await war.page.close();
    await strip.page.close();
  }, 120_000);
});

// Map, band, funnel, alert feed and countdown in Debian's Chromium at 1920×1080, built with vite into a
// fixture page like widgets-browser.test.ts. Screenshots go to test/.output/widgets-b-*.png.
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OUTPUT_DIR } from '../helpers/browser.ts';
import { openWidgetPage, reattachAndCount, widgetFixture, type WidgetFixture } from '../helpers/widget-fixture.ts';

const WIDGETS = ['rx-map', 'rx-band', 'rx-funnel', 'rx-alert-feed', 'rx-countdown'];

// Realistic values, shaped exactly as the metrics return them.
const PROVINCE_GMV: Array<[string, number]> = [
  ['广东', 1_842_310_455], ['浙江', 1_203_877_120], ['江苏', 1_150_230_000], ['上海', 1_020_114_560], ['北京', 936_550_010],
  ['山东', 612_440_300], ['四川', 540_210_880], ['湖北', 488_002_100], ['福建', 401_332_000], ['河南', 377_900_450],
  ['湖南', 301_220_000], ['安徽', 266_400_120], ['河北', 240_118_000], ['陕西', 188_900_300], ['重庆', 176_540_000],
  ['辽宁', 150_220_000], ['江西', 140_880_000], ['天津', 133_010_000], ['广西', 120_400_000], ['云南', 110_300_000],
  ['山西', 90_100_000], ['贵州', 80_550_000], ['黑龙江', 70_220_000], ['吉林', 60_100_000], ['新疆', 40_220_000],
  ['内蒙古', 38_400_000], ['甘肃', 30_100_000], ['海南', 28_900_000], ['宁夏', 9_800_000], ['青海', 0],
];
const byProvince = PROVINCE_GMV.map(([province, gmv_fen], i) => ({ province, gmv_fen, orders: Math.round(gmv_fen / 9_000) + i }));

const sensor = (id: string, location: string, cls: 'cold' | 'shady' | 'normal', temp: number | null, status: string, min1h: number | null, max1h: number | null) => ({
  sensor_id: id, warehouse_id: `WH-${id.slice(3, 5)}`, location, storage_class: cls, temp_c: temp, humidity_pct: temp === null ? null : 55.2,
  ts: temp === null ? null : '2026-11-11T09:59:41.000+08:00',
  band: cls === 'cold' ? { min_c: 2, max_c: 8 } : cls === 'shady' ? { min_c: null, max_c: 20 } : { min_c: 10, max_c: 30 },
  status, min_c_1h: min1h, max_c_1h: max1h,
});
const COLD_CHAIN = [
  sensor('SN-GZ-C1', '华南仓(广州) 冷库1号(胰岛素/生物制品)', 'cold', 4.6, 'ok', 3.9, 5.8),
  sensor('SN-GZ-C2', '华南仓(广州) 冷库2号(益生菌/疫苗类)', 'cold', 9.4, 'out', 5.1, 9.6),
  sensor('SN-GZ-S1', '华南仓(广州) 阴凉库', 'shady', 17.8, 'ok', 16.9, 18.4),
  sensor('SN-GZ-N1', '华南仓(广州) 常温库', 'normal', 24.1, 'ok', 22.0, 25.3),
  sensor('SN-SH-C1', '华东仓(上海) 冷库1号(胰岛素/生物制品)', 'cold', 1.4, 'out', 1.2, 3.6),
  sensor('SN-SH-C2', '华东仓(上海) 冷库2号(益生菌/疫苗类)', 'cold', null, 'no_data', null, null),
  sensor('SN-GZ-V1', '冷藏车 粤A·C3721', 'cold', 6.9, 'ok', 2.8, 7.4),
  sensor('SN-BJ-C1', '华北仓(北京) 冷库1号(胰岛素/生物制品)', 'cold', 0.04, 'out', -0.3, 2.2),
  sensor('SN-BJ-C2', '华北仓(北京) 冷库2号(益生菌/疫苗类)', 'cold', 5.0, 'ok', 4.4, 5.6),
];
const FUNNEL = { issued: 12_840, review_started: 12_112, approved: 11_385, rejected: 412, pending: 1_043 };
const NOW = Date.parse('2026-11-11T10:00:00+08:00');
const alert = (id: string, rule: string, severity: string, entity: string, agoS: number, state: string) => {
  const iso = new Date(NOW - agoS * 1000).toISOString();
  return { alert_id: id, rule, severity, entity, first_seen: iso, last_seen: iso, state };
};
const ALERTS = [
  alert('AL-20261111-0042', 'COLD_CHAIN_EXCURSION', 'critical', 'SN-GZ-C2', 95, 'open'),
  alert('AL-20261111-0041', 'RX_REVIEW_SLA', 'major', 'RX-88213004', 420, 'open'),
  alert('AL-20261111-0039', 'TRACE_CODE_MISSING', 'major', 'BOX-GZ-20261111-7731', 1_260, 'acknowledged'),
  alert('AL-20261111-0035', 'NEAR_EXPIRY_STOCK', 'minor', 'WH-SH · B2405117', 5_400, 'open'),
  alert('AL-20261111-0031', 'CONTROLLED_QTY', 'critical', 'ORD-20261111-00931', 9_000, 'acknowledged'),
  alert('AL-20261110-0112', 'PRICE_ANOMALY', 'minor', 'SKU-OTC-0231', 90_000, 'open'),
];
const LICENCES = [
  { id: 'LIC-GSP-GZ', name: '药品经营许可证 · 华南仓(广州)', expires_on: '2026-11-15', days_left: 4 },
  { id: 'LIC-INTERNET-01', name: '互联网药品信息服务资格证书', expires_on: '2026-11-11', days_left: 0 },
  { id: 'LIC-GSP-SH', name: 'GSP证书 · 华东仓(上海)', expires_on: '2026-12-02', days_left: 21 },
  { id: 'LIC-DEVICE-2', name: '第二类医疗器械经营备案凭证', expires_on: '2027-01-20', days_left: 70 },
  { id: 'LIC-FOOD', name: '食品经营许可证', expires_on: '2027-09-30', days_left: 323 },
  { id: 'LIC-OLD', name: '道路运输经营许可证(冷链车)', expires_on: '2026-11-08', days_left: -3 },
];
const NEAR_EXPIRY = {
  value_fen: 18_420_300,
  batches: 4,
  items: [
    { warehouse_id: 'WH-GZ', sku_id: 'SKU-RX-0012', name: '重组人胰岛素注射液 3ml:300单位', batch_no: 'B2311021', expiry_date: '2026-11-09', days_left: -2, qty: 40, value_fen: 1_960_000 },
    { warehouse_id: 'WH-SH', sku_id: 'SKU-OTC-0101', name: '布洛芬缓释胶囊 0.3g×24粒', batch_no: 'B2405117', expiry_date: '2026-11-16', days_left: 5, qty: 1_200, value_fen: 1_440_000 },
    { warehouse_id: 'WH-BJ', sku_id: 'SKU-SUP-0033', name: '维生素D3软胶囊 400IU×60粒', batch_no: 'B2406002', expiry_date: '2026-12-20', days_left: 39, qty: 3_100, value_fen: 12_400_300 },
    { warehouse_id: 'WH-CD', sku_id: 'SKU-HRB-0007', name: '连花清瘟胶囊 0.35g×36粒', batch_no: 'B2407311', expiry_date: '2027-02-01', days_left: 82, qty: 800, value_fen: 2_620_000 },
  ],
};

const HEAD = `<style>
  html, body { margin: 0; height: 100%; background: #050b1a; }
  body { display: grid; grid-template-columns: 860px 1fr 1fr; grid-template-rows: 1fr 1fr; gap: 20px; padding: 24px;
    box-sizing: border-box; background: radial-gradient(ellipse at 50% 0%, #0b1f44 0%, #050b1a 60%); }
  #map { grid-row: 1 / 3; }
  .stack { display: grid; gap: 20px; grid-template-rows: 1fr 1fr; min-height: 0; }
</style>`;
const BODY = `
  <rx-map id="map"></rx-map>
  <rx-band id="band"></rx-band>
  <rx-alert-feed id="alerts"></rx-alert-feed>
  <rx-funnel id="funnel"></rx-funnel>
  <div class="stack"><rx-countdown id="licences"></rx-countdown><rx-countdown id="expiry"></rx-countdown></div>
`;

type Shown = Array<[string, number | null]>;

describe('map, band, funnel, alert feed and countdown in Chromium', () => {
  let fixture: WidgetFixture | undefined;
  let browser: Browser;
  let page: Page;
  let errors: string[] = [];

  beforeAll(async () => {
    fixture = await widgetFixture('widgets-b', BODY, HEAD, WIDGETS);
    // A zone far from the business zone: clock times must not follow the browser.
    ({ browser, page, errors } = await openWidgetPage(fixture.url));
    await page.waitForFunction((tags) => tags.every((t) => customElements.get(t)), WIDGETS);
  });

  afterAll(async () => {
    await browser?.close();
    await fixture?.close();
  });

  const shown = async (id: string): Promise<Shown> => JSON.parse((await page.locator(`#${id}`).getAttribute('data-shown')) ?? 'null') as Shown;

  async function setAll(lang: 'zh-CN' | 'en'): Promise<void> {
    await page.evaluate(
      async ({ lang, data }) => {
        const set = async (id: string, props: Record<string, unknown>): Promise<void> => {
          const el = document.getElementById(id) as HTMLElement & { updateComplete: Promise<boolean> };
          Object.assign(el, { lang, state: 'live', ...props });
          await el.updateComplete;
        };
        const en = lang === 'en';
        await set('map', { label: en ? 'GMV by province' : '分省成交额', value: data.byProvince, options: {} });
        await set('band', { label: en ? 'Storage temperatures' : '冷链温度', value: data.coldChain, options: { limit: 8 } });
        await set('funnel', { label: en ? 'Prescription review funnel' : '处方审核漏斗', value: data.funnel, options: {} });
        await set('alerts', { label: en ? 'Open alerts' : '实时预警', value: data.alerts, now: data.now, options: { limit: 6 } });
        await set('licences', { label: en ? 'Licence expiry' : '证照到期', value: data.licences, options: {} });
        await set('expiry', {
          label: en ? 'Near-expiry batches' : '近效期批次', value: data.nearExpiry,
          options: { items: 'items', id: 'batch_no', name: 'name', days: 'days_left', date: 'expiry_date', value: 'value_fen', format: 'yuan' },
        });
      },
      { lang, data: { byProvince, coldChain: COLD_CHAIN, funnel: FUNNEL, alerts: ALERTS, now: NOW, licences: LICENCES, nearExpiry: NEAR_EXPIRY } },
    );
    // The boundaries arrive by dynamic import; the map is drawn once they and the box size are known.
    await expect.poll(() => page.locator('#map path.province').count(), { timeout: 15_000 }).toBeGreaterThan(60);
    await expect.poll(() => page.locator('#map g.label').count()).toBe(5);
  }

  /** Boxes of the map labels must not overlap each other, and every label lies inside the map. */
  async function labelBoxes(): Promise<Array<{ x: number; y: number; w: number; h: number }>> {
    return page.evaluate(() => {
      const root = document.getElementById('map')?.shadowRoot;
      return [...(root?.querySelectorAll('g.label rect.tag') ?? [])].map((r) => {
        const b = r.getBoundingClientRect();
        return { x: b.x, y: b.y, w: b.width, h: b.height };
      });
    });
  }

  /** Text that overflows its box (clipped or spilling) in any widget, ellipsis aside. */
  async function overflowing(): Promise<string[]> {
    return page.evaluate((tags) => {
      const out: string[] = [];
      for (const tag of tags) {
        for (const host of document.querySelectorAll(tag)) {
          const root = host.shadowRoot;
          if (!root) continue;
          const hostBox = host.getBoundingClientRect();
          if (hostBox.right > innerWidth || hostBox.bottom > innerHeight) out.push(`${host.id} is off screen`);
          for (const el of root.querySelectorAll<HTMLElement>('.reading, .count, .days, .chip, .age, .state, .name, .step, .counts, .summary, .overall, .ticks span, .edge')) {
            const b = el.getBoundingClientRect();
            if (b.width === 0) continue;
            const clipped = getComputedStyle(el).textOverflow !== 'ellipsis' && el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflow !== 'visible';
            if (clipped || b.right > hostBox.right + 0.5 || b.left < hostBox.left - 0.5) out.push(`${host.id} ${el.className}: ${el.textContent}`);
          }
        }
      }
      return out;
    }, WIDGETS);
  }

  it('draws every widget in zh-CN and shows exactly the API values', async () => {
    await setAll('zh-CN');

    const expectedMap = PROVINCE_GMV.slice().sort((a, b) => b[1] - a[1]);
    expect(await shown('map')).toEqual(expectedMap);
    expect(await page.locator('#map g.label').evaluateAll((gs) => gs.map((g) => g.getAttribute('data-province')))).toEqual(
      expectedMap.slice(0, 5).map(([p]) => p),
    );
    expect(await page.locator('#map g.label text.value').first().textContent()).toBe('¥1,842.31万');
    // No sales (青海 at 0) and no data (西藏, 台湾) share the neutral fill.
    const fills = await page.evaluate(() => {
      const root = document.getElementById('map')?.shadowRoot;
      const fill = (n: string): string | null | undefined => root?.querySelector(`path.province[data-province="${n}"]`)?.getAttribute('fill');
      return { qinghai: fill('青海'), xizang: fill('西藏'), taiwan: fill('台湾'), guangdong: fill('广东') };
    });
    expect(fills.qinghai).toBe('#1e293b');
    expect(fills.xizang).toBe('#1e293b');
    expect(fills.taiwan).toBe('#1e293b');
    expect(fills.guangdong).toBe('rgb(103,232,249)');

    // Lists show the rows their box has room for (whole rows only), from the top, in the order given.
    const bandRows = await page.locator('#band [part=row]').count();
    expect(bandRows).toBeGreaterThanOrEqual(6);
    expect(await shown('band')).toEqual(COLD_CHAIN.slice(0, bandRows).map((s) => [s.sensor_id, s.status === 'no_data' ? null : s.temp_c]));
    expect(await page.locator('#band [part=reading]').allTextContents()).toEqual(
      ['4.6 °C', '9.4 °C', '17.8 °C', '24.1 °C', '1.4 °C', '无数据', '6.9 °C', '0.0 °C'].slice(0, bandRows),
    );
    expect(await page.locator('#band .summary').textContent()).toBe('超限 3'); // counted over all 8 listed

    expect(await shown('funnel')).toEqual([['issued', 12_840], ['review_started', 12_112], ['approved', 11_385]]);
    expect(await page.locator('#funnel [part=count]').allTextContents()).toEqual(['12,840', '12,112', '11,385']);
    // 12,112 / 12,840 = 94.330…%, 11,385 / 12,112 = 93.997…%, overall 11,385 / 12,840 = 88.668…%
    expect(await page.locator('#funnel [part=conversion] b').allTextContents()).toEqual(['94.3%', '94.0%']);
    expect(await page.locator('#funnel [part=overall]').textContent()).toBe('88.7%');

    const alertRows = await page.locator('#alerts [part=row]').count();
    expect(alertRows).toBeGreaterThanOrEqual(4);
    expect(await shown('alerts')).toEqual(ALERTS.slice(0, alertRows).map((a) => [a.alert_id, (NOW - Date.parse(a.first_seen)) / 1000]));
    expect(await page.locator('#alerts [part=age]').allTextContents()).toEqual(['1分钟前', '7分钟前', '21分钟前', '1小时前', '2小时前', '1天前'].slice(0, alertRows));
    // Shanghai clock although the browser runs in New York: 10:00 − 95 s.
    expect(await page.locator('#alerts .clock').first().textContent()).toBe('09:58');
    expect(await page.locator('#alerts [part=counts]').textContent()).toMatch(/未处理\s*4\s*已确认\s*2/);

    const licenceRows = await page.locator('#licences [part=row]').count();
    expect(licenceRows).toBeGreaterThanOrEqual(2);
    expect(await shown('licences')).toEqual(LICENCES.slice(0, licenceRows).map((l) => [l.id, l.days_left]));
    expect(await page.locator('#licences [part=days]').allTextContents()).toEqual(['剩4天', '今天到期', '剩21天', '剩70天', '剩323天', '已过期3天'].slice(0, licenceRows));
    const expiryRows = await page.locator('#expiry [part=row]').count();
    expect(expiryRows).toBeGreaterThanOrEqual(2);
    expect(await shown('expiry')).toEqual(NEAR_EXPIRY.items.slice(0, expiryRows).map((i) => [i.batch_no, i.days_left]));
    expect(await page.locator('#expiry .money').first().textContent()).toBe('¥1.96万');

    const boxes = await labelBoxes();
    for (const [i, a] of boxes.entries()) {
      for (const b of boxes.slice(i + 1)) expect(a.x + a.w <= b.x || b.x + b.w <= a.x || a.y + a.h <= b.y || b.y + b.h <= a.y).toBe(true);
    }
    expect(await overflowing()).toEqual([]);
    await page.waitForTimeout(800); // fills and bars finish their transitions
    await page.screenshot({ path: join(OUTPUT_DIR, 'widgets-b-zh.png') });
    expect(errors).toEqual([]);
  });

  it('switches to English', async () => {
    await setAll('en');
    expect(await page.locator('#map g.label text.name').first().textContent()).toBe('Guangdong');
    expect(await page.locator('#map g.label text.value').first().textContent()).toBe('¥18.42M');
    expect(await page.locator('#band [part=reading]').nth(5).textContent()).toBe('No data');
    expect(await page.locator('#alerts [part=age]').first().textContent()).toBe('1 min ago');
    expect(await page.locator('#licences [part=days]').allTextContents()).toEqual(
      ['4 days left', 'Due today', '21 days left', '70 days left', '323 days left', '3 days overdue'].slice(0, await page.locator('#licences [part=row]').count()),
    );
    const boxes = await labelBoxes();
    for (const [i, a] of boxes.entries()) {
      for (const b of boxes.slice(i + 1)) expect(a.x + a.w <= b.x || b.x + b.w <= a.x || a.y + a.h <= b.y || b.y + b.h <= a.y).toBe(true);
    }
    expect(await overflowing()).toEqual([]);
    await page.waitForTimeout(800);
    await page.screenshot({ path: join(OUTPUT_DIR, 'widgets-b-en.png') });
    expect(errors).toEqual([]);
  });

  it('slides new alerts in, ages with now, and shows stale, loading and empty states', async () => {
    const result = await page.evaluate(
      async ({ alerts, now }) => {
        const feed = document.getElementById('alerts') as HTMLElementTagNameMap['rx-alert-feed'];
        const fresh = { ...alerts[0], alert_id: 'AL-20261111-0043', rule: 'EXPIRED_OUTBOUND', entity: 'WH-GZ · B2311021', first_seen: new Date(now).toISOString() };
        feed.lang = 'zh-CN';
        feed.value = [fresh, ...alerts];
        feed.now = now + 1_000;
        await feed.updateComplete;
        const rows = [...(feed.shadowRoot?.querySelectorAll('[part=row]') ?? [])];
        return { first: rows[0]?.className ?? '', second: rows[1]?.className ?? '', shown: feed.getAttribute('data-shown') };
      },
      { alerts: ALERTS, now: NOW },
    );
    expect(result.first).toMatch(/\benter\b/);
    expect(result.second).not.toMatch(/\benter\b/);
    expect(JSON.parse(result.shown ?? '[]').slice(0, 2)).toEqual([['AL-20261111-0043', 1], ['AL-20261111-0042', 96]]);

    // An open critical alert stays on top of newer minor activity; the entity kind and evidence count read.
    const pinned = await page.evaluate(
      async ({ alerts }) => {
        const feed = document.getElementById('alerts') as HTMLElementTagNameMap['rx-alert-feed'];
        feed.value = [{ ...alerts[3], alert_id: 'AL-MINOR-NEW', entity: 'batch:B2405117', evidence_count: 3 }, ...alerts];
        await feed.updateComplete;
        const row = feed.shadowRoot!.querySelector('[data-alert=AL-MINOR-NEW]')!;
        const ids = (JSON.parse(feed.getAttribute('data-shown') ?? '[]') as [string, number][]).map(([id]) => id);
        return { ids: ids.slice(0, 3), entity: row.querySelector('[part=entity]')!.textContent, evidence: row.querySelector('[part=evidence]')!.textContent };
      },
      { alerts: ALERTS },
    );
    expect(pinned).toEqual({ ids: ['AL-20261111-0042', 'AL-MINOR-NEW', 'AL-20261111-0041'], entity: '批次 B2405117', evidence: '证据 3 条' });

    await page.evaluate(async () => {
      const get = (id: string): HTMLElement & { updateComplete: Promise<boolean> } & Record<string, unknown> =>
        document.getElementById(id) as never;
      for (const id of ['map', 'band', 'funnel', 'alerts', 'licences', 'expiry']) get(id).lang = 'zh-CN';
      Object.assign(get('map'), { state: 'stale' });
      Object.assign(get('band'), { state: 'loading' });
      Object.assign(get('funnel'), { value: {}, state: 'live' });
      Object.assign(get('alerts'), { value: [], state: 'live' });
      Object.assign(get('licences'), { state: 'stale' });
      Object.assign(get('expiry'), { value: { value_fen: 0, batches: 0, items: [] }, state: 'live' });
      await Promise.all(['map', 'band', 'funnel', 'alerts', 'licences', 'expiry'].map((id) => get(id).updateComplete));
    });
    expect(await page.locator('#funnel [part=empty]').textContent()).toBe('暂无数据');
    expect(await page.locator('#alerts [part=empty]').textContent()).toBe('暂无数据');
    expect(await page.locator('#expiry [part=empty]').textContent()).toBe('暂无数据');
    expect(await shown('expiry')).toEqual([]);
    expect(await page.locator('#map .badge').textContent()).toBe('数据延迟');
    await page.waitForTimeout(600);
    await page.screenshot({ path: join(OUTPUT_DIR, 'widgets-b-states.png') });

    // An empty province list: the neutral map under the empty text.
    await page.evaluate(async () => {
      const map = document.getElementById('map') as HTMLElementTagNameMap['rx-map'];
      Object.assign(map, { value: [], state: 'live' });
      await map.updateComplete;
    });
    expect(await page.locator('#map [part=empty]').textContent()).toBe('暂无数据');
    expect(await shown('map')).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('survives reattach and removal without errors', async () => {
    expect(await reattachAndCount(page, 'map', 'prepend', { value: byProvince }, 'svg.map', 300)).toBe(1);
    await page.evaluate(async () => {
      for (const el of document.querySelectorAll('rx-map, rx-band, rx-funnel, rx-alert-feed, rx-countdown')) el.remove();
      await new Promise((ok) => setTimeout(ok, 300));
    });
    expect(errors).toEqual([]);
  });

  it('keeps the boundaries out of the main bundle, in a chunk under 1 MB', async () => {
    const dist = fixture?.dist ?? '';
    const files = await readdir(join(dist, 'assets'));
    const sizes = await Promise.all(files.map(async (f) => ({ f, size: (await stat(join(dist, 'assets', f))).size })));
    const entry = sizes.find((s) => s.f.startsWith('index') || s.f.startsWith('main'));
    const geo = sizes.filter((s) => s !== entry);
    expect(geo.length).toBeGreaterThan(0);
    for (const s of geo) expect(s.size).toBeLessThan(1_000_000);
    expect(entry?.size ?? 0).toBeLessThan(300_000);
  });
});

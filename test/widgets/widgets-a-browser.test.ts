// rx-gauge, rx-bar, rx-ring, rx-topn, rx-list and the KPI's roll and delta, in Debian's Chromium at
// 1920×1080, zh-CN and English, with values shaped exactly like the metric API returns them.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outputPath } from '../helpers/browser.ts';
import { openWidgetPage, widgetFixture, type WidgetFixture } from '../helpers/widget-fixture.ts';
import { formatBp, formatCount, formatDuration, formatTime, formatYuanShort, type Lang } from '../../widgets/format.js';
import { CATEGORY_LABELS, CHANNEL_LABELS, labelOf } from '../../widgets/labels.js';

const WIDGETS = ['rx-kpi', 'rx-gauge', 'rx-bar', 'rx-ring', 'rx-topn', 'rx-list'] as const;

// ---------------------------------------------------------------------------------------------------
// Values as the API returns them (shapes from server/metrics).

const gmvVsTarget = {
  gmv_fen: 3_456_789_012,
  target_fen: 5_000_000_000,
  progress_bp: 6_914,
  by_channel: [
    { channel: 'tmall', gmv_fen: 1_234_567_800, target_fen: 1_500_000_000, progress_bp: 8_230 },
    { channel: 'jd', gmv_fen: 987_654_321, target_fen: 1_000_000_000, progress_bp: 9_877 },
    { channel: 'douyin', gmv_fen: 765_432_100, target_fen: 600_000_000, progress_bp: 12_757 },
    { channel: 'pdd', gmv_fen: 300_000_000, target_fen: null, progress_bp: null },
    { channel: 'meituan', gmv_fen: 169_134_791, target_fen: 400_000_000, progress_bp: 4_228 },
  ],
};
const overTarget = { gmv_fen: 6_172_500_000, target_fen: 5_000_000_000, progress_bp: 12_345, by_channel: [] };
const noTarget = { gmv_fen: 1_234_567_800, target_fen: null, progress_bp: null, by_channel: [] };

const gmvByChannel = [
  { channel: 'tmall', gmv_fen: 1_234_567_800, orders: 10_234 },
  { channel: 'jd', gmv_fen: 987_654_321, orders: 8_120 },
  { channel: 'douyin', gmv_fen: 765_432_100, orders: 7_002 },
  { channel: 'pdd', gmv_fen: 300_000_000, orders: 4_511 },
  { channel: 'meituan', gmv_fen: 169_134_791, orders: 2_250 },
  { channel: 'own', gmv_fen: 52_300_450, orders: 610 },
];
const gmvByCategory = [
  { category: 'rx', gmv_fen: 1_501_234_500, qty: 21_004 },
  { category: 'otc_a', gmv_fen: 803_400_000, qty: 30_120 },
  { category: 'device', gmv_fen: 512_000_033, qty: 4_002 },
  { category: 'otc_b', gmv_fen: 301_200_000, qty: 12_876 },
  { category: 'supplement', gmv_fen: 220_000_000, qty: 5_431 },
  { category: 'herbal', gmv_fen: 119_354_479, qty: 1_702 },
];
const buyers = { buyers: 12_345, new_buyers: 4_321, returning_buyers: 8_024, repurchase_rate_bp: 3_456 };
const topSkus = [
  { sku_id: 'SKU-0001', name: '阿莫西林胶囊 0.25g×24粒', qty: 1_820, gmv_fen: 98_765_400 },
  { sku_id: 'SKU-0017', name: '布洛芬缓释胶囊 0.3g×20粒', qty: 2_410, gmv_fen: 87_650_000 },
  { sku_id: 'SKU-0042', name: '连花清瘟胶囊 0.35g×36粒', qty: 1_302, gmv_fen: 76_543_210 },
  { sku_id: 'SKU-0103', name: null, qty: 950, gmv_fen: 65_432_100 },
  { sku_id: 'SKU-0005', name: '电子血压计 上臂式 医用家用全自动高精准测量仪', qty: 310, gmv_fen: 54_321_000 },
  { sku_id: 'SKU-0066', name: '维生素C咀嚼片', qty: 3_020, gmv_fen: 43_210_000 },
  { sku_id: 'SKU-0088', name: '氯雷他定片 10mg×6片', qty: 2_200, gmv_fen: 32_100_000 },
  { sku_id: 'SKU-0090', name: '医用外科口罩 50只', qty: 4_100, gmv_fen: 21_000_000 },
  { sku_id: 'SKU-0120', name: '六味地黄丸', qty: 700, gmv_fen: 12_345_600 },
  { sku_id: 'SKU-0200', name: '創可貼 100片', qty: 1_500, gmv_fen: 9_876_500 },
];
const provinces = ['广东', '浙江', '江苏', '上海', '北京', '山东', '四川', '湖北', '河南', '福建', '湖南', '安徽'];
const gmvByProvince = provinces.map((province, i) => ({ province, gmv_fen: 900_000_000 - i * 61_234_567, orders: 9_000 - i * 500 }));
const stockoutRisk = [
  { sku_id: 'SKU-0042', name: '连花清瘟胶囊 0.35g×36粒', on_hand: 120, sold_per_day: 60, days_of_cover: 2 },
  { sku_id: 'SKU-0017', name: '布洛芬缓释胶囊 0.3g×20粒', on_hand: 30, sold_per_day: 40, days_of_cover: 0 },
  { sku_id: 'SKU-0201', name: null, on_hand: 80, sold_per_day: 15, days_of_cover: 5 },
  { sku_id: 'SKU-0066', name: '维生素C咀嚼片', on_hand: 400, sold_per_day: 100, days_of_cover: 4 },
  { sku_id: 'SKU-0300', name: '退热贴 儿童', on_hand: 10, sold_per_day: 0, days_of_cover: null },
];
const nearExpiry = {
  value_fen: 12_345_678,
  batches: 4,
  items: [
    { warehouse_id: 'WH-SH', sku_id: 'SKU-0088', name: '氯雷他定片 10mg×6片', batch_no: 'B2301', expiry_date: '2026-12-01', days_left: 6, qty: 320, value_fen: 4_800_000 },
    { warehouse_id: 'WH-GZ', sku_id: 'SKU-0120', name: '六味地黄丸', batch_no: 'B2207', expiry_date: '2026-11-20', days_left: -5, qty: 120, value_fen: 3_600_000 },
    { warehouse_id: 'WH-BJ', sku_id: 'SKU-0066', name: '维生素C咀嚼片', batch_no: 'B2309', expiry_date: '2027-01-02', days_left: 38, qty: 900, value_fen: 2_700_000 },
    { warehouse_id: 'WH-CD', sku_id: 'SKU-0301', name: null, batch_no: 'B2311', expiry_date: '2027-02-01', days_left: 68, qty: 50, value_fen: null },
  ],
};
/** 20 orders, newest first, one every 7 s before 2026-11-11 00:00:20 in Shanghai (16:00:20 UTC the day before). */
function latestOrders(): Array<Record<string, unknown>> {
  const channels = ['tmall', 'jd', 'douyin', 'pdd', 'meituan', 'own'];
  const places = ['广东', '浙江', '江苏', '上海', '北京', '四川', '湖北'];
  const t0 = Date.parse('2026-11-10T16:00:20Z');
  return Array.from({ length: 20 }, (_, i) => ({
    order_id: `O${String(900_000 - i)}`,
    ts: new Date(t0 - i * 7_000).toISOString(),
    channel: channels[i % channels.length],
    province: places[i % places.length],
    city: '',
    buyer: ['张**', '李**', '王**', '赵**'][i % 4],
    paid_fen: 12_345 + i * 1_001,
    items: 1 + (i % 3),
  }));
}
const pendingQueue = {
  count: 7,
  over_sla: 2,
  items: [
    { rx_id: 'RX-20261111-0001', order_id: 'O1', state: 'waiting', issued_at: '2026-11-10T14:55:00Z', age_s: 3_900 },
    { rx_id: 'RX-20261111-0002', order_id: 'O2', state: 'in_review', issued_at: '2026-11-10T15:40:00Z', age_s: 1_250 },
    { rx_id: 'RX-20261111-0003', order_id: 'O3', state: 'waiting', issued_at: '2026-11-10T15:48:00Z', age_s: 720 },
    { rx_id: 'RX-20261111-0004', order_id: 'O4', state: 'waiting', issued_at: '2026-11-10T15:59:30Z', age_s: 30 },
  ],
};
const warehouses = ['WH-SH', 'WH-GZ', 'WH-BJ'];
const picksPerHour = Array.from({ length: 10 }, (_, h) =>
  warehouses.map((warehouse_id, w) => ({ hour: `${String(8 + h).padStart(2, '0')}:00`, warehouse_id, picks: 400 + ((h * 137 + w * 211) % 500), moves: 90 })),
).flat();
const backlog = {
  orders: 1_234,
  oldest_paid_at: '2026-11-09T10:00:00Z',
  oldest_age_s: 108_000,
  by_age: [
    { bucket: '<1h', orders: 812 },
    { bucket: '1-4h', orders: 301 },
    { bucket: '4-24h', orders: 98 },
    { bucket: '>24h', orders: 23 },
  ],
};
const stockValue = [
  { warehouse_id: 'WH-SH', name: '上海嘉定仓', qty: 120_000, value_fen: 2_345_678_900, unknown_cost_qty: 0 },
  { warehouse_id: 'WH-GZ', name: '广州白云仓', qty: 98_000, value_fen: 1_876_543_200, unknown_cost_qty: 12 },
  { warehouse_id: 'WH-BJ', name: '北京大兴冷链仓', qty: 65_000, value_fen: 1_234_000_000, unknown_cost_qty: 0 },
  { warehouse_id: 'WH-CD', name: null, qty: 30_000, value_fen: 456_789_000, unknown_cost_qty: 0 },
  { warehouse_id: 'WH-WH', name: '武汉东西湖仓', qty: 21_000, value_fen: 321_000_000, unknown_cost_qty: 0 },
];
const grossMargin = [
  { key: 'tmall', revenue_fen: 1_234_567_800, cogs_fen: 864_197_460, margin_fen: 370_370_340, margin_bp: 3_000, unknown_cost_qty: 0, unknown_cost_revenue_fen: 0 },
  { key: 'jd', revenue_fen: 987_654_321, cogs_fen: 700_000_000, margin_fen: 287_654_321, margin_bp: 2_912, unknown_cost_qty: 0, unknown_cost_revenue_fen: 0 },
  { key: 'douyin', revenue_fen: 765_432_100, cogs_fen: 600_000_000, margin_fen: 165_432_100, margin_bp: 2_161, unknown_cost_qty: 0, unknown_cost_revenue_fen: 0 },
  { key: 'pdd', revenue_fen: 300_000_000, cogs_fen: 310_000_000, margin_fen: -10_000_000, margin_bp: -333, unknown_cost_qty: 0, unknown_cost_revenue_fen: 0 },
];

// ---------------------------------------------------------------------------------------------------
// Widgets on a 4×3 grid of the 1920×1080 page.

interface Mount {
  id: string;
  tag: (typeof WIDGETS)[number];
  area: string; // grid-area: row / col / row-end / col-end
  props: Record<string, unknown>;
}

const L = (zh: string, en: string) => ({ 'zh-CN': zh, en });

function sales(lang: Lang): Mount[] {
  const t = (zh: string, en: string): string => (lang === 'en' ? en : zh);
  return [
    { id: 'kpi-gmv', tag: 'rx-kpi', area: '1 / 1', props: { label: t('今日成交额', 'GMV today'), format: 'yuan', value: 3_456_789_012, delta: 123_456_700, deltaLabel: t('较昨日同期', 'vs yesterday') } },
    { id: 'kpi-orders', tag: 'rx-kpi', area: '1 / 2', props: { label: t('支付订单数', 'Paid orders'), format: 'count', value: 32_727, delta: -1_204, deltaLabel: t('较昨日同期', 'vs yesterday') } },
    { id: 'kpi-refund', tag: 'rx-kpi', area: '1 / 3', props: { label: t('退款率', 'Refund rate'), format: 'bp', value: 235, delta: -12, deltaLabel: t('较昨日', 'vs yesterday') } },
    { id: 'kpi-review', tag: 'rx-kpi', area: '1 / 4', props: { label: t('处方审核时长 P50', 'Rx review P50'), format: 'seconds', value: 95, delta: 0 } },
    { id: 'gauge', tag: 'rx-gauge', area: '2 / 1', props: { label: t('目标达成', 'GMV vs target'), value: gmvVsTarget, options: { channels: true } } },
    { id: 'bar-channel', tag: 'rx-bar', area: '2 / 2', props: { label: t('分渠道成交额', 'GMV by channel'), value: gmvByChannel, options: { x: 'channel', y: 'gmv_fen', format: 'yuan', labels: 'channel' } } },
    { id: 'ring-category', tag: 'rx-ring', area: '2 / 3', props: { label: t('品类结构', 'GMV by category'), value: gmvByCategory, options: { x: 'category', y: 'gmv_fen', format: 'yuan', labels: 'category' } } },
    { id: 'topn-skus', tag: 'rx-topn', area: '2 / 4 / 4 / 5', props: { label: t('热销商品 TOP10', 'Top 10 SKUs'), value: topSkus, options: { name: 'name', nameFallback: 'sku_id', value: 'gmv_fen', format: 'yuan', secondary: 'qty', secondaryFormat: 'count' } } },
    {
      id: 'list-orders', tag: 'rx-list', area: '3 / 1 / 4 / 3',
      props: {
        label: t('最新订单', 'Latest orders'), value: latestOrders(), tz: 'Asia/Shanghai',
        options: {
          key: 'order_id', visible: 6, rowHeight: 44,
          columns: [
            { field: 'ts', format: 'time', label: L('时间', 'Time'), width: 120 },
            { field: 'channel', labels: 'channel', label: L('渠道', 'Channel'), width: 140 },
            { field: 'province', label: L('省份', 'Province') },
            { field: 'buyer', label: L('买家', 'Buyer') },
            { field: 'paid_fen', format: 'yuan', label: L('金额', 'Amount'), width: 150 },
          ],
        },
      },
    },
    { id: 'ring-buyers', tag: 'rx-ring', area: '3 / 3', props: { label: t('新老买家', 'New vs returning'), value: buyers, options: { fields: ['new_buyers', 'returning_buyers'], fieldLabels: { new_buyers: L('新客', 'New'), returning_buyers: L('老客', 'Returning') }, format: 'count' } } },
  ];
}

function ops(lang: Lang): Mount[] {
  const t = (zh: string, en: string): string => (lang === 'en' ? en : zh);
  return [
    { id: 'bar-picks', tag: 'rx-bar', area: '1 / 1 / 2 / 3', props: { label: t('每小时拣货件数', 'Picks per hour'), value: picksPerHour, options: { x: 'hour', y: 'picks', series: 'warehouse_id', format: 'count' } } },
    { id: 'bar-backlog', tag: 'rx-bar', area: '1 / 3', props: { label: t('待发货积压', 'Outbound backlog'), value: backlog, options: { items: 'by_age', x: 'bucket', y: 'orders', labels: 'backlog', format: 'count', orientation: 'horizontal' } } },
    { id: 'gauge-over', tag: 'rx-gauge', area: '1 / 4', props: { label: t('目标达成（超额）', 'Target (exceeded)'), value: overTarget } },
    { id: 'bar-stock', tag: 'rx-bar', area: '2 / 1', props: { label: t('各仓库存金额', 'Stock value by warehouse'), value: stockValue, options: { x: 'name', xFallback: 'warehouse_id', y: 'value_fen', format: 'yuan' } } },
    { id: 'bar-margin', tag: 'rx-bar', area: '2 / 2', props: { label: t('分渠道毛利', 'Gross margin by channel'), value: grossMargin, options: { x: 'key', y: 'margin_fen', format: 'yuan', labels: 'channel', orientation: 'horizontal' } } },
    { id: 'topn-province', tag: 'rx-topn', area: '2 / 3 / 4 / 4', props: { label: t('省份销售排行', 'GMV by province'), value: gmvByProvince, options: { name: 'province', value: 'gmv_fen', format: 'yuan', limit: 10 } } },
    { id: 'gauge-none', tag: 'rx-gauge', area: '2 / 4', props: { label: t('目标达成', 'GMV vs target'), value: noTarget, options: { channels: true } } },
    { id: 'topn-stockout', tag: 'rx-topn', area: '3 / 1', props: { label: t('缺货风险（可售天数）', 'Stock-out risk (days)'), value: stockoutRisk, options: { name: 'name', nameFallback: 'sku_id', value: 'days_of_cover', format: 'count', order: 'asc', limit: 5 } } },
    { id: 'topn-expiry', tag: 'rx-topn', area: '3 / 2', props: { label: t('近效期库存', 'Near-expiry stock'), value: nearExpiry, options: { items: 'items', name: 'name', nameFallback: 'sku_id', value: 'value_fen', format: 'yuan', limit: 5 } } },
    {
      id: 'list-queue', tag: 'rx-list', area: '3 / 4',
      props: {
        label: t('待审处方', 'Rx queue'), value: pendingQueue,
        options: {
          items: 'items', key: 'rx_id', visible: 4, rowHeight: 44,
          columns: [
            { field: 'rx_id', label: L('处方号', 'Rx') },
            { field: 'state', width: 100, label: L('状态', 'State'), values: { waiting: L('待审', 'Waiting'), in_review: L('审核中', 'In review') } },
            { field: 'age_s', format: 'age', width: 110, label: L('等待', 'Waiting') },
          ],
        },
      },
    },
  ];
}

const HEAD = `<style>
  html, body { margin: 0; height: 100%; background: #050b1a; }
  body { box-sizing: border-box; padding: 32px; background: radial-gradient(ellipse at 50% 0%, #0b1f44 0%, #050b1a 60%); }
  #grid { height: 100%; display: grid; grid-template-columns: repeat(4, minmax(0, 1fr)); grid-template-rows: 220px minmax(0, 1fr) minmax(0, 1fr); gap: 24px; }
  #grid > * { min-width: 0; min-height: 0; }
</style>`;

describe('widgets (gauge, bar, ring, top-N, list, KPI roll) in Chromium', () => {
  let fixture: WidgetFixture | undefined;
  let browser: Browser;
  let page: Page;
  let errors: string[] = [];

  async function mount(mounts: Mount[], lang: Lang): Promise<void> {
    await page.evaluate(
      async ({ mounts, lang }) => {
        const grid = document.getElementById('grid') as HTMLElement;
        grid.replaceChildren();
        for (const m of mounts) {
          const el = document.createElement(m.tag) as HTMLElement & { updateComplete: Promise<boolean> };
          el.id = m.id;
          el.style.gridArea = m.area;
          Object.assign(el, { lang, state: 'live', ...m.props });
          grid.append(el);
        }
        await Promise.all([...grid.children].map((el) => (el as HTMLElement & { updateComplete: Promise<boolean> }).updateComplete));
      },
      { mounts, lang },
    );
    // G2 draws on the next animation frame and asynchronously after it.
    await page.waitForTimeout(900);
  }

  const shown = async (id: string): Promise<unknown> => JSON.parse((await page.locator(`#${id}`).getAttribute('data-shown')) ?? 'null');

  beforeAll(async () => {
    fixture = await widgetFixture('widgets-a', '<div id="grid"></div>', HEAD, WIDGETS);
    // Far from the business zone: list times must still read Shanghai time.
    ({ browser, page, errors } = await openWidgetPage(fixture.url));
    await page.waitForFunction((tags) => tags.every((t) => customElements.get(t)), [...WIDGETS]);
  });

  afterAll(async () => {
    await browser?.close();
    await fixture?.close();
  });

  for (const lang of ['zh-CN', 'en'] as const) {
    it(`sales widgets show exactly the API values (${lang})`, async () => {
      await mount(sales(lang), lang);
      const ch = (c: string): string => labelOf(CHANNEL_LABELS, c, lang);

      expect(await shown('gauge')).toEqual([
        ['progress_bp', 6_914],
        ['gmv_fen', 3_456_789_012],
        ['target_fen', 5_000_000_000],
        ...gmvVsTarget.by_channel.map((c) => [ch(c.channel), c.progress_bp]),
      ]);
      expect(await page.locator('#gauge [part=progress]').textContent()).toBe(formatBp(6_914, lang, 2));
      expect(await page.locator('#gauge [part=gmv]').textContent()).toBe(formatYuanShort(3_456_789_012, lang));
      expect(await page.locator('#gauge [part=target]').textContent()).toBe(formatYuanShort(5_000_000_000, lang));

      expect(await shown('bar-channel')).toEqual(gmvByChannel.map((r) => [ch(r.channel), r.gmv_fen]));
      expect(await shown('ring-category')).toEqual(gmvByCategory.map((r) => [labelOf(CATEGORY_LABELS, r.category, lang), r.gmv_fen]));
      expect(await shown('ring-buyers')).toEqual([
        [lang === 'en' ? 'New' : '新客', 4_321],
        [lang === 'en' ? 'Returning' : '老客', 8_024],
      ]);
      // Legend percentages are exact shares of integers: 4321 / 12345 = 35.0%.
      expect(await page.locator('#ring-buyers [part=legend] .pct').allTextContents()).toEqual(['35.0%', '65.0%']);
      expect(await shown('topn-skus')).toEqual(topSkus.map((r) => [r.name ?? r.sku_id, r.gmv_fen]));

      const orders = latestOrders();
      const list = (await shown('list-orders')) as Array<[string, number]>;
      expect(list).toEqual(orders.map((o) => [formatTime(o.ts as string, 'Asia/Shanghai'), o.paid_fen]));
      // Business time, not the browser's New York clock: the newest order is at 00:00:20 in Shanghai.
      expect(list[0][0]).toBe('00:00:20');
      expect(await page.locator('#list-orders li:not(.copy) .c0').first().textContent()).toBe('00:00:20');

      for (const [id, text] of [
        ['kpi-gmv', formatYuanShort(3_456_789_012, lang)],
        ['kpi-orders', formatCount(32_727, lang)],
        ['kpi-refund', formatBp(235, lang)],
        ['kpi-review', formatDuration(95, lang)],
      ] as const) {
        expect(await page.locator(`#${id} [part=value]`).textContent()).toBe(text);
        expect((await page.locator(`#${id} [part=value]`).innerText()).replace(/\s/g, '')).toBe(text.replace(/\s/g, ''));
      }
      expect(await page.locator('#kpi-gmv [part=delta]').textContent()).toContain(`▲${formatYuanShort(123_456_700, lang)}`);
      expect(await page.locator('#kpi-orders [part=delta]').textContent()).toContain(`▼${formatCount(1_204, lang)}`);
      expect(await page.locator('#kpi-gmv').getAttribute('data-delta')).toBe('123456700');

      // Both G2 charts drew something.
      for (const id of ['bar-channel', 'ring-category', 'ring-buyers']) {
        expect(await page.locator(`#${id} canvas`).count()).toBe(1);
      }
      await page.screenshot({ path: outputPath(`widgets-a-sales-${lang}.png`) });
      expect(errors).toEqual([]);
    });

    it(`ops widgets show exactly the API values (${lang})`, async () => {
      await mount(ops(lang), lang);
      expect(await shown('bar-picks')).toEqual(picksPerHour.map((r) => [`${r.hour} · ${r.warehouse_id}`, r.picks]));
      expect(await shown('bar-backlog')).toEqual(
        backlog.by_age.map((r) => [({ '<1h': ['1小时内', '< 1 h'], '1-4h': ['1–4小时', '1–4 h'], '4-24h': ['4–24小时', '4–24 h'], '>24h': ['超24小时', '> 24 h'] } as Record<string, string[]>)[r.bucket][lang === 'en' ? 1 : 0], r.orders]),
      );
      // A warehouse without a name shows its id.
      expect(await shown('bar-stock')).toEqual(stockValue.map((r) => [r.name ?? r.warehouse_id, r.value_fen]));
      expect(await shown('bar-margin')).toEqual(grossMargin.map((r) => [labelOf(CHANNEL_LABELS, r.key, lang), r.margin_fen]));
      expect(await shown('gauge-over')).toEqual([['progress_bp', 12_345], ['gmv_fen', 6_172_500_000], ['target_fen', 5_000_000_000]]);
      expect(await page.locator('#gauge-over [part=progress]').textContent()).toBe('123.45%');
      expect(await shown('gauge-none')).toEqual([['progress_bp', null], ['gmv_fen', 1_234_567_800], ['target_fen', null]]);
      expect(await page.locator('#gauge-none [part=progress]').textContent()).toBe(lang === 'en' ? 'No target' : '未设目标');
      expect(await shown('topn-province')).toEqual(gmvByProvince.slice(0, 10).map((r) => [r.province, r.gmv_fen]));
      expect(await shown('topn-stockout')).toEqual([
        ['布洛芬缓释胶囊 0.3g×20粒', 0],
        ['连花清瘟胶囊 0.35g×36粒', 2],
        ['维生素C咀嚼片', 4],
        ['SKU-0201', 5],
      ]);
      expect(await shown('topn-expiry')).toEqual([
        ['氯雷他定片 10mg×6片', 4_800_000],
        ['六味地黄丸', 3_600_000],
        ['维生素C咀嚼片', 2_700_000],
      ]);
      expect(await shown('list-queue')).toEqual(pendingQueue.items.map((r) => [r.rx_id, r.age_s]));
      expect(await page.locator('#list-queue li .c2').allTextContents()).toEqual(
        lang === 'en' ? ['1 h 5 min', '20 min', '12 min', '< 1 min'] : ['1小时5分', '20分', '12分', '<1分'],
      );
      await page.screenshot({ path: outputPath(`widgets-a-ops-${lang}.png`) });
      await page.locator('#bar-stock').screenshot({ path: outputPath(`widgets-a-bar-rotated-${lang}.png`) });
      expect(errors).toEqual([]);
    });
  }

  it('renders loading, stale and empty states, in both languages', async () => {
    const mounts: Mount[] = [];
    const tags = ['rx-gauge', 'rx-bar', 'rx-ring', 'rx-topn', 'rx-list'] as const;
    const options: Record<string, Record<string, unknown>> = {
      'rx-gauge': { channels: true },
      'rx-bar': { x: 'channel', y: 'gmv_fen', format: 'yuan', labels: 'channel' },
      'rx-ring': { x: 'channel', y: 'gmv_fen', format: 'yuan', labels: 'channel' },
      'rx-topn': { name: 'channel', value: 'gmv_fen', format: 'yuan', labels: 'channel' },
      'rx-list': { columns: [{ field: 'channel', labels: 'channel' }, { field: 'gmv_fen', format: 'yuan' }] },
    };
    const full: Record<string, unknown> = { 'rx-gauge': gmvVsTarget, 'rx-bar': gmvByChannel, 'rx-ring': gmvByChannel, 'rx-topn': gmvByChannel, 'rx-list': gmvByChannel };
    tags.forEach((tag, i) => {
      const col = i + 1;
      mounts.push({ id: `loading-${tag}`, tag, area: `1 / ${col}`, props: { label: '加载中的组件', state: 'loading', options: options[tag] } });
      mounts.push({ id: `empty-${tag}`, tag, area: `2 / ${col}`, props: { label: 'Empty widget', lang: 'en', value: tag === 'rx-gauge' ? null : [], options: options[tag] } });
      if (i < 3) mounts.push({ id: `stale-${tag}`, tag, area: `3 / ${col}`, props: { label: '数据延迟的组件', state: 'stale', value: full[tag], options: options[tag] } });
    });
    await page.evaluate(() => ((document.getElementById('grid') as HTMLElement).style.gridTemplateColumns = 'repeat(5, minmax(0, 1fr))'));
    await mount(mounts, 'zh-CN');
    for (const tag of tags) {
      expect(await page.locator(`#empty-${tag} [part=empty]`).textContent()).toBe('No data');
      expect(await page.locator(`#empty-${tag}`).getAttribute('data-shown')).toBe(tag === 'rx-gauge' ? null : '[]');
      expect(await page.locator(`#loading-${tag} [part=skeleton]`).count()).toBe(1);
      expect(await page.locator(`#loading-${tag}`).getAttribute('data-shown')).toBeNull();
    }
    for (const tag of tags.slice(0, 3)) expect(await page.locator(`#stale-${tag} .badge`).textContent()).toBe('数据延迟');
    await page.screenshot({ path: outputPath('widgets-a-states.png') });
    await page.evaluate(() => ((document.getElementById('grid') as HTMLElement).style.gridTemplateColumns = ''));
    expect(errors).toEqual([]);
  });

  it('rolls KPI digits by transform only, keeping the final text readable throughout', async () => {
    await mount(sales('zh-CN').slice(0, 4), 'zh-CN');
    const read = (): Promise<{ text: string; inner: string; rolling: number; glowing: number }> =>
      page.evaluate(() => {
        const part = document.getElementById('kpi-gmv')?.shadowRoot?.querySelector('[part=value]') as HTMLElement;
        const glow = part.querySelector('.glow') as HTMLElement | null;
        return { text: part.textContent ?? '', inner: part.innerText, rolling: part.querySelectorAll('.roll-a, .roll-b').length, glowing: glow?.getAnimations().length ?? 0 };
      });
    await page.evaluate(() => {
      const el = document.getElementById('kpi-gmv') as HTMLElementTagNameMap['rx-kpi'];
      el.value = 3_466_789_012;
    });
    const during = await read();
    const final = formatYuanShort(3_466_789_012, 'zh-CN');
    expect(during.text).toBe(final);
    expect(during.inner.replace(/\s/g, '')).toBe(final);
    expect(during.rolling).toBeGreaterThan(0);
    expect(during.glowing).toBe(1);
    // Only transform and opacity animate; and the roll is over within 600 ms (plus a frame or two).
    const props = await page.evaluate(() =>
      document
        .getElementById('kpi-gmv')
        ?.shadowRoot?.getAnimations()
        .filter((a) => (a as CSSAnimation).animationName?.startsWith('roll') || (a as CSSAnimation).animationName?.startsWith('hide'))
        .flatMap((a) => ((a.effect as KeyframeEffect).getKeyframes() as Array<Record<string, unknown>>).flatMap((k) => Object.keys(k)))
        .filter((k) => !['offset', 'easing', 'composite', 'computedOffset'].includes(k)),
    );
    expect(new Set(props)).toEqual(new Set(['transform', 'opacity']));
    await expect.poll(async () => (await read()).rolling, { timeout: 2_000 }).toBe(0);
    expect((await read()).text).toBe(final);
    expect(errors).toEqual([]);
  });

  it('does not roll under prefers-reduced-motion', async () => {
    await page.emulateMedia({ reducedMotion: 'reduce' });
    await mount(sales('zh-CN').slice(0, 1), 'zh-CN');
    const rolling = await page.evaluate(async () => {
      const el = document.getElementById('kpi-gmv') as HTMLElementTagNameMap['rx-kpi'];
      el.value = 3_999_999_999;
      await el.updateComplete;
      return el.shadowRoot?.querySelectorAll('.roll-a, .roll-b').length;
    });
    expect(rolling).toBe(0);
    await page.emulateMedia({ reducedMotion: null });
  });

  it('new list rows slide in, a long list moves up row by row, and removal leaves nothing running', async () => {
    await mount(sales('zh-CN').filter((m) => m.tag === 'rx-list'), 'zh-CN');
    const state = await page.evaluate(async () => {
      const el = document.getElementById('list-orders') as HTMLElementTagNameMap['rx-list'];
      const track = el.shadowRoot?.querySelector('.track') as HTMLElement;
      // Row by row: still at first, one row up after secondsPerRow (3 s), no animation running in between.
      const still = getComputedStyle(track).transform;
      await new Promise((r) => setTimeout(r, 3_800));
      const moved = getComputedStyle(track).transform;
      const scrolling = { classed: track.classList.contains('scrolling'), still, moved, animations: track.getAnimations().length };
      const first = (el.value as Array<Record<string, unknown>>)[0];
      el.value = [{ ...first, order_id: 'O-NEW', ts: '2026-11-10T16:00:27Z', paid_fen: 99_900 }, ...(el.value as unknown[]).slice(0, 19)];
      await el.updateComplete;
      const rows = [...(el.shadowRoot?.querySelectorAll('li:not(.copy)') ?? [])] as HTMLElement[];
      // One glide for the whole list, none per row.
      const glides = (el.shadowRoot?.querySelector('ul.rows') as HTMLElement).getAnimations().length;
      const perRow = rows.slice(1).reduce((n, r) => n + r.getAnimations().length, 0);
      return { scrolling, first: rows[0].querySelector('.c0')?.textContent, glides, perRow, count: rows.length };
    });
    expect(state.scrolling.classed).toBe(true);
    expect(state.scrolling.still).toMatch(/^(none|matrix\(1, 0, 0, 1, 0, 0\))$/);
    expect(state.scrolling.moved).toMatch(/^matrix\(1, 0, 0, 1, 0, -\d+\)$/);
    expect(state.scrolling.animations).toBe(0);
    expect(state.first).toBe('00:00:27');
    expect(state.glides).toBe(1);
    expect(state.perRow).toBe(0);
    expect(state.count).toBe(20);
    expect(JSON.parse((await page.locator('#list-orders').getAttribute('data-shown')) ?? '[]')[0]).toEqual(['00:00:27', 99_900]);

    // Mount every chart again and remove them mid-render: no errors, no canvases left behind.
    await mount(sales('en'), 'en');
    await page.evaluate(async () => {
      const bar = document.getElementById('bar-channel') as HTMLElementTagNameMap['rx-bar'];
      bar.value = [...(bar.value as unknown[])].reverse();
      await bar.updateComplete;
      await new Promise((ok) => requestAnimationFrame(ok));
      document.getElementById('grid')?.replaceChildren();
      await new Promise((ok) => setTimeout(ok, 500));
    });
    expect(await page.locator('#grid > *').count()).toBe(0);
    expect(errors).toEqual([]);
  });
});

import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OUTPUT_DIR } from '../helpers/browser.ts';
import { openWidgetPage, reattachAndCount, widgetFixture, type WidgetFixture } from '../helpers/widget-fixture.ts';
import { formatCount, formatYuanExact, formatYuanShort } from '../../widgets/format.js';

const outputDir = OUTPUT_DIR;

/** 600 minutes from 00:00: a quiet night, then the morning rise, with deterministic noise. */
function morningPoints(): Array<{ minute: string; orders: number }> {
  let seed = 7;
  const noise = (): number => ((seed = (seed * 16_807) % 2_147_483_647) / 2_147_483_647 - 0.5) * 2;
  return Array.from({ length: 600 }, (_, i) => {
    const base = i < 360 ? 12 - i / 60 : 6 + ((i - 360) / 240) ** 1.6 * 140;
    return {
      minute: `${String(Math.floor(i / 60)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}`,
      orders: Math.max(0, Math.round(base * (1 + 0.18 * noise()))),
    };
  });
}

const HEAD = `<style>
  html, body { margin: 0; height: 100%; background: #050b1a; }
  body { display: grid; grid-template-rows: 230px 1fr; gap: 24px; padding: 40px; box-sizing: border-box;
    background: radial-gradient(ellipse at 50% 0%, #0b1f44 0%, #050b1a 60%); }
  .row { display: grid; grid-template-columns: repeat(4, 1fr); gap: 24px; }
</style>`;
const BODY = `
  <div class="row">
    <rx-kpi id="gmv"></rx-kpi><rx-kpi id="orders"></rx-kpi><rx-kpi id="stale"></rx-kpi><rx-kpi id="loading"></rx-kpi>
  </div>
  <rx-line id="line"></rx-line>
`;

describe('widgets in Chromium', () => {
  let fixture: WidgetFixture | undefined;
  let browser: Browser;
  let page: Page;
  let errors: string[] = [];

  beforeAll(async () => {
    fixture = await widgetFixture('kpi-line', BODY, HEAD);
    // A zone far from the business zone: the axis must not move with the browser's clock.
    ({ browser, page, errors } = await openWidgetPage(fixture.url));
    await page.waitForFunction(() => customElements.get('rx-kpi') && customElements.get('rx-line'));
  });

  afterAll(async () => {
    await browser?.close();
    await fixture?.close();
  });

  it('shows KPI values, reflects data-value, and draws the line', async () => {
    const gmv = 1_234_567_800;
    const orders = 12_345;
    await page.evaluate(
      async ({ gmv, orders, points }) => {
        const set = (id: string, props: Partial<HTMLElementTagNameMap['rx-kpi']>): Promise<boolean> => {
          const el = document.getElementById(id) as HTMLElementTagNameMap['rx-kpi'];
          Object.assign(el, props);
          return el.updateComplete;
        };
        await set('gmv', { label: '今日成交额 GMV', sublabel: '含处方药 · 截至 09:59', format: 'yuan', value: gmv, state: 'live' });
        await set('orders', { label: '今日订单数', format: 'count', value: orders, state: 'live' });
        await set('stale', { label: 'Cold-chain GMV', lang: 'en', format: 'yuan', value: 98_765_432_100, state: 'stale' });
        await set('loading', { label: '处方审核通过', format: 'count', value: null, state: 'loading' });
        const line = document.getElementById('line') as HTMLElementTagNameMap['rx-line'];
        Object.assign(line, { label: '每分钟订单量', state: 'live', points });
        await line.updateComplete;
      },
      { gmv, orders, points: morningPoints() },
    );

    const kpi = page.locator('#gmv');
    await expect.poll(() => kpi.getAttribute('data-value')).toBe(String(gmv));
    expect(await kpi.locator('[part=value]').textContent()).toBe(formatYuanShort(gmv, 'zh-CN'));
    expect(await kpi.locator('[part=exact]').textContent()).toBe(formatYuanExact(gmv));
    expect(await page.locator('#orders').getAttribute('data-value')).toBe(String(orders));
    expect(await page.locator('#orders [part=value]').textContent()).toBe(formatCount(orders, 'zh-CN'));
    expect(await page.locator('#stale [part=value]').textContent()).toBe('¥987.65M');
    expect(await page.locator('#loading [part=value]').textContent()).toBe('—');
    expect(await page.locator('#loading').getAttribute('data-value')).toBeNull();

    // The line is cyan and opaque; 600 of 1,440 minutes should end about 42% across the plot.
    const probe = (): Promise<{ width: number; cyan: number; lastX: number }> =>
      page.evaluate(() => {
        const canvas = document.getElementById('line')?.shadowRoot?.querySelector<HTMLCanvasElement>('.plot.live canvas');
        const ctx = canvas?.getContext('2d');
        if (!canvas || !ctx) return { width: 0, cyan: 0, lastX: -1 };
        const { data, width, height } = ctx.getImageData(0, 0, canvas.width, canvas.height);
        let cyan = 0;
        let lastX = -1;
        for (let i = 0; i < width * height; i++) {
          const [r, g, b, a] = [data[i * 4], data[i * 4 + 1], data[i * 4 + 2], data[i * 4 + 3]];
          if (a > 200 && r < 120 && g > 150 && b > 170) {
            cyan++;
            lastX = Math.max(lastX, i % width);
          }
        }
        return { width, cyan, lastX };
      });
    await expect.poll(async () => (await probe()).cyan, { timeout: 10_000 }).toBeGreaterThan(500);
    const { width, lastX } = await probe();
    const dpr = await page.evaluate(() => devicePixelRatio);
    const plotStart = 72 * dpr; // paddingLeft of the G2 view
    const plotWidth = width - (72 + 32) * dpr;
    expect((lastX - plotStart) / plotWidth).toBeGreaterThan(0.39);
    expect((lastX - plotStart) / plotWidth).toBeLessThan(0.45);

    await page.waitForTimeout(1_000); // let the value flash finish before the screenshot
    await page.screenshot({ path: join(outputDir, 'widgets-kpi-line.png') });
    expect(errors).toEqual([]);
  });

  it('flashes on change, shows the empty text, survives reconnects and removal', async () => {
    const flash = await page.evaluate(async () => {
      const el = document.getElementById('gmv') as HTMLElementTagNameMap['rx-kpi'];
      el.value = 1_234_600_000;
      await el.updateComplete;
      // The glow behind the number fades out: an opacity animation of the one glow element.
      return (el.shadowRoot?.querySelector('[part=value] .glow') as HTMLElement | null)?.getAnimations().map((a) => JSON.stringify((a.effect as KeyframeEffect).getKeyframes().map((k) => k.opacity))) ?? [];
    });
    expect(flash).toEqual(['["1","0"]']);
    expect(await page.locator('#gmv').getAttribute('data-value')).toBe('1234600000');

    await page.evaluate(() => {
      const line = document.getElementById('line') as HTMLElementTagNameMap['rx-line'];
      line.points = [];
    });
    await expect.poll(() => page.locator('#line [part=empty]').textContent()).toBe('暂无数据');
    await page.screenshot({ path: join(outputDir, 'widgets-line-empty.png') });

    // Detach and reattach: the chart is destroyed and rebuilt, never duplicated.
    // (Two canvases: the axis layer and the live layer.)
    // Charts take turns (a few frames each), so the count is polled, then held.
    await reattachAndCount(page, 'line', 'append', { points: morningPoints() }, 'canvas', 0);
    await expect.poll(() => page.locator('#line canvas').count(), { timeout: 10_000 }).toBe(2);
    await page.waitForTimeout(500);
    expect(await page.locator('#line canvas').count()).toBe(2);

    // Remove while G2 is mid-render: destroy() must not leave errors or timers behind.
    await page.evaluate(async (points) => {
      const line = document.getElementById('line') as HTMLElementTagNameMap['rx-line'];
      line.points = points.slice(0, 300);
      await line.updateComplete; // the element has queued its draw for the next frame…
      await new Promise((ok) => requestAnimationFrame(ok)); // …which runs just before this callback
      for (const el of document.querySelectorAll('rx-kpi, rx-line')) el.remove();
      await new Promise((ok) => setTimeout(ok, 500));
    }, morningPoints());
    expect(await page.locator('rx-kpi, rx-line').count()).toBe(0);
    expect(errors).toEqual([]);
  });
});

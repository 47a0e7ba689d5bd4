// Scaling modes on odd displays: fit letterboxes the 1920×1080 canvas, fill-width fills the width, and
// relayout (LED walls) gives the canvas the display's aspect ratio at the design height, so the grid
// re-lays and text keeps its size instead of being stretched or shrunk.
import { describe, expect, it } from 'vitest';
import { useBrowser, outputPath, watchErrors } from '../helpers/browser.ts';
import { ADMIN, useServer } from '../helpers/server.ts';

const server = useServer();
const browser = useBrowser();

const label = { 'zh-CN': '成交额', en: 'GMV' };
const screen = (id: string, scale: string) => ({
  id,
  title: { 'zh-CN': 'LED 墙', en: 'LED wall' },
  scale,
  grid: { columns: 4, rows: 2 },
  widgets: [
    { id: 'gmv', type: 'rx-kpi', area: { col: 1, row: 1, colSpan: 2, rowSpan: 2 }, label, metric: 'sales.gmv', options: { format: 'yuan' } },
    { id: 'orders', type: 'rx-kpi', area: { col: 3, row: 1, colSpan: 2, rowSpan: 2 }, label, metric: 'sales.paid_orders', options: { format: 'count' } },
  ],
});

async function stageOf(id: string, width: number, height: number) {
  const res = await fetch(`${server().url}/api/v1/screens/${id}`, { method: 'PUT', headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' }, body: JSON.stringify(screen(id, id)) });
  expect(res.status).toBe(200);
  const page = await browser().newPage({ viewport: { width, height } });
  const errors = watchErrors(page);
  await page.goto(`${server().url}/screens/${id}?token=${ADMIN}`);
  await page.locator('[data-widget=gmv] rx-kpi[data-value]').waitFor({ timeout: 10_000 });
  const box = await page.evaluate(() => {
    const stage = document.querySelector('rx-screen')!.shadowRoot!.querySelector('.stage') as HTMLElement;
    const r = stage.getBoundingClientRect();
    const cell = stage.querySelector('[data-widget=gmv]')!.getBoundingClientRect();
    return { cssWidth: stage.offsetWidth, cssHeight: stage.offsetHeight, shownWidth: r.width, shownHeight: r.height, cellWidth: cell.width };
  });
  await page.screenshot({ path: outputPath(`scale-${id}-${width}x${height}.png`) });
  expect(errors).toEqual([]);
  await page.close();
  return box;
}

describe('scaling modes', () => {
  it('fit letterboxes, fill-width fills the width, relayout re-lays the grid for a 32:9 LED wall', async () => {
    const fit = await stageOf('fit', 3840, 1080);
    expect(fit).toMatchObject({ cssWidth: 1920, cssHeight: 1080, shownWidth: 1920, shownHeight: 1080 });
    const fill = await stageOf('fill-width', 3840, 1080);
    expect(fill).toMatchObject({ cssWidth: 1920, shownWidth: 3840, shownHeight: 2160 });
    const relayout = await stageOf('relayout', 3840, 1080);
    // Same height, twice as wide: the cells are wider, nothing is scaled.
    expect(relayout).toMatchObject({ cssWidth: 3840, cssHeight: 1080, shownWidth: 3840, shownHeight: 1080 });
    expect(relayout.cellWidth).toBeGreaterThan(fit.cellWidth * 1.9);
  });
});

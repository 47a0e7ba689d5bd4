// What one data update of a chart widget costs the page's main thread: a chart in a wall-sized cell fed a
// new value every second (a day of minutes for rx-line, with yesterday's whole day to compare), measured as
// Chromium's task time per update (CDP Performance metrics) and the long tasks (> 50 ms) it caused.
// Usage: npx tsx bench/chart-draw.ts [updates=30 width=1100 height=330]
import { launchChromium } from '../test/helpers/browser.ts';
import { widgetFixture } from '../test/helpers/widget-fixture.ts';

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.split('=')));
const UPDATES = Number(args.updates ?? 30);
const WIDTH = Number(args.width ?? 1100);
const HEIGHT = Number(args.height ?? 330);

const fixture = await widgetFixture('chart-draw', `<div id="host" style="position:relative;width:${WIDTH}px;height:${HEIGHT}px"></div>`);
const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: WIDTH + 100, height: HEIGHT + 100 } });
  await page.addInitScript(() => {
    const w = window as unknown as { __long: number[] };
    w.__long = [];
    new PerformanceObserver((list) => list.getEntries().forEach((e) => w.__long.push(e.duration))).observe({ type: 'longtask', buffered: true });
  });
  await page.goto(fixture.url);
  await page.waitForFunction(() => customElements.get('rx-line'));
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const taskMs = async () => ((await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] }).metrics.find((m) => m.name === 'TaskDuration')!.value * 1000;
  const cases: Array<[string, string]> = [
    ['rx-line, 1,380 minutes + 1,440 to compare', `
      const minute = (i) => String(Math.floor(i / 60)).padStart(2, '0') + ':' + String(i % 60).padStart(2, '0');
      const day = (n, f) => Array.from({ length: n }, (_, i) => ({ minute: minute(i), orders: f(i) }));
      const el = document.createElement('rx-line');
      el.label = '每分钟支付订单'; el.state = 'live';
      el.compare = day(1440, (i) => 60 + Math.round(50 * Math.sin(i / 90)));
      el.points = day(1380, (i) => 70 + Math.round(40 * Math.sin(i / 80)));
      el.style.cssText = 'position:absolute;inset:0';
      document.getElementById('host').replaceChildren(el);
      window.__update = (k) => { const p = el.points.slice(); p[p.length - 1] = { ...p[p.length - 1], orders: 70 + k }; el.points = p; };`],
    ['rx-ring, 6 channels', `
      const el = document.createElement('rx-ring');
      el.label = '渠道占比'; el.state = 'live';
      el.options = { x: 'channel', y: 'gmv_fen', format: 'yuan', labels: 'channel' };
      const v = (k) => ['tmall', 'jd', 'meituan', 'pdd', 'self', 'douyin'].map((c, i) => ({ channel: c, gmv_fen: (i + 1) * 100000 + k * 100 }));
      el.value = v(0);
      el.style.cssText = 'position:absolute;inset:0';
      document.getElementById('host').replaceChildren(el);
      window.__update = (k) => { el.value = v(k); };`],
  ];
  for (const [name, setup] of cases) {
    await page.evaluate(setup);
    await page.waitForTimeout(3_000);
    await page.evaluate(() => ((window as unknown as { __long: number[] }).__long = []));
    const t0 = await taskMs();
    for (let k = 1; k <= UPDATES; k++) {
      await page.evaluate(`window.__update(${k})`);
      await page.waitForTimeout(1_100); // a data draw waits a second after the previous one
    }
    const per = (await taskMs() - t0) / UPDATES;
    const long = await page.evaluate(() => (window as unknown as { __long: number[] }).__long);
    console.log(`${name} in ${WIDTH}×${HEIGHT}: ${per.toFixed(1)} ms of main-thread tasks per update; long tasks ${long.length}${long.length ? ` (longest ${Math.max(...long).toFixed(0)} ms)` : ''}`);
  }
} finally {
  await browser.close();
  await fixture.close();
}

// Event → pixel: time from the POST of one paid order to the new GMV painted on the war-room screen in
// Chromium, over N events (default 200). Measured with the same clock on both ends (one machine): the page
// records Date.now() at the first animation frame after the GMV element shows the new value.
// Usage: npm run bench:event-to-pixel [-- events=200 background=0]
//   background=N adds N events/s of demo-like background ingest from this process meanwhile.
import { launchChromium } from '../test/helpers/browser.ts';
import { ADMIN, post, startServer, summary } from './lib.ts';

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.split('=')));
const EVENTS = Number(args.events ?? 200);
const BACKGROUND = Number(args.background ?? 0);

const server = await startServer(3902);
const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
  await page.goto(`${server.url}/screens/war-room?token=${ADMIN}`);
  const gmv = page.locator('[data-widget=gmv] rx-kpi');
  await gmv.and(page.locator('[data-value]')).waitFor({ timeout: 20_000 });
  // In the page: remember when each GMV value was first painted.
  await gmv.evaluate((el) => {
    const seen = new Map<string, number>();
    (window as unknown as { __painted: Map<string, number> }).__painted = seen;
    new MutationObserver(() => {
      const v = el.getAttribute('data-value');
      if (v !== null && !seen.has(v)) requestAnimationFrame(() => seen.has(v) || seen.set(v, Date.now()));
    }).observe(el, { attributes: true, attributeFilter: ['data-value'] });
  });

  let stopBackground = false;
  const background = (async () => {
    if (BACKGROUND <= 0) return;
    let n = 0;
    while (!stopBackground) {
      const t = Date.now();
      const batch = Array.from({ length: Math.max(1, Math.round(BACKGROUND / 10)) }, () =>
        JSON.stringify({ event_id: `bg-${n++}`, type: 'order.created', ts: t, order_id: `BG-${n}`, channel: 'jd', shop_id: 'jd-01', buyer_id: 'b', province: '上海', lines: [{ sku_id: 'SKU-1', qty: 1, unit_price_fen: 100 }] }),
      ).join('\n');
      await post(server.url, batch);
      await new Promise((r) => setTimeout(r, Math.max(0, 100 - (Date.now() - t))));
    }
  })();

  let gmvFen = Number(await gmv.getAttribute('data-value'));
  const latencies: number[] = [];
  for (let i = 0; i < EVENTS; i++) {
    const fen = 1_000 + i;
    gmvFen += fen;
    const order = { event_id: `e2p-${i}`, type: 'order.paid', ts: Date.now(), order_id: `E2P-${i}`, channel: 'tmall', shop_id: 'tmall-01', buyer_id: 'b', province: '广东', paid_fen: fen, lines: [{ sku_id: 'SKU-1', qty: 1, unit_price_fen: fen }] };
    const sent = Date.now();
    const res = await post(server.url, JSON.stringify(order));
    if (res.status !== 200) throw new Error(`ingest answered ${res.status}`);
    const expected = String(gmvFen);
    const painted = await page.waitForFunction((v) => (window as unknown as { __painted: Map<string, number> }).__painted.get(v), expected, { timeout: 10_000, polling: 10 });
    latencies.push(Number(await painted.jsonValue()) - sent);
    await new Promise((r) => setTimeout(r, 30));
  }
  stopBackground = true;
  await background;
  const s = summary(latencies);
  console.log(`event → pixel over ${s.n} paid orders (background ${BACKGROUND} events/s), war-room GMV in Chromium:`);
  console.log(`  p50 ${s.p50} ms  p90 ${s.p90} ms  p99 ${s.p99} ms  max ${s.max} ms`);
} finally {
  await browser.close();
  await server.stop();
}

// Screen cost in Chromium while the demo day streams at N× speed: main-thread script time per second of wall
// time and long tasks (> 50 ms, PerformanceObserver 'longtask'), and JS heap growth after the first
// `warmup` minutes (measured after forced GCs). The server runs in a child process, the demo stream in
// another (streams/cli.ts), Chromium on the same 2 cores. Also counted: the updates each subscription of the
// page received per second (socket.io frames seen through CDP), to say how often the widgets changed.
// Usage: npx tsx bench/screen-perf.ts [screen=war-room minutes=30 warmup=5 speed=10 width=1920 height=1080 motion=reduce]
import { launchChromium } from '../test/helpers/browser.ts';
import { ADMIN, startServer, streamDemo } from './lib.ts';

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.split('=')));
const SCREEN = args.screen ?? 'war-room';
const MINUTES = Number(args.minutes ?? 30);
const WARMUP = Number(args.warmup ?? Math.min(5, MINUTES / 2));
const SPEED = Number(args.speed ?? 10);
const WIDTH = Number(args.width ?? 1920);
const HEIGHT = Number(args.height ?? 1080);

const server = await startServer(3905);
const demo = streamDemo(server, SPEED);
const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: WIDTH, height: HEIGHT }, reducedMotion: args.motion === 'reduce' ? 'reduce' : 'no-preference' });
  await page.addInitScript(() => {
    const w = window as unknown as { __long: number[] };
    w.__long = [];
    new PerformanceObserver((list) => list.getEntries().forEach((e) => w.__long.push(e.duration))).observe({ type: 'longtask', buffered: true });
  });
  await page.goto(`${server.url}/screens/${SCREEN}?token=${ADMIN}`);
  await page.locator('[data-status=live]').waitFor({ timeout: 60_000 });
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  await cdp.send('Network.enable');
  const updates = new Map<string, number>();
  let counting = false;
  // Frames look like `42["metric:update",{"key":…,"metric":…}]`: one per change of one subscription.
  cdp.on('Network.webSocketFrameReceived', ({ response }) => {
    if (!counting || !response.payloadData.startsWith('42["metric:update"')) return;
    const key = /"key":"((?:[^"\\]|\\.)*)"/.exec(response.payloadData)?.[1] ?? '?';
    updates.set(key, (updates.get(key) ?? 0) + 1);
  });
  await cdp.send('HeapProfiler.enable');
  const metrics = async () => Object.fromEntries(((await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] }).metrics.map((m) => [m.name, m.value]));
  const heapMb = async () => {
    for (let i = 0; i < 3; i++) await cdp.send('HeapProfiler.collectGarbage');
    return ((await cdp.send('Runtime.getHeapUsage')) as { usedSize: number }).usedSize / 1_048_576;
  };

  await page.waitForTimeout(WARMUP * 60_000);
  const heapStart = await heapMb();
  await page.evaluate(() => ((window as unknown as { __long: number[] }).__long = []));
  counting = true;
  const m0 = await metrics();
  const t0 = Date.now();
  const perWindow: number[] = [];
  let prev = m0;
  while (Date.now() - t0 < (MINUTES - WARMUP) * 60_000) {
    await page.waitForTimeout(10_000);
    const m = await metrics();
    perWindow.push(((m.ScriptDuration - prev.ScriptDuration) / ((m.Timestamp - prev.Timestamp) || 1)) * 1000);
    prev = m;
  }
  const m1 = await metrics();
  const heapEnd = await heapMb();
  const long = await page.evaluate(() => (window as unknown as { __long: number[] }).__long);
  const wall = m1.Timestamp - m0.Timestamp;
  const per = (k: string) => (((m1[k] - m0[k]) / wall) * 1000).toFixed(1);
  counting = false;
  const live = await page.evaluate(() => document.querySelector('rx-screen')?.shadowRoot?.querySelectorAll('section.cell[data-state=live]').length ?? 0);
  const rates = [...updates.values()].map((n) => n / (wall || 1)).sort((a, b) => a - b);
  console.log(`screen ${SCREEN} at ${WIDTH}×${HEIGHT}, demo at ${SPEED}× speed, ${MINUTES} min (${WARMUP} min warm-up), ${live} widgets live at the end:`);
  console.log(`  updates pushed per subscription per second (${rates.length} subscriptions): ${rates.map((r) => r.toFixed(2)).join(' ')}`);
  console.log(`  main-thread script: ${per('ScriptDuration')} ms per second of wall time (worst 10 s window ${Math.max(...perWindow).toFixed(1)}); all tasks ${per('TaskDuration')} ms/s, layout ${per('LayoutDuration')} ms/s, style ${per('RecalcStyleDuration')} ms/s`);
  console.log(`  long tasks (> 50 ms): ${long.length}${long.length ? `, longest ${Math.max(...long).toFixed(0)} ms` : ''}`);
  console.log(`  JS heap after GC: ${heapStart.toFixed(2)} MB after warm-up → ${heapEnd.toFixed(2)} MB at the end (${(heapEnd - heapStart >= 0 ? '+' : '') + (heapEnd - heapStart).toFixed(2)} MB)`);
} finally {
  demo.kill('SIGINT');
  await browser.close();
  await server.stop();
}

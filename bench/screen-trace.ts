// What a screen's main thread spends its time on: a Chromium trace of `seconds` seconds (after `warmup`
// seconds) of a screen under the demo at N× speed, summarised by trace event name (self time of the
// renderer main thread), and the long tasks (> 50 ms) with the events inside them. A companion of
// screen-perf.ts for finding what it measures.
// Usage: npx tsx bench/screen-trace.ts [screen=war-room seconds=20 warmup=60 speed=10 motion=reduce width=1920 height=1080]
import { screenUnderDemo } from './lib.ts';

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.split('=')));
const SCREEN = args.screen ?? 'war-room';
const SECONDS = Number(args.seconds ?? 20);
const WARMUP = Number(args.warmup ?? 60);
const SPEED = Number(args.speed ?? 10);

interface TraceEvent { name: string; ph: string; ts: number; dur?: number; pid: number; tid: number; args?: { name?: string; data?: { functionName?: string; url?: string; lineNumber?: number } } }

const { page, close } = await screenUnderDemo(3908, SCREEN, SPEED, args.motion === 'reduce' ? 'reduce' : 'no-preference', { width: Number(args.width ?? 1920), height: Number(args.height ?? 1080) });
try {
  await page.waitForTimeout(WARMUP * 1000);
  const cdp = await page.context().newCDPSession(page);
  const events: TraceEvent[] = [];
  // Tracing events are not in playwright's CDP typings.
  const on = cdp.on.bind(cdp) as unknown as (event: string, fn: (e: { value: TraceEvent[] }) => void) => void;
  on('Tracing.dataCollected', (e) => events.push(...e.value));
  const done = new Promise<void>((r) => on('Tracing.tracingComplete', () => r()));
  await cdp.send('Tracing.start', { categories: 'devtools.timeline,disabled-by-default-devtools.timeline,blink,cc,gpu', transferMode: 'ReportEvents' });
  await page.waitForTimeout(SECONDS * 1000);
  await cdp.send('Tracing.end');
  await done;
  // The renderer main thread: the one that runs RunTask with the page's script.
  const mainNames = events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
  const mainKeys = new Set(mainNames.map((e) => `${e.pid}:${e.tid}`));
  const complete = events.filter((e) => e.ph === 'X' && mainKeys.has(`${e.pid}:${e.tid}`) && e.dur !== undefined).sort((a, b) => a.ts - b.ts || b.dur! - a.dur!);
  // Self time per event name: a simple stack walk over nested complete events.
  const self = new Map<string, number>();
  const stack: TraceEvent[] = [];
  const childTime = new Map<TraceEvent, number>();
  for (const e of complete) {
    while (stack.length && stack[stack.length - 1].ts + stack[stack.length - 1].dur! <= e.ts) stack.pop();
    const parent = stack[stack.length - 1];
    if (parent) childTime.set(parent, (childTime.get(parent) ?? 0) + e.dur!);
    stack.push(e);
  }
  for (const e of complete) self.set(e.name, (self.get(e.name) ?? 0) + e.dur! - (childTime.get(e) ?? 0));
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  console.log(`${SCREEN}: ${SECONDS} s traced, renderer main thread busy ${(total / 1000 / SECONDS).toFixed(0)} ms/s; self time by event (ms/s):`);
  for (const [name, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`  ${(us / 1000 / SECONDS).toFixed(1).padStart(8)}  ${name}`);
  const count = (name: string) => (complete.filter((e) => e.name === name).length / SECONDS).toFixed(1);
  console.log(`per second: ${count('ProxyMain::BeginMainFrame')} main frames, ${count('Paint')} paints, ${count('Document::recalcStyle')} style recalcs, ${count('LocalFrameView::performLayout')} layouts, ${count('FireAnimationFrame')} animation-frame callbacks`);
  const tasks = complete.filter((e) => e.name === 'RunTask' && e.dur! > 50_000);
  console.log(`long tasks: ${tasks.length}; what the 5 longest hold (ms):`);
  for (const t of tasks.sort((a, b) => b.dur! - a.dur!).slice(0, 5)) {
    const inside = new Map<string, number>();
    for (const e of complete) if (e !== t && e.ts >= t.ts && e.ts + e.dur! <= t.ts + t.dur!) inside.set(e.name, (inside.get(e.name) ?? 0) + e.dur!);
    console.log(`  ${(t.dur! / 1000).toFixed(0)} ms: ${[...inside].sort((a, b) => b[1] - a[1]).slice(0, 30).map(([n, us]) => `${n} ${(us / 1000).toFixed(0)}`).join(', ')}`);
    // The script inside: which functions (by source file and line) the task's time went to.
    const stamps = events.filter((e) => e.name === 'TimeStamp' && e.ts >= t.ts - 40_000 && e.ts <= t.ts + t.dur!);
    if (stamps.length) console.log(`      marks: ${stamps.map((e) => `${(e.args as { data?: { message?: string } })?.data?.message} at ${((e.ts - t.ts) / 1000).toFixed(0)} ms`).join(', ')}`);
    const calls = complete.filter((e) => (e.name === 'FunctionCall' || e.name === 'RunMicrotasks' || e.name === 'V8.GC_SCAVENGER' || e.name.startsWith('MajorGC') || e.name.startsWith('MinorGC')) && e.ts >= t.ts && e.ts + e.dur! <= t.ts + t.dur!);
    for (const c of calls.sort((a, b) => b.dur! - a.dur!).slice(0, 6)) {
      const d = c.args?.data;
      console.log(`      ${(c.dur! / 1000).toFixed(0)} ms in ${c.name === 'FunctionCall' ? `${d?.functionName || '(anonymous)'} ${d?.url?.split('/').pop() ?? ''}:${d?.lineNumber ?? ''}` : c.name}`);
    }
  }
} finally {
  await close();
}

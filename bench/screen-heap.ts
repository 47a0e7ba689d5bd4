// Where a screen's heap grows: DOM counters and nodes per widget cell every `every` seconds, and a diff of two
// heap snapshots (after the warm-up and at the end) grouped by constructor, largest growth first. A companion
// of screen-perf.ts for finding what that one measures.
// Usage: npx tsx bench/screen-heap.ts [screen=war-room minutes=8 warmup=2 speed=10 every=60]
import { screenUnderDemo } from './lib.ts';

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.split('=')));
const SCREEN = args.screen ?? 'war-room';
const MINUTES = Number(args.minutes ?? 8);
const WARMUP = Number(args.warmup ?? 2);
const SPEED = Number(args.speed ?? 10);
const EVERY = Number(args.every ?? 60);

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
  nodes: number[];
  strings: string[];
}

type Groups = Map<string, { count: number; size: number }>;

function groups(s: Snapshot): Groups {
  const f = s.snapshot.meta.node_fields;
  const width = f.length;
  const [iType, iName, iSize] = [f.indexOf('type'), f.indexOf('name'), f.indexOf('self_size')];
  const types = s.snapshot.meta.node_types[0];
  const out: Groups = new Map();
  for (let i = 0; i < s.nodes.length; i += width) {
    const type = types[s.nodes[i + iType]];
    const name = type === 'object' || type === 'native' || type === 'closure' ? s.strings[s.nodes[i + iName]].slice(0, 60) : '';
    const key = `${type}:${name}`;
    const g = out.get(key) ?? { count: 0, size: 0 };
    g.count++;
    g.size += s.nodes[i + iSize];
    out.set(key, g);
  }
  return out;
}

const { page, close } = await screenUnderDemo(3906, SCREEN, SPEED);
try {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.enable');
  const gc = async () => {
    for (let i = 0; i < 3; i++) await cdp.send('HeapProfiler.collectGarbage');
  };
  const snapshot = async (): Promise<Snapshot> => {
    await gc();
    const chunks: string[] = [];
    const onChunk = (e: { chunk: string }) => chunks.push(e.chunk);
    cdp.on('HeapProfiler.addHeapSnapshotChunk', onChunk);
    await cdp.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
    cdp.off('HeapProfiler.addHeapSnapshotChunk', onChunk);
    return JSON.parse(chunks.join('')) as Snapshot;
  };
  const sample = async (label: string) => {
    await gc();
    const heap = ((await cdp.send('Runtime.getHeapUsage')) as { usedSize: number }).usedSize / 1_048_576;
    const dom = (await cdp.send('Memory.getDOMCounters')) as { documents: number; nodes: number; jsEventListeners: number };
    // A string, not a function: tsx would wrap the inner named function in a helper the page lacks.
    const cells = (await page.evaluate(`(() => {
      const count = (n) => {
        let c = 1;
        for (const k of Array.from(n.childNodes)) c += count(k);
        if (n.shadowRoot) c += count(n.shadowRoot);
        return c;
      };
      const root = document.querySelector('rx-screen')?.shadowRoot;
      return Array.from(root?.querySelectorAll('section.cell') ?? []).map((c) => c.getAttribute('data-widget') + '=' + count(c));
    })()`)) as string[];
    console.log(`${label}: heap ${heap.toFixed(2)} MB, DOM nodes ${dom.nodes}, listeners ${dom.jsEventListeners}; ${cells.join(' ')}`);
  };

  await page.waitForTimeout(WARMUP * 60_000);
  await sample('after warm-up');
  const before = groups(await snapshot());
  const t0 = Date.now();
  while (Date.now() - t0 < (MINUTES - WARMUP) * 60_000) {
    await page.waitForTimeout(EVERY * 1000);
    await sample(`+${Math.round((Date.now() - t0) / 1000)} s`);
  }
  const after = groups(await snapshot());
  const rows = [...after].map(([k, a]) => {
    const b = before.get(k) ?? { count: 0, size: 0 };
    return { k, dCount: a.count - b.count, dSize: a.size - b.size };
  });
  rows.sort((x, y) => y.dSize - x.dSize);
  console.log('largest growth by constructor (self size):');
  for (const r of rows.slice(0, 30)) console.log(`  ${(r.dSize / 1024).toFixed(1).padStart(9)} KB  ${String(r.dCount).padStart(8)}  ${r.k}`);
} finally {
  await close();
}

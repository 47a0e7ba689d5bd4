// Shared by the benchmarks (BENCH_NODE_ARGS adds node flags to the server, e.g. `--cpu-prof`): a real RxPulse in a child process (so the load generator does not share its
// event loop), a temp data dir, and percentile helpers.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Batch } from '../streams/demo/upload.ts';

export const ADMIN = 'bench-admin-token-0123456789';
export const INGEST = 'bench-ingest-token-0123456789';

export interface BenchServer {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** The load generators open thousands of sockets from one address (127.0.0.1), which the per-address
 *  limits of a real deployment (server/push/connections.ts) would refuse: raised for benches. */
export const ONE_ADDRESS_LOAD: Record<string, string> = {
  RXPULSE_SOCKETS_PER_ADDRESS: '1000000',
  RXPULSE_UNAUTHENTICATED_PER_ADDRESS: '1000000',
  RXPULSE_HANDSHAKES_PER_S: '1000000',
  RXPULSE_AUTH_FAIL_MAX: '1000000',
};

export async function startServer(port: number, env: Record<string, string> = {}): Promise<BenchServer> {
  const url = `http://127.0.0.1:${port}`;
  // Another process on the port would answer the health checks below and take the whole load.
  if (await fetch(url).then(() => true, () => false)) throw new Error(`port ${port} is in use: stop what listens there or pick another port`);
  const dataDir = mkdtempSync(join(tmpdir(), 'rxpulse-bench-'));
  const child = spawn(process.execPath, [...(process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? []), '--import', 'tsx', 'server/main.ts'], {
    env: { ...process.env, PORT: String(port), RXPULSE_DATA_DIR: dataDir, RXPULSE_DEMO: 'off', RXPULSE_ADMIN_TOKEN: ADMIN, RXPULSE_INGEST_TOKEN: INGEST, LOG_LEVEL: 'warn', ...ONE_ADDRESS_LOAD, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      if ((await fetch(`${url}/api/v1/health`)).ok) break;
    } catch {
      /* not up yet */
    }
    if (child.exitCode !== null) throw new Error(`server exited with code ${child.exitCode} before it was ready`);
    if (Date.now() > deadline) throw new Error('server did not start within 30 s');
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    child,
    async stop() {
      const gone = child.exitCode !== null || child.signalCode !== null;
      const exited = gone ? Promise.resolve<[number | null, NodeJS.Signals | null]>([child.exitCode, child.signalCode])
        : new Promise<[number | null, NodeJS.Signals | null]>((r) => child.once('exit', (code, signal) => r([code, signal])));
      child.kill('SIGTERM');
      const [code, signal] = await exited;
      // A graceful stop exits 0: anything else (a crash while closing) is worth knowing about.
      if (code !== 0) console.error(`bench: the server on port ${port} exited with ${signal ?? `code ${code}`} when stopped`);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The demo day streamed into `server` from the current Shanghai minute at `speed`× (streams/cli.ts in a child). */
export function streamDemo(server: BenchServer, speed: number): ChildProcess {
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(Date.now());
  const now = new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Shanghai', hour: '2-digit', minute: '2-digit', hour12: false }).format(Date.now());
  return spawn(process.execPath, ['--import', 'tsx', 'streams/cli.ts', '--url', server.url, '--token', INGEST, '--date', today, '--speed', String(speed), '--from', now, '--quiet'], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

/**
 * A screen live in Chromium (1920×1080) on a fresh server, with the demo day streaming at `speed`×: what the
 * screen benches measure. `close()` stops all three.
 */
export async function screenUnderDemo(port: number, screen: string, speed: number, motion: 'reduce' | 'no-preference' = 'no-preference', viewport = { width: 1920, height: 1080 }) {
  const { launchChromium } = await import('../test/helpers/browser.ts');
  const server = await startServer(port);
  const demo = streamDemo(server, speed);
  const browser = await launchChromium();
  const page = await browser.newPage({ viewport, reducedMotion: motion });
  await page.goto(`${server.url}/screens/${screen}?token=${ADMIN}`);
  await page.locator('[data-status=live]').waitFor({ timeout: 60_000 });
  return {
    page,
    async close() {
      demo.kill('SIGINT');
      await browser.close();
      await server.stop();
    },
  };
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export function summary(values: number[]): { n: number; p50: number; p90: number; p99: number; max: number } {
  const s = [...values].sort((a, b) => a - b);
  return { n: s.length, p50: percentile(s, 50), p90: percentile(s, 90), p99: percentile(s, 99), max: s[s.length - 1] };
}

// node:http with a keep-alive agent: the load generator must cost less than the server it measures (fetch
// spends ~0.5 ms of CPU per request here, which capped a 500-client run at ~1,500 requests/s).
const agent = new http.Agent({ keepAlive: true, maxSockets: 1_000 });

export function post(url: string, body: string, contentType = 'application/x-ndjson'): Promise<{ status: number; json(): Promise<unknown> }> {
  const u = new URL(`${url}/api/v1/events`);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: u.hostname, port: u.port, path: u.pathname, method: 'POST', agent, headers: { 'content-type': contentType, authorization: `Bearer ${INGEST}`, 'content-length': Buffer.byteLength(body) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, json: async () => JSON.parse(text) });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** GET of a JSON document (e.g. `/api/v1/health`, whose details need a token), with the admin token unless another is given. */
export async function getJson<T>(url: string, token: string = ADMIN): Promise<T> {
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  if (!res.ok) throw new Error(`GET ${url} answered ${res.status}`);
  return (await res.json()) as T;
}

/** Resolves once the projector has fanned out `accepted` events (screens see them from then on). */
export async function waitProjected(url: string, accepted: number): Promise<void> {
  while ((await getJson<{ projection: { events: number } }>(`${url}/api/v1/health`)).projection.events < accepted) {
    await new Promise((r) => setTimeout(r, 20));
  }
}

export interface PostRun {
  /** POST → durable acknowledgement of each body, ms. */
  latencies: number[];
  accepted: number;
  /** First POST → last answer. */
  seconds: number;
}

/**
 * Posts `bodies` to the ingest endpoint, `concurrency` requests in flight, each body sent no earlier than
 * its place at `rate` events/s (unpaced without it: as fast as the server answers); stops taking bodies when
 * `signal` aborts. Any answer but 200 throws.
 */
export async function postAll(url: string, bodies: readonly Batch[], o: { concurrency: number; rate?: number; signal?: AbortSignal }): Promise<PostRun> {
  const latencies: number[] = [];
  let accepted = 0, next = 0, scheduled = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: o.concurrency }, async () => {
      while (next < bodies.length && !o.signal?.aborted) {
        const { body, count } = bodies[next++];
        const due = o.rate ? started + (scheduled / o.rate) * 1000 : 0;
        scheduled += count;
        if (due > performance.now()) await new Promise((r) => setTimeout(r, due - performance.now()));
        const t0 = performance.now();
        const res = await post(url, body);
        const json = (await res.json()) as { accepted: number };
        if (res.status !== 200) throw new Error(`ingest answered ${res.status}: ${JSON.stringify(json)}`);
        latencies.push(performance.now() - t0);
        accepted += json.accepted;
      }
    }),
  );
  return { latencies, accepted, seconds: (performance.now() - started) / 1000 };
}

let clockTicks = 0;
const ticksPerSecond = (): number => (clockTicks ||= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' })));

/** CPU seconds (user + system, every thread) process `pid` has used so far, from /proc/<pid>/stat. */
export function processCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // the name in parentheses may hold spaces
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond(); // utime, stime: fields 14 and 15 of stat
}

/** CPU seconds of the whole machine so far, all cores: busy (not idle nor waiting for I/O) and total. */
export function machineCpuSeconds(): { busy: number; total: number } {
  const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
  const total = ticks.slice(0, 8).reduce((a, b) => a + b, 0); // user nice system idle iowait irq softirq steal
  return { busy: (total - ticks[3] - ticks[4]) / ticksPerSecond(), total: total / ticksPerSecond() };
}

export interface CpuUse {
  wallS: number;
  /** CPU seconds of the server process, of this load generator, and of everything else on the machine. */
  serverS: number;
  selfS: number;
  othersS: number;
  /** The machine's cores × wall seconds. */
  machineS: number;
}

/** Starts counting CPU time; the function returned reads what was used since. */
export function cpuMeter(serverPid: number): () => CpuUse {
  const t0 = performance.now(), server0 = processCpuSeconds(serverPid), self0 = process.cpuUsage(), machine0 = machineCpuSeconds();
  return () => {
    const serverS = processCpuSeconds(serverPid) - server0;
    const self = process.cpuUsage(self0);
    const selfS = (self.user + self.system) / 1e6;
    const machine = machineCpuSeconds();
    return { wallS: (performance.now() - t0) / 1000, serverS, selfS, othersS: Math.max(0, machine.busy - machine0.busy - serverS - selfS), machineS: machine.total - machine0.total };
  };
}

/**
 * Waits until the processes other than `serverPid` and this one have used under `share` of the machine for
 * two seconds running (other tests on a shared machine), at most `maxMs`; whether it got that quiet.
 */
export async function waitQuiet(serverPid: number, share = 0.15, maxMs = 60_000): Promise<boolean> {
  const deadline = performance.now() + maxMs;
  for (let quiet = 0; quiet < 2; ) {
    if (performance.now() > deadline) return false;
    const read = cpuMeter(serverPid);
    await new Promise((r) => setTimeout(r, 1_000));
    const u = read();
    quiet = u.othersS / u.machineS < share ? quiet + 1 : 0;
  }
  return true;
}

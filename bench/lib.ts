// Shared by the benchmarks (BENCH_NODE_ARGS adds node flags to the server, e.g. `--cpu-prof`): a real RxPulse in a child process (so the load generator does not share its
// event loop), a temp data dir, and percentile helpers.
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ADMIN = 'bench-admin-token-0123456789';
export const INGEST = 'bench-ingest-token-0123456789';

export interface BenchServer {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

export async function startServer(port: number, env: Record<string, string> = {}): Promise<BenchServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'rxpulse-bench-'));
  const child = spawn(process.execPath, [...(process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? []), '--import', 'tsx', 'server/main.ts'], {
    env: { ...process.env, PORT: String(port), RXPULSE_DATA_DIR: dataDir, RXPULSE_DEMO: 'off', RXPULSE_ADMIN_TOKEN: ADMIN, RXPULSE_INGEST_TOKEN: INGEST, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      if ((await fetch(`${url}/api/v1/health`)).ok) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) throw new Error('server did not start within 30 s');
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    child,
    async stop() {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
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

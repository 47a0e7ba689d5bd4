// server/main.ts in a child process (real signals: SIGTERM, kill -9), on a data dir of the test's.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';
import { ADMIN, INGEST } from './server.ts';
import { freePort } from './redis-server.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface Child {
  url: string;
  proc: ChildProcess;
  /** Exit code and signal, once it has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The last output (stderr and the JSON log on stdout), for failure messages. */
  output(): string;
}

const children = new Set<ChildProcess>();
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

/** server/main.ts in a child process on `dataDir` (`env` on top of the defaults), ready when /api/v1/health answers. */
export async function startChild(dataDir: string, env: Record<string, string> = {}): Promise<Child> {
  const port = await freePort();
  const proc = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      RXPULSE_DATA_DIR: dataDir,
      RXPULSE_DEMO: 'off',
      RXPULSE_ADMIN_TOKEN: ADMIN,
      RXPULSE_INGEST_TOKEN: INGEST,
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(proc);
  let out = '';
  const keep = (d: Buffer) => {
    out = (out + d.toString()).slice(-20_000);
  };
  proc.stdout!.on('data', keep);
  proc.stderr!.on('data', keep);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => proc.once('exit', (code, signal) => resolve({ code, signal })));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 45_000;
  for (;;) {
    if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`server exited before it was ready:\n${out}`);
    if (Date.now() > deadline) throw new Error(`server not ready within 45 s:\n${out}`);
    if (await fetch(`${url}/api/v1/health`).then((r) => r.ok, () => false)) break;
    await sleep(200);
  }
  return { url, proc, exited, output: () => out };
}

/** SIGTERM, then the exit (SIGKILL after `limitMs`, reported as such). */
export async function stop(child: Child, limitMs = 30_000): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }> {
  const t0 = performance.now();
  child.proc.kill('SIGTERM');
  const timer = setTimeout(() => child.proc.kill('SIGKILL'), limitMs);
  const r = await child.exited;
  clearTimeout(timer);
  return { ...r, ms: Math.round(performance.now() - t0) };
}

/** kill -9: no handler runs, nothing is flushed. */
export async function kill9(child: Child): Promise<void> {
  child.proc.kill('SIGKILL');
  await child.exited;
}

// Real RxPulse fleet members for a test: each one `server/main.ts` in its own process (as deployed), sharing
// one Redis (REDIS_URL, a key prefix of the test's own) and one chDB data dir (the leader opens it).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { freePort, killOnExit } from './redis-server.ts';
import { ADMIN, INGEST } from './tokens.ts';

export interface Member {
  url: string;
  port: number;
  child: ChildProcess;
  /** The last lines the process wrote on stderr/stdout (for a failing test's message). */
  log(): string;
  /** SIGKILL (a crash) or SIGTERM (a graceful stop); resolves when the process is gone. */
  stop(signal?: 'SIGKILL' | 'SIGTERM'): Promise<void>;
}

export interface FleetInfo {
  instance: string;
  leading: boolean;
  fence: number;
  leader: string | null;
  redis: string;
  sockets: number;
  ingest_waiting: number;
}

export const fleetPrefix = (): string => `t${randomUUID().slice(0, 8)}:`;

export async function startMember(opts: { redisUrl: string; dataDir: string; prefix: string; env?: Record<string, string>; nodeArgs?: string[] }): Promise<Member> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), '--import', 'tsx', 'server/main.ts'], {
    env: {
      ...process.env,
      PORT: String(port),
      RXPULSE_DATA_DIR: opts.dataDir,
      REDIS_URL: opts.redisUrl,
      RXPULSE_REDIS_PREFIX: opts.prefix,
      RXPULSE_DEMO: 'off',
      RXPULSE_ADMIN_TOKEN: ADMIN,
      RXPULSE_INGEST_TOKEN: INGEST,
      LOG_LEVEL: 'warn',
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  killOnExit(child);
  let tail = '';
  const keep = (chunk: Buffer): void => {
    tail = (tail + chunk.toString()).slice(-4_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const member: Member = {
    url,
    port,
    child,
    log: () => tail,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill(signal);
      await gone;
    },
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`fleet member exited with ${child.exitCode}:\n${tail}`);
    if (await fleetInfo(member).then(() => true, () => false)) return member;
    if (Date.now() > deadline) {
      await member.stop('SIGKILL');
      throw new Error(`fleet member did not start within 30 s:\n${tail}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function fleetInfo(m: Member): Promise<FleetInfo> {
  const res = await fetch(`${m.url}/api/v1/fleet`, { headers: { authorization: `Bearer ${ADMIN}` }, signal: AbortSignal.timeout(2_000) });
  if (!res.ok) throw new Error(`GET /api/v1/fleet: ${res.status}`);
  return (await res.json()) as FleetInfo;
}

/**
 * Waits until exactly one of `members` leads and every one of them reaches its core (health through the
 * proxy answers 200). Returns the leader's index and how long it took.
 */
export async function oneLeader(members: Member[], timeoutMs = 20_000): Promise<{ leader: number; ms: number }> {
  const t0 = performance.now();
  let last = '';
  for (;;) {
    try {
      const infos = await Promise.all(members.map(fleetInfo));
      const leaders = infos.flatMap((info, i) => (info.leading ? [i] : []));
      last = JSON.stringify(infos.map((i) => ({ leading: i.leading, leader: i.leader })));
      if (leaders.length === 1) {
        const healthy = await Promise.all(members.map((m) => fetch(`${m.url}/api/v1/health`, { signal: AbortSignal.timeout(2_000) }).then((r) => r.ok, () => false)));
        if (healthy.every(Boolean)) return { leader: leaders[0], ms: performance.now() - t0 };
      }
    } catch (err) {
      last = String(err);
    }
    if (performance.now() - t0 > timeoutMs) throw new Error(`no single serving leader within ${timeoutMs} ms: ${last}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** POST events through a member; the HTTP status and body. */
export async function ingestVia(m: Member, events: object[]): Promise<{ status: number; body: Record<string, unknown>; retryAfter: string | null; ms: number }> {
  const t0 = performance.now();
  const res = await fetch(`${m.url}/api/v1/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${INGEST}`, 'content-type': 'application/x-ndjson' },
    body: events.map((e) => JSON.stringify(e)).join('\n'),
    signal: AbortSignal.timeout(30_000),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, retryAfter: res.headers.get('retry-after'), ms: performance.now() - t0 };
}

export async function metricVia(m: Member, metric: string): Promise<unknown> {
  const res = await fetch(`${m.url}/api/v1/metrics/${metric}`, { headers: { authorization: `Bearer ${ADMIN}` }, signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`GET ${metric} via ${m.url}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { value: unknown }).value;
}

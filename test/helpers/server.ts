// Starts a real RxPulse (real chDB in a temp dir, real HTTP port) for a test, and stops it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll } from 'vitest';
import { buildApp } from '../../server/app.ts';
import { loadConfig, type Config } from '../../server/config.ts';
import type { Clock } from '../../server/time.ts';

import { ADMIN, INGEST } from './tokens.ts';

export { ADMIN, INGEST } from './tokens.ts';

export interface Running {
  app: FastifyInstance;
  config: Config;
  url: string;
  dataDir: string;
  close(): Promise<void>;
}

export function tempDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'rxpulse-test-'));
}

export async function startServer(opts: { dataDir?: string; clock?: Clock; env?: Record<string, string>; port?: number } = {}): Promise<Running> {
  const dataDir = opts.dataDir ?? tempDataDir();
  const config = loadConfig({
    RXPULSE_DATA_DIR: dataDir,
    RXPULSE_ADMIN_TOKEN: ADMIN,
    RXPULSE_INGEST_TOKEN: INGEST,
    RXPULSE_DEMO: 'off',
    PORT: '0',
    ...opts.env,
  });
  const app = await buildApp(config, { logger: false, clock: opts.clock });
  await app.listen({ port: opts.port ?? 0, host: '127.0.0.1' });
  const { port } = app.server.address() as { port: number };
  return { app, config, url: `http://127.0.0.1:${port}`, dataDir, close: () => app.close() };
}

/** One server for the whole test file: started before its tests, stopped (and its data removed) after. */
export function useServer(opts: Parameters<typeof startServer>[0] = {}): () => Running {
  let s: Running | undefined;
  beforeAll(async () => {
    s = await startServer(opts);
  });
  afterAll(async () => {
    await s?.close();
    if (s) removeDir(s.dataDir);
  });
  return () => s!;
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

export async function postEvents(
  url: string,
  events: unknown[] | string,
  opts: { token?: string | null; contentType?: string } = {},
): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const ndjson = typeof events === 'string';
  const headers: Record<string, string> = { 'content-type': opts.contentType ?? (ndjson ? 'application/x-ndjson' : 'application/json') };
  const token = opts.token === undefined ? INGEST : opts.token;
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`${url}/api/v1/events`, { method: 'POST', headers, body: ndjson ? events : JSON.stringify(events) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, headers: res.headers };
}

export async function putReference(url: string, kind: string, rows: unknown, token = INGEST): Promise<{ status: number; body: any }> {
  const res = await fetch(`${url}/api/v1/reference/${kind}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(rows),
  });
  return { status: res.status, body: await res.json() };
}

export async function getJson(url: string, path: string, token: string | null = ADMIN): Promise<{ status: number; body: any }> {
  const res = await fetch(`${url}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: res.status, body: await res.json() };
}

/** Rows of a SQL query on the server's own storage (for assertions on what was stored). */
export async function sql<T = Record<string, unknown>>(app: FastifyInstance, query: string): Promise<T[]> {
  await app.projector.barrier(); // what was acknowledged is in the typed tables
  const rs = await app.storage.read.query({ query: query.replaceAll('{db}', app.storage.db), format: 'JSONEachRow' });
  return rs.json<T>();
}

export const fixedClock = (iso: string): Clock & { set(iso: string): void; advance(ms: number): void } => {
  let t = Date.parse(iso);
  return {
    now: () => t,
    set: (s: string) => {
      t = Date.parse(s);
    },
    advance: (ms: number) => {
      t += ms;
    },
  };
};

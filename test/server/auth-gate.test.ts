// One gate, deny by default (issue 15 items 1 and 6): every registered route is walked with no token, a
// token without the right, and the spellings of its path a router or a proxy might treat differently
// (percent-encoded, doubled slash, dot segment, other case). Real server, real HTTP (raw paths: fetch would
// normalise them).
import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import type { RouteEntry } from '../../server/auth/tokens.ts';
import { ADMIN, INGEST, useServer } from '../helpers/server.ts';

const server = useServer({ env: { RXPULSE_AUTH_FAIL_MAX: '1000000' } });

interface Raw {
  status: number;
  body: string;
}

/** A request with the path exactly as written (no URL normalisation on the way). */
export function rawRequest(base: string, method: string, path: string, token?: string, body?: string): Promise<Raw> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(Buffer.byteLength(body));
    }
    const req = request({ host: u.hostname, port: u.port, method, path, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** A concrete path for a route pattern: parameters and wildcards get a harmless sample value. */
function concrete(url: string): string {
  return url.replace(/:([A-Za-z_]+)/g, (_m, name: string) => (name === 'kind' ? 'skus' : name === 'id' ? 'war-room' : 'x')).replace(/\*$/, 'x');
}

/** Spellings of the same path: each must reach the same gate, or no route at all. */
function variants(path: string): string[] {
  const [, first, rest] = /^\/([^/]*)(.*)$/.exec(path)!;
  const encodedFirst = first.length > 0 ? `%${first.charCodeAt(0).toString(16)}${first.slice(1)}` : first;
  return [
    `/${encodedFirst}${rest}`, // /%61pi/v1/…
    path.replace(/\./g, '%2e'), // sales%2egmv
    `/${path}`, // //api/v1/…
    path.replace('/v1/', '//v1/'), // /api//v1/…
    `/.${path}`, // /./api/v1/…
    path.replace('/v1/', '/v1/../v1/'), // /api/v1/../v1/…
    path.replace('/v1/', '/x/../v1/'),
    path.toUpperCase(),
    `/${first.charAt(0).toUpperCase()}${first.slice(1)}${rest}`,
    `${path}/`,
  ];
}

const other = (right: RouteEntry['right']): string | null => (right === 'read' || right === 'admin' ? INGEST : null);

describe('the auth gate, walked over every registered route', () => {
  it('knows every route with its right; only health, the screen schema, pages and static files are public', () => {
    const table = server().app.routeTable;
    expect(table.length).toBeGreaterThan(15);
    const publicApi = table.filter((r) => r.right === 'public' && r.url.startsWith('/api/')).map((r) => `${r.method} ${r.url}`);
    expect(publicApi.sort()).toEqual(['GET /api/v1/health', 'GET /api/v1/schema/screen.json', 'HEAD /api/v1/health', 'HEAD /api/v1/schema/screen.json']);
    const publicPages = table.filter((r) => r.right === 'public' && !r.url.startsWith('/api/')).map((r) => r.url);
    expect(new Set(publicPages)).toEqual(new Set(['/screens/:id', '/display', '/*']));
    // Deny by default: the internal routes declare nothing and are admin-only.
    expect(table.filter((r) => r.url.startsWith('/api/') && r.right !== 'public').every((r) => ['ingest', 'read', 'admin'].includes(r.right))).toBe(true);
  });

  it('answers 401 without a token and 403 with a token lacking the right, on every protected route', async () => {
    const { url, app } = server();
    const checked: string[] = [];
    for (const route of app.routeTable) {
      if (route.right === 'public') continue;
      const path = concrete(route.url);
      const body = ['POST', 'PUT', 'PATCH'].includes(route.method) ? '[]' : undefined;
      const none = await rawRequest(url, route.method, path, undefined, body);
      expect(none.status, `${route.method} ${path} without a token`).toBe(401);
      if (route.method !== 'HEAD') expect(JSON.parse(none.body).code).toBe('RXP_ERR_AUTH_MISSING');
      const wrongToken = await rawRequest(url, route.method, path, 'not-a-token-of-this-server', body);
      expect(wrongToken.status, `${route.method} ${path} with an unknown token`).toBe(401);
      const weaker = other(route.right);
      if (weaker) {
        const r = await rawRequest(url, route.method, path, weaker, body);
        expect(r.status, `${route.method} ${path} with the ingest token`).toBe(403);
      }
      checked.push(`${route.method} ${route.url}`);
    }
    // A path parameter of any length still matches its route, so auth decides first (not a 404 of the router).
    const long = `/api/v1/metrics/${'x'.repeat(3_000)}`;
    expect((await rawRequest(url, 'GET', long)).status).toBe(401);
    expect((await rawRequest(url, 'GET', long, 'not-a-token-of-this-server')).status).toBe(401);
    expect((await rawRequest(url, 'GET', long, ADMIN)).status).toBe(404);
    // The contract's own writes are among them.
    expect(checked).toEqual(expect.arrayContaining(['POST /api/v1/events', 'PUT /api/v1/reference/:kind', 'GET /api/v1/metrics/:id', 'PUT /api/v1/screens/:id', 'DELETE /api/v1/screens/:id', 'POST /api/v1/alerts/:id/resolve']));
  });

  it('refuses or 404s every other spelling of a protected path: never 200, never 5xx', async () => {
    const { url, app } = server();
    const seen = new Map<number, number>();
    for (const route of app.routeTable) {
      if (route.right === 'public' || route.method === 'HEAD') continue;
      const body = ['POST', 'PUT', 'PATCH'].includes(route.method) ? '[{"event_id":"x"}]' : undefined;
      for (const path of variants(concrete(route.url))) {
        for (const token of [undefined, other(route.right) ?? undefined]) {
          const r = await rawRequest(url, route.method, path, token, body);
          seen.set(r.status, (seen.get(r.status) ?? 0) + 1);
          expect([400, 401, 403, 404], `${route.method} ${path} (${token ? 'weaker token' : 'no token'}) → ${r.status} ${r.body.slice(0, 100)}`).toContain(r.status);
          expect(JSON.parse(r.body).code, path).toMatch(/^RXP_ERR_/);
        }
      }
    }
    // Both outcomes occur: encoded spellings reach the route (and its gate), the rest match nothing.
    expect(seen.get(401)).toBeGreaterThan(0);
    expect(seen.get(404)).toBeGreaterThan(0);
  });

  it('stores nothing through a bypass attempt', async () => {
    const { url, app } = server();
    const event = JSON.stringify([{ event_id: 'bypass-1', type: 'order.cancelled', ts: Date.now(), order_id: 'O-bypass' }]);
    for (const path of variants('/api/v1/events')) expect((await rawRequest(url, 'POST', path, undefined, event)).status).not.toBe(200);
    const rs = await app.storage.read.query({ query: `SELECT count() AS n FROM ${app.storage.db}.events WHERE event_id = 'bypass-1'`, format: 'JSONEachRow' });
    expect(Number((await rs.json<{ n: string }>())[0].n)).toBe(0);
  });

  it('answers traversal and odd paths with a coded 404, never 500', async () => {
    const { url } = server();
    for (const path of ['/screens/../../etc/passwd', '/build/../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/screens/..%2f..%2fetc%2fpasswd', '//etc/passwd', '/./', '/build/%00', '/screens/%ff']) {
      const r = await rawRequest(url, 'GET', path);
      expect([400, 404], `${path} → ${r.status}`).toContain(r.status);
      expect(JSON.parse(r.body).code).toMatch(/^RXP_ERR_(NOT_FOUND|BAD_REQUEST|SCREEN_UNKNOWN)$/);
    }
  });

  it('refuses pre-2000, far-future and non-decimal metric params with 400 naming the param', async () => {
    const { url } = server();
    const cases: [string, string][] = [
      ['/api/v1/metrics/sales.gmv?date=1969-12-31', 'date'],
      ['/api/v1/metrics/sales.gmv?date=1999-12-31', 'date'],
      ['/api/v1/metrics/sales.gmv?date=9999-12-31', 'date'],
      ['/api/v1/metrics/sales.gmv?date=2026-02-30', 'date'],
      ['/api/v1/metrics/sales.top_skus?limit=0x10', 'limit'],
      ['/api/v1/metrics/sales.top_skus?limit=1e1', 'limit'],
      ['/api/v1/metrics/sales.top_skus?limit=1.5', 'limit'],
      ['/api/v1/metrics/sales.top_skus?limit=-1', 'limit'],
      ['/api/v1/metrics/sales.top_skus?limit=0', 'limit'],
      ['/api/v1/metrics/sales.top_skus?limit=%2016', 'limit'],
      ['/api/v1/metrics/sales.top_skus?limit=99999999999999999999', 'limit'],
      ['/api/v1/metrics/sales.top_skus?limit=1&limit=2', 'limit'],
      ['/api/v1/metrics/sales.gmv?__proto__=1', '__proto__'],
    ];
    for (const [path, param] of cases) {
      const r = await rawRequest(url, 'GET', path, ADMIN);
      expect(r.status, `${path} → ${r.body}`).toBe(400);
      const body = JSON.parse(r.body);
      expect(body.code).toBe('RXP_ERR_METRIC_PARAM');
      expect(body.param).toBe(param);
    }
    const ok = await rawRequest(url, 'GET', '/api/v1/metrics/sales.top_skus?limit=16&date=2000-01-01', ADMIN);
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body).params.limit).toBe(16);
  });
});

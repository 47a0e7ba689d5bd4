// CONTRACT "Displays" through the API and real sockets: a wall waiting on /pair gets a code; an admin pairs it;
// its display token arrives over its own socket, reads exactly what its screens show and writes nothing;
// PATCH moves it, reload reloads it, DELETE revokes it (sockets closed, 401); playlists; presence and
// DISPLAY_OFFLINE; a restart keeps it paired.
import { io, type Socket } from 'socket.io-client';
import { afterAll, describe, expect, it } from 'vitest';
import { PAIRING_ALPHABET } from '../../server/displays/pairing.ts';
import { ADMIN, INGEST, fixedClock, getJson, removeDir, startServer, tempDataDir, type Running } from '../helpers/server.ts';
import { connect, subscribe, type TestSocket } from '../helpers/socket.ts';

const dir = tempDataDir();
const clock = fixedClock('2026-11-11T10:00:00+08:00');
let s: Running;
const sockets: Socket[] = [];
afterAll(async () => {
  for (const x of sockets) x.close();
  await s?.close();
  removeDir(dir);
});

async function call(method: string, path: string, token: string | null, body?: unknown): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${s.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

/** A wall with no token: connects to /pair and resolves with its first code (and the socket, still waiting). */
async function waitingWall(): Promise<{ socket: Socket; code: string; token: Promise<{ token: string; display_id: string }> }> {
  const socket = io(`${s.url}/pair`, { transports: ['websocket'], forceNew: true, reconnection: false });
  sockets.push(socket);
  const token = new Promise<{ token: string; display_id: string }>((resolve) => socket.once('pair:token', resolve));
  const code = await new Promise<string>((resolve, reject) => {
    socket.once('pair:code', (m: { code: string; expires_at: string }) => {
      expect(Date.parse(m.expires_at) - clock.now()).toBe(10 * 60_000);
      resolve(m.code);
    });
    socket.once('connect_error', reject);
  });
  return { socket, code, token };
}

function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms))]);
}

let token = '';
let displayId = '';
let wallSocket: TestSocket;

describe('pairing', () => {
  it('starts', async () => {
    s = await startServer({ clock, dataDir: dir });
  });

  it('a wall with no token gets a 6-character code of the CONTRACT alphabet; a wrong code is 404; pairing sends the token to that wall only', async () => {
    const wall = await waitingWall();
    const other = await waitingWall();
    expect(wall.code).toMatch(new RegExp(`^[${PAIRING_ALPHABET}]{6}$`));
    expect(other.code).not.toBe(wall.code);
    expect((await call('POST', '/api/v1/displays', ADMIN, { code: 'ZZZZZ0', name: 'x', screen_id: 'war-room' })).status).toBe(404);
    expect((await call('POST', '/api/v1/displays', INGEST, { code: wall.code, name: 'x', screen_id: 'war-room' })).status).toBe(403);
    expect((await call('POST', '/api/v1/displays', ADMIN, { code: wall.code, name: 'x', screen_id: 'no-such-screen' })).status).toBe(404);
    expect((await call('POST', '/api/v1/displays', ADMIN, { code: wall.code, name: 'x' })).status).toBe(400);
    const r = await call('POST', '/api/v1/displays', ADMIN, { code: wall.code.toLowerCase(), name: '作战室大屏', screen_id: 'war-room' });
    expect(r.status).toBe(201);
    expect(Object.keys(r.body).sort()).toEqual(['display_id', 'name', 'screen_id']);
    expect(r.body).toMatchObject({ name: '作战室大屏', screen_id: 'war-room' });
    const paired = await within(wall.token, 5_000, 'the token on the waiting socket');
    expect(paired.display_id).toBe(r.body.display_id);
    expect(paired.token).toMatch(/^rxd_[A-Za-z0-9_-]{43}$/);
    expect(JSON.stringify(r.body)).not.toContain(paired.token);
    // The code is used: it pairs nothing else.
    expect((await call('POST', '/api/v1/displays', ADMIN, { code: wall.code, name: 'again', screen_id: 'war-room' })).status).toBe(404);
    token = paired.token;
    displayId = paired.display_id;
    const stored = await s.app.storage.read.query({ query: `SELECT token_hash FROM ${s.app.storage.db}.displays`, format: 'JSONEachRow' });
    const rows = await stored.json<{ token_hash: string }>();
    expect(rows.map((x) => x.token_hash)).toEqual([expect.stringMatching(/^[0-9a-f]{64}$/)]);
    expect(JSON.stringify(rows)).not.toContain(token);
  });
});

describe('a display token', () => {
  it('reads its own configuration and the screen it shows, not another', async () => {
    expect((await call('GET', '/api/v1/displays/self', token)).body).toMatchObject({ display_id: displayId, screen_id: 'war-room', playlist_id: null, tz: 'Asia/Shanghai' });
    expect((await call('GET', '/api/v1/screens/war-room', token)).status).toBe(200);
    expect((await call('GET', '/api/v1/screens/warehouse', token)).status).toBe(403);
  });

  it('reads exactly the (metric, params) of its screens over HTTP: anything else is 403', async () => {
    expect((await call('GET', '/api/v1/metrics/sales.gmv', token)).status).toBe(200);
    expect((await call('GET', '/api/v1/metrics/sales.top_skus?limit=10', token)).status).toBe(200);
    expect((await call('GET', '/api/v1/metrics/sales.top_skus?limit=50', token)).status).toBe(403);
    expect((await call('GET', '/api/v1/metrics/sales.gmv?date=2026-01-01', token)).status).toBe(403);
    expect((await call('GET', '/api/v1/metrics/warehouse.backlog', token)).status).toBe(403);
    expect((await call('GET', '/api/v1/metrics/no.such.metric', token)).status).toBe(403);
    expect((await call('GET', '/api/v1/metrics/alerts.open', token)).status).toBe(200); // the war-room's takeover
  });

  it('writes nothing and lists nothing', async () => {
    for (const [method, path, body] of [
      ['POST', '/api/v1/events', []],
      ['PUT', '/api/v1/reference/skus', []],
      ['PUT', '/api/v1/screens/war-room', {}],
      ['DELETE', '/api/v1/screens/war-room', undefined],
      ['GET', '/api/v1/displays', undefined],
      ['POST', '/api/v1/displays', { code: 'AAAAAA', name: 'x', screen_id: 'war-room' }],
      ['PATCH', `/api/v1/displays/${displayId}`, { name: 'mine' }],
      ['DELETE', `/api/v1/displays/${displayId}`, undefined],
      ['PUT', '/api/v1/playlists/p', { title: 't', items: [{ screen_id: 'war-room', seconds: 10 }] }],
      ['GET', '/api/v1/alerts', undefined],
      ['GET', '/api/v1/metrics', undefined],
      ['GET', '/api/v1/screens', undefined],
      ['POST', '/api/v1/alerts/x/ack', { by: 'wall', note: '' }],
    ] as const) {
      expect((await call(method, path, token, body)).status, `${method} ${path}`).toBe(403);
    }
  });

  it('subscribes over its socket to its screens’ metrics only', async () => {
    wallSocket = await connect(s.url, token);
    expect(await subscribe(wallSocket, 'sales.gmv')).toMatchObject({ type: 'snapshot', metric: 'sales.gmv' });
    expect(await subscribe(wallSocket, 'warehouse.backlog')).toMatchObject({ code: 'RXP_ERR_AUTH_FORBIDDEN' });
    expect(await subscribe(wallSocket, 'sales.top_skus', { limit: 11 })).toMatchObject({ code: 'RXP_ERR_AUTH_FORBIDDEN' });
  });
});

describe('the fleet', () => {
  it('lists each wall with what it reported; PATCH moves it and tells it; reload reaches it', async () => {
    wallSocket.emit('display:report', { version: '0.1.0', screen_size: { width: 3840, height: 2160 }, uptime_s: 42, heap_bytes: 50_000_000, fps: 60, data_age_s: 1.5, screen_id: 'war-room' });
    await new Promise((r) => setTimeout(r, 200));
    const [d] = (await call('GET', '/api/v1/displays', ADMIN)).body;
    expect(d).toMatchObject({ display_id: displayId, name: '作战室大屏', screen_id: 'war-room', playlist_id: null, online: true, version: '0.1.0', screen_size: { width: 3840, height: 2160 }, data_age_s: 1.5, fps: 60 });
    expect(Date.parse(d.last_seen)).toBe(clock.now());

    const changed = within(new Promise((r) => wallSocket.once('display:changed', r)), 5_000, 'display:changed');
    expect((await call('PATCH', `/api/v1/displays/${displayId}`, ADMIN, { screen_id: 'warehouse' })).body).toMatchObject({ screen_id: 'warehouse' });
    expect(await changed).toEqual({ display_id: displayId });
    expect((await call('GET', '/api/v1/metrics/warehouse.backlog', token)).status).toBe(200);
    expect((await call('GET', '/api/v1/metrics/sales.gmv', token)).status).toBe(403);

    const reload = within(new Promise((r) => wallSocket.once('display:reload', r)), 5_000, 'display:reload');
    expect((await call('POST', `/api/v1/displays/${displayId}/reload`, ADMIN)).status).toBe(202);
    expect(await reload).toEqual({ display_id: displayId });
    expect((await call('PATCH', '/api/v1/displays/nope', ADMIN, { name: 'x' })).status).toBe(404);
    expect((await call('PATCH', `/api/v1/displays/${displayId}`, ADMIN, { screen_id: 'war-room', playlist_id: 'p' })).status).toBe(400);
  });

  it('a wall silent for 2 minutes in business hours is offline and raises DISPLAY_OFFLINE once', async () => {
    wallSocket.close();
    await new Promise((r) => setTimeout(r, 300));
    clock.advance(119_000);
    expect((await call('GET', '/api/v1/displays', ADMIN)).body[0].online).toBe(true);
    clock.advance(2_000);
    expect((await call('GET', '/api/v1/displays', ADMIN)).body[0].online).toBe(false);
    const deadline = Date.now() + 10_000;
    let alerts: { rule: string; entity: string; severity: string }[] = [];
    while (Date.now() < deadline) {
      alerts = (await getJson(s.url, '/api/v1/alerts?rule=DISPLAY_OFFLINE')).body as typeof alerts;
      if (alerts.length) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(alerts.map((a) => [a.entity, a.severity])).toEqual([[`display:${displayId}`, 'minor']]);
  });
});

describe('playlists', () => {
  it('are checked, stored, listed; a display on one reads the metrics of all its screens', async () => {
    expect((await call('PUT', '/api/v1/playlists/day', ADMIN, { title: '白天', items: [] })).status).toBe(400);
    expect((await call('PUT', '/api/v1/playlists/day', ADMIN, { title: '白天', items: [{ screen_id: 'war-room', seconds: 1 }] })).status).toBe(400);
    expect((await call('PUT', '/api/v1/playlists/day', ADMIN, { title: '白天', items: [{ screen_id: 'nope', seconds: 10 }] })).status).toBe(404);
    const doc = {
      title: { 'zh-CN': '白天轮播', en: 'Daytime' },
      items: [{ screen_id: 'executive', seconds: 10 }, { screen_id: 'compliance', seconds: 10 }],
      schedule: [{ days: [1, 2, 3, 4, 5, 6, 7], dates: ['11-11'], from: '20:00', to: '02:00', items: [{ screen_id: 'war-room', seconds: 60 }] }],
    };
    expect((await call('PUT', '/api/v1/playlists/day', ADMIN, doc)).status).toBe(200);
    expect((await call('GET', '/api/v1/playlists/day', ADMIN)).body).toEqual({ id: 'day', ...doc });
    expect((await call('GET', '/api/v1/playlists', ADMIN)).body).toEqual([{ id: 'day', ...doc }]);
    expect((await call('PATCH', `/api/v1/displays/${displayId}`, ADMIN, { playlist_id: 'day' })).body).toMatchObject({ screen_id: null, playlist_id: 'day' });
    expect((await call('GET', '/api/v1/displays/self', token)).body).toMatchObject({ playlist_id: 'day', playlist: doc });
    for (const m of ['sales.gmv', 'sales.gmv_vs_target']) expect((await call('GET', `/api/v1/metrics/${m}`, token)).status, m).toBe(200);
    expect((await call('GET', '/api/v1/metrics/warehouse.backlog', token)).status).toBe(403);
    expect((await call('DELETE', '/api/v1/playlists/day', ADMIN)).status).toBe(400); // shown by a display
  });
});

describe('a restart and a revoke', () => {
  it('a restart does not unpair it', async () => {
    await s.close();
    s = await startServer({ clock, dataDir: dir });
    expect((await call('GET', '/api/v1/displays/self', token)).body).toMatchObject({ display_id: displayId, playlist_id: 'day' });
    wallSocket = await connect(s.url, token);
  });

  it('DELETE closes its sockets within 5 s, and its token gets 401 from then on', async () => {
    const closed = within(new Promise((r) => wallSocket.once('disconnect', r)), 5_000, 'the wall socket closed');
    expect((await call('DELETE', `/api/v1/displays/${displayId}`, ADMIN)).status).toBe(204);
    await closed;
    expect((await call('GET', '/api/v1/displays/self', token)).status).toBe(401);
    expect((await call('GET', '/api/v1/metrics/sales.gmv', token)).status).toBe(401);
    await expect(connect(s.url, token)).rejects.toThrow(/RXP_ERR_AUTH_MISSING/);
    expect((await call('GET', '/api/v1/displays', ADMIN)).body).toEqual([]);
    expect((await call('DELETE', '/api/v1/playlists/day', ADMIN)).status).toBe(204);
  });
});

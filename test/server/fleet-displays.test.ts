// Displays in a fleet (issue 17, item 2): two real RxPulse processes over a real redis-server. A wall waiting
// on a follower gets a code, is paired through the other instance, gets its token on its own socket; its
// token is admitted and scoped on the follower; what it reports shows in GET /api/v1/displays; a revoke
// closes its socket on the follower and the token is refused there within 5 s.
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fleetPrefix, oneLeader, startMember, type Member } from '../helpers/fleet.ts';
import { startRedis, type RedisServer } from '../helpers/redis.ts';
import { ADMIN, removeDir, tempDataDir } from '../helpers/server.ts';
import { connect, subscribe, type TestSocket } from '../helpers/socket.ts';

let redis: RedisServer;
let members: Member[] = [];
const dir = tempDataDir();
const sockets: Socket[] = [];

beforeAll(async () => {
  redis = await startRedis();
  const prefix = fleetPrefix();
  members = await Promise.all([0, 1].map(() => startMember({ redisUrl: redis.url, dataDir: dir, prefix })));
  await oneLeader(members, 30_000);
}, 90_000);
afterAll(async () => {
  for (const s of sockets) s.close();
  await Promise.all(members.map((m) => m.stop('SIGKILL')));
  await redis?.close();
  removeDir(dir);
});

async function call(m: Member, method: string, path: string, body?: unknown, token = ADMIN): Promise<{ status: number; body: any }> {
  const res = await fetch(`${m.url}${path}`, { method, headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

const within = <T>(p: Promise<T>, ms: number, what: string) => Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms))]);

describe('displays across a fleet', () => {
  let follower: Member;
  let leader: Member;
  let token = '';
  let displayId = '';
  let wall: TestSocket;

  it('a wall waiting on one instance is paired through another and gets its token there', async () => {
    const { leader: li } = await oneLeader(members);
    leader = members[li];
    follower = members[1 - li];
    const pairing = io(`${follower.url}/pair`, { transports: ['websocket'], forceNew: true, reconnection: false });
    sockets.push(pairing);
    const paired = new Promise<{ token: string; display_id: string }>((resolve) => pairing.once('pair:token', resolve));
    const code = await within(new Promise<string>((resolve) => pairing.once('pair:code', (m: { code: string }) => resolve(m.code))), 10_000, 'a code');
    // Posted on the leader's instance; the wall's socket is on the follower.
    const r = await call(leader, 'POST', '/api/v1/displays', { code, name: '走廊', screen_id: 'war-room' });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    const got = await within(paired, 5_000, 'the token on the follower');
    expect(got.display_id).toBe(r.body.display_id);
    token = got.token;
    displayId = got.display_id;
    expect((await call(follower, 'POST', '/api/v1/displays', { code, name: 'again', screen_id: 'war-room' })).status).toBe(404);
  });

  it('its token is admitted and scoped on the other instance too (socket and HTTP)', async () => {
    wall = await connect(follower.url, token);
    expect(await subscribe(wall, 'sales.gmv')).toMatchObject({ type: 'snapshot' });
    expect(await subscribe(wall, 'warehouse.backlog')).toMatchObject({ code: 'RXP_ERR_AUTH_FORBIDDEN' });
    expect((await call(follower, 'GET', '/api/v1/metrics/sales.gmv', undefined, token)).status).toBe(200);
    expect((await call(follower, 'GET', '/api/v1/metrics/warehouse.backlog', undefined, token)).status).toBe(403);
    expect((await call(follower, 'POST', '/api/v1/events', [], token)).status).toBe(403);
  });

  it('what it reports on one instance is listed through another', async () => {
    wall.emit('display:report', { version: '0.1.0', screen_size: { width: 1920, height: 1080 }, uptime_s: 5, heap_bytes: null, fps: 59.5, data_age_s: 0.8, screen_id: 'war-room' });
    await expect
      .poll(async () => (await call(leader, 'GET', '/api/v1/displays')).body[0], { timeout: 5_000 })
      .toMatchObject({ display_id: displayId, online: true, fps: 59.5, screen_size: { width: 1920, height: 1080 }, current_screen: 'war-room' });
  });

  it('a JSON body written through a follower reaches the leader whole (the front forwards the request stream)', async () => {
    const doc = { title: '轮播', items: [{ screen_id: 'war-room', seconds: 30 }, { screen_id: 'executive', seconds: 30 }] };
    expect((await call(follower, 'PUT', '/api/v1/playlists/lobby', doc)).status).toBe(200);
    expect((await call(leader, 'GET', '/api/v1/playlists/lobby')).body).toEqual({ id: 'lobby', ...doc });
    expect((await call(follower, 'PUT', '/api/v1/reference/warehouses', [{ warehouse_id: 'WH-F', name: '前置仓', province: '上海' }])).body).toEqual({ upserted: 1 });
  });

  it('a move reaches it on the other instance; a revoke closes it there and its token is refused within 5 s', async () => {
    const changed = within(new Promise((r) => wall.once('display:changed', r)), 5_000, 'display:changed on the follower');
    expect((await call(leader, 'PATCH', `/api/v1/displays/${displayId}`, { screen_id: 'warehouse' })).status).toBe(200);
    await changed;
    await expect.poll(async () => (await subscribe(wall, 'warehouse.backlog')) as object, { timeout: 5_000 }).toMatchObject({ type: 'snapshot' });
    const closed = within(new Promise((r) => wall.once('disconnect', r)), 5_000, 'the wall socket closed');
    expect((await call(follower, 'DELETE', `/api/v1/displays/${displayId}`)).status).toBe(204);
    await closed;
    await expect(connect(follower.url, token)).rejects.toThrow(/RXP_ERR_AUTH_MISSING/);
    await expect(connect(leader.url, token)).rejects.toThrow(/RXP_ERR_AUTH_MISSING/);
    expect((await call(follower, 'GET', '/api/v1/displays/self', undefined, token)).status).toBe(401);
  });
});

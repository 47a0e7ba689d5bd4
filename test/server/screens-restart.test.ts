// Admin screens survive a restart (chDB: one data dir per process, hence a file of its own).
import { describe, expect, it } from 'vitest';
import { ADMIN, getJson, removeDir, startServer, tempDataDir } from '../helpers/server.ts';

const label = { 'zh-CN': '成交额', en: 'GMV' };
const screen = (id: string) => ({
  id,
  title: { 'zh-CN': '测试大屏', en: 'Test screen' },
  grid: { columns: 4, rows: 2 },
  widgets: [{ id: 'gmv', type: 'rx-kpi', area: { col: 1, row: 1, colSpan: 1, rowSpan: 1 }, label, metric: 'sales.gmv', options: { format: 'yuan' } }],
});

async function put(url: string, id: string, body: unknown) {
  const res = await fetch(`${url}/api/v1/screens/${id}`, { method: 'PUT', headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('admin screens across a restart', () => {
  it('keeps admin screens across a restart, and DELETE brings back what the files say', async () => {
    const dataDir = tempDataDir();
    let s = await startServer({ dataDir });
    try {
      expect((await put(s.url, 'kept', screen('kept'))).status).toBe(200);
      // Replacing a built-in screen, then removing the replacement: the file version is back.
      const warRoom = (await getJson(s.url, '/api/v1/screens/war-room')).body;
      const { tz: _tz, ...file } = warRoom;
      expect((await put(s.url, 'war-room', { ...file, title: { 'zh-CN': '改过的', en: 'Changed' } })).status).toBe(200);
      await s.close();
      s = await startServer({ dataDir });
      expect((await getJson(s.url, '/api/v1/screens/kept')).body).toMatchObject({ id: 'kept', title: { en: 'Test screen' } });
      expect((await getJson(s.url, '/api/v1/screens/war-room')).body.title.en).toBe('Changed');
      const del = await fetch(`${s.url}/api/v1/screens/war-room`, { method: 'DELETE', headers: { authorization: `Bearer ${ADMIN}` } });
      expect(del.status).toBe(204);
      expect((await getJson(s.url, '/api/v1/screens/war-room')).body.title).toEqual(file.title);
      expect((await fetch(`${s.url}/api/v1/screens/kept`, { method: 'DELETE', headers: { authorization: `Bearer ${ADMIN}` } })).status).toBe(204);
      expect((await getJson(s.url, '/api/v1/screens/kept')).status).toBe(404);
    } finally {
      await s.close();
      removeDir(dataDir);
    }
  });
});

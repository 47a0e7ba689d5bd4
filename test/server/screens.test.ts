// Screens as code: the JSON Schema, validation with file/path/reason (at start, by check-screens and on the
// admin API), and admin updates kept across a restart.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { screenProblems } from '../../server/screens.ts';
import { ADMIN, INGEST, getJson, useServer } from '../helpers/server.ts';

const server = useServer();
const ROOT = join(import.meta.dirname, '../..');

const label = { 'zh-CN': '成交额', en: 'GMV' };
const screen = (widgets: unknown[], extra: Record<string, unknown> = {}) => ({
  id: 'ops-test',
  title: { 'zh-CN': '测试大屏', en: 'Test screen' },
  grid: { columns: 4, rows: 2 },
  widgets,
  ...extra,
});
const kpi = (id: string, area: Record<string, number>, more: Record<string, unknown> = {}) => ({ id, type: 'rx-kpi', area, label, metric: 'sales.gmv', options: { format: 'yuan' }, ...more });

async function put(url: string, id: string, body: unknown, token = ADMIN) {
  const res = await fetch(`${url}/api/v1/screens/${id}`, { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as any };
}

describe('screen definitions', () => {
  it('serves the JSON Schema of a screen', async () => {
    const r = await getJson(server().url, '/api/v1/schema/screen.json', null);
    expect(r.status).toBe(200);
    expect(r.body.$schema).toMatch(/json-schema\.org/);
    expect(r.body.required).toEqual(expect.arrayContaining(['id', 'title', 'grid', 'widgets']));
    expect(JSON.stringify(r.body.properties.widgets)).toContain('rx-map');
    // Per type, the options schema: an rx-bar needs x and y.
    const bar = r.body.properties.widgets.items.allOf.find((c: { if: { properties: { type: { const: string } } } }) => c.if.properties.type.const === 'rx-bar');
    expect(bar.then.properties.options.required).toEqual(expect.arrayContaining(['x', 'y']));
  });

  it('names the path and the reason of every problem', () => {
    expect(screenProblems(screen([kpi('a', { col: 1, row: 1, colSpan: 2, rowSpan: 1 })]))).toEqual([]);
    expect(screenProblems(screen([{ ...kpi('a', { col: 1, row: 1, colSpan: 2, rowSpan: 1 }), type: 'rx-pie' }]))).toEqual([
      { path: 'widgets[0].type', reason: expect.stringContaining('one of: rx-kpi') },
    ]);
    expect(screenProblems(screen([kpi('a', { col: 1, row: 1, colSpan: 2, rowSpan: 1 }, { metric: 'sales.nope' })]))).toEqual([
      { path: 'widgets[0].metric', reason: 'unknown metric "sales.nope"' },
    ]);
    expect(screenProblems(screen([kpi('a', { col: 1, row: 1, colSpan: 2, rowSpan: 1 }, { params: { date: '2026-02-30' } })]))).toEqual([
      { path: 'widgets[0].params.date', reason: expect.stringContaining('YYYY-MM-DD') },
    ]);
    expect(screenProblems(screen([kpi('a', { col: 1, row: 1, colSpan: 2, rowSpan: 1 }), kpi('b', { col: 2, row: 1, colSpan: 3, rowSpan: 1 })]))).toEqual([
      { path: 'widgets[1].area', reason: 'overlaps widget "a" at row 1, column 2' },
    ]);
    expect(screenProblems(screen([kpi('a', { col: 1, row: 1, colSpan: 1, rowSpan: 1 }), kpi('a', { col: 2, row: 1, colSpan: 1, rowSpan: 1 })]))).toEqual([
      { path: 'widgets[1].id', reason: 'duplicate widget id "a"' },
    ]);
    // Each widget type's options are checked against its own schema (widgets/options.ts).
    expect(screenProblems(screen([{ id: 'b', type: 'rx-bar', area: { col: 1, row: 1, colSpan: 1, rowSpan: 1 }, label, metric: 'sales.gmv_by_channel', options: { x: 'channel', format: 'yuan' } }]))).toEqual([
      { path: 'widgets[0].options.y', reason: 'is required' },
    ]);
    expect(screenProblems(screen([kpi('a', { col: 1, row: 1, colSpan: 1, rowSpan: 1 }, { options: { format: 'dollars' } })]))[0]).toMatchObject({ path: 'widgets[0].options.format' });
    const { title: _t, ...untitled } = screen([kpi('a', { col: 1, row: 1, colSpan: 1, rowSpan: 1 })]);
    expect(screenProblems(untitled)).toEqual([{ path: 'title', reason: 'is required' }]);
  });

  it('refuses to start, and check-screens fails, on a bad screen file, naming file, path and reason', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rxpulse-screens-'));
    try {
      writeFileSync(join(dir, 'bad.yaml'), ['id: bad-one', 'title: { zh-CN: 坏, en: Bad }', 'grid: { columns: 2, rows: 1 }', 'widgets:', '  - { id: g, type: rx-kpi, area: { col: 2, row: 1, colSpan: 2, rowSpan: 1 }, label: { zh-CN: 额, en: GMV }, metric: sales.gmv }', ''].join('\n'));
      const env = { ...process.env, RXPULSE_SCREENS_DIR: dir, RXPULSE_DATA_DIR: join(dir, 'data'), RXPULSE_DEMO: 'off', PORT: '0' };
      const check = spawnSync(process.execPath, ['--import', 'tsx', 'screens/check.ts'], { cwd: ROOT, env, encoding: 'utf8' });
      expect(check.status).toBe(1);
      expect(check.stderr).toContain('bad.yaml: widgets[0].area: reaches column 3 of a 2-column grid');
      const start = spawnSync(process.execPath, ['--import', 'tsx', 'server/main.ts'], { cwd: ROOT, env, encoding: 'utf8', timeout: 60_000 });
      expect(start.status).toBe(1);
      expect(start.stderr).toContain('RXP_ERR_SCREEN_INVALID');
      expect(start.stderr).toContain('bad.yaml: widgets[0].area: reaches column 3 of a 2-column grid');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('takes a screen through the admin API, validated the same way', async () => {
    const url = server().url;
    const good = screen([kpi('gmv', { col: 1, row: 1, colSpan: 2, rowSpan: 2 })]);
    expect((await put(url, 'ops-test', good, INGEST)).status).toBe(403);
    const bad = await put(url, 'ops-test', screen([kpi('gmv', { col: 4, row: 1, colSpan: 2, rowSpan: 1 })]));
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: 'RXP_ERR_SCREEN_INVALID', errors: [{ path: 'widgets[0].area', reason: 'reaches column 5 of a 4-column grid' }] });
    expect((await getJson(url, '/api/v1/screens/ops-test')).status).toBe(404); // nothing stored

    expect((await put(url, 'ops-test', good)).status).toBe(200);
    expect((await getJson(url, '/api/v1/screens/ops-test')).body).toMatchObject({ id: 'ops-test', widgets: [{ id: 'gmv' }] });
    expect((await getJson(url, '/api/v1/screens')).body.map((x: { id: string }) => x.id)).toContain('ops-test');
  });
});

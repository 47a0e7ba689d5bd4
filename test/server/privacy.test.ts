// Personal data never reaches storage or the API in clear (CONTRACT "Personal data"): after orders with a
// buyer's name, phone and street address, no stored row of any table and no API answer contains them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getJson, postEvents, removeDir, sql, startServer, type Running } from '../helpers/server.ts';
import { created, paid } from '../helpers/events.ts';

const NAME = '欧阳娜娜';
const PHONE = '13987654321';
const STREET = '天河区珠江新城花城大道18号';
const CLEAR = [NAME, PHONE, STREET, '98765432', '珠江新城'];
let s: Running;

beforeAll(async () => {
  s = await startServer();
  const personal = { buyer_name: NAME, buyer_phone: PHONE, address: `广东省广州市${STREET}`, city: '广州' };
  const now = Date.now();
  const r = await postEvents(s.url, [
    created({ order_id: 'P-1', ts: now - 5_000, ...personal }),
    paid({ order_id: 'P-1', ts: now - 4_000, paid_fen: 8_800, ...personal }),
    paid({ order_id: 'P-2', ts: '2026-11-11T20:00:00+08:00', paid_fen: 100, buyer_name: NAME, buyer_phone: `+86 ${PHONE}`, address: STREET, extra_note: `${NAME} ${PHONE}` }),
  ]);
  expect(r.status).toBe(200);
});
afterAll(async () => {
  await s?.close();
  if (s) removeDir(s.dataDir);
});

describe('personal data', () => {
  it('is in no stored row of any table', async () => {
    const tables = await sql<{ name: string }>(s.app, "SELECT name FROM system.tables WHERE database = '{db}' AND engine NOT IN ('MaterializedView')");
    expect(tables.length).toBeGreaterThan(10);
    for (const { name } of tables) {
      const rows = await sql(s.app, `SELECT * FROM {db}.${name}`);
      const text = JSON.stringify(rows);
      for (const clear of CLEAR) expect(text.includes(clear), `${clear} in ${name}`).toBe(false);
    }
    // The masked forms are what is kept.
    const masked = await sql(s.app, "SELECT DISTINCT buyer_name_masked AS n, buyer_phone_masked AS p FROM {db}.order_events WHERE order_id = 'P-1'");
    expect(masked).toEqual([{ n: '欧**', p: '139****4321' }]);
  });

  it('is in no API answer', async () => {
    const catalogue = (await getJson(s.url, '/api/v1/metrics')).body as { id: string }[];
    expect(catalogue.length).toBeGreaterThanOrEqual(3);
    for (const { id } of catalogue) {
      for (const query of ['', '?date=2026-11-11']) {
        const r = await getJson(s.url, `/api/v1/metrics/${id}${query}`);
        const text = JSON.stringify(r.body);
        for (const clear of CLEAR) expect(text.includes(clear), `${clear} in ${id}${query}`).toBe(false);
      }
    }
  });
});

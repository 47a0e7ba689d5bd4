// The projector's crash safety on real chDB: a commit group that reached the log but was never projected is
// projected at the next start, and a cycle interrupted half-way is replayed without counting twice.
import { describe, expect, it } from 'vitest';
import { getJson, postEvents, removeDir, sql, startServer } from '../helpers/server.ts';
import { paid } from '../helpers/events.ts';

const DAY = '2026-11-11';
const TS = `${DAY}T09:00:00.000+08:00`;

describe('projector recovery', () => {
  it('replays an interrupted cycle idempotently and projects groups left behind', async () => {
    const a = await startServer();
    expect((await postEvents(a.url, [paid({ ts: TS, paid_fen: 1_000, order_id: 'X-1' }), paid({ ts: TS, paid_fen: 2_000, order_id: 'X-2' })])).status).toBe(200);
    const [{ g }] = await sql<{ g: string }>(a.app, "SELECT max(group_id) AS g FROM {db}.events");
    const db = a.app.storage.db;
    // As if the process died: (1) in the middle of projecting group g (its rows already landed), and
    // (2) right after acknowledging group g+1, before projecting it.
    await a.app.storage.write.command({
      query: `INSERT INTO ${db}.projection_state FORMAT JSONEachRow {"id":1,"done_to":0,"pending_from":${g},"pending_to":${g},"version":${Date.now() * 1000 + 999}}`,
    });
    const orphan = {
      event_id: 'orphan-1',
      type: 'order.paid',
      stream: 'order',
      ts: '2026-11-11 01:00:00.000',
      received_at: '2026-11-11 01:00:00.000',
      first_paid: 1,
      id_fp: 1,
      group_id: Number(g) + 1,
      body: { order_id: 'X-3', channel: 'jd', shop_id: 'jd-01', buyer_id: 'b', province: '上海', paid_fen: 4_000, lines: [{ sku_id: 'S', qty: 1, unit_price_fen: 4_000 }] },
    };
    await a.app.storage.write.command({ query: `INSERT INTO ${db}.events SETTINGS input_format_json_read_objects_as_strings = 1 FORMAT JSONEachRow ${JSON.stringify(orphan)}` });
    await a.close();

    const b = await startServer({ dataDir: a.dataDir });
    try {
      expect((await getJson(b.url, `/api/v1/metrics/sales.gmv?date=${DAY}`)).body.value).toBe(7_000);
      expect((await getJson(b.url, `/api/v1/metrics/sales.paid_orders?date=${DAY}`)).body.value).toBe(3);
      expect(await sql(b.app, "SELECT order_id FROM {db}.order_events ORDER BY order_id")).toEqual([{ order_id: 'X-1' }, { order_id: 'X-2' }, { order_id: 'X-3' }]);
      // New ingest continues with group ids above the recovered ones.
      expect((await postEvents(b.url, [paid({ ts: TS, paid_fen: 5, order_id: 'X-4' })])).status).toBe(200);
      expect((await getJson(b.url, `/api/v1/metrics/sales.gmv?date=${DAY}`)).body.value).toBe(7_005);
    } finally {
      await b.close();
      removeDir(a.dataDir);
    }
  });
});

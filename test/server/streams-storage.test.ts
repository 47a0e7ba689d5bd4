// Every event type and every reference kind goes in, lands in its typed table, and bad input is refused
// with the field named and nothing stored.
import { describe, expect, it } from 'vitest';
import { ADMIN, INGEST, postEvents, sql, useServer } from '../helpers/server.ts';
import { putReference as putRef } from '../helpers/server.ts';
import { paid } from '../helpers/events.ts';

const TS = '2026-11-11T10:00:00.000+08:00';
const server = useServer();

const putReference = (kind: string, rows: unknown, token = INGEST) => putRef(server().url, kind, rows, token);

const one = (type: string, fields: Record<string, unknown>, id = type) => ({ event_id: `st-${id}`, type, ts: TS, ...fields });
const CODE = '12345678901234567890';

describe('all event types', () => {
  it('stores each type in its typed table', async () => {
    const events = [
      paid({ order_id: 'S-1', ts: TS, paid_fen: 500, lines: [{ sku_id: 'SKU-A', qty: 2, unit_price_fen: 300, discount_fen: 100 }] }),
      one('order.shipped', { order_id: 'S-1', warehouse_id: 'WH-1', boxes: [{ box_id: 'BX-1', sku_id: 'SKU-A', batch_no: 'B1', trace_codes: [CODE] }] }),
      one('order.delivered', { order_id: 'S-1' }),
      one('order.refunded', { order_id: 'S-1', refund_fen: 200 }),
      one('order.cancelled', { order_id: 'S-2' }),
      one('rx.issued', { rx_id: 'RX-1', order_id: 'S-1', source: 'internet_hospital' }),
      one('rx.review_started', { rx_id: 'RX-1', pharmacist_id: 'PH-1' }),
      one('rx.approved', { rx_id: 'RX-1', pharmacist_id: 'PH-1' }),
      one('rx.rejected', { rx_id: 'RX-2', pharmacist_id: 'PH-1', reason: '处方超期' }),
      one('inventory.receipt', { warehouse_id: 'WH-1', sku_id: 'SKU-A', batch_no: 'B1', qty: 100 }),
      one('inventory.pick', { warehouse_id: 'WH-1', sku_id: 'SKU-A', batch_no: 'B1', qty: 2, order_id: 'S-1' }),
      one('inventory.return', { warehouse_id: 'WH-1', sku_id: 'SKU-A', batch_no: 'B1', qty: 1 }),
      one('inventory.adjust', { warehouse_id: 'WH-1', sku_id: 'SKU-A', batch_no: 'B1', qty: -3 }),
      one('inventory.scrap', { warehouse_id: 'WH-1', sku_id: 'SKU-A', batch_no: 'B1', qty: 4 }),
      one('trace.scan', { code: CODE, sku_id: 'SKU-A', batch_no: 'B1', warehouse_id: 'WH-1', direction: 'out', order_id: 'S-1', box_id: 'BX-1' }),
      one('sensor.reading', { sensor_id: 'SN-1', temp_c: 4.5, humidity_pct: 55 }),
      one('live.stats', { room_id: 'LR-1', channel: 'douyin', viewers: 12_000, gmv_fen: 8_800_000 }),
    ];
    const r = await postEvents(server().url, events);
    expect(r.body).toEqual({ accepted: events.length, duplicates: 0 });
    const counts = async (table: string) => Number((await sql<{ n: string }>(server().app, `SELECT count() AS n FROM {db}.${table}`))[0].n);
    expect(await counts('order_events')).toBe(5);
    expect(await counts('order_lines')).toBe(1);
    expect(await counts('shipped_boxes')).toBe(1);
    expect(await counts('rx_events')).toBe(4);
    expect(await counts('inventory_moves')).toBe(5);
    expect(await counts('trace_scans')).toBe(1);
    expect(await counts('sensor_readings')).toBe(1);
    expect(await counts('live_stats')).toBe(1);
    expect(await sql(server().app, 'SELECT warehouse_id, sku_id, batch_no, sum(qty) AS qty FROM {db}.stock_batch GROUP BY ALL')).toEqual([
      { warehouse_id: 'WH-1', sku_id: 'SKU-A', batch_no: 'B1', qty: String(100 - 2 + 1 - 3 - 4) },
    ]);
    expect(await sql(server().app, 'SELECT sku_id, sum(qty) AS qty, sum(gmv_fen) AS gmv_fen FROM {db}.sales_line_hour GROUP BY sku_id')).toEqual([{ sku_id: 'SKU-A', qty: '2', gmv_fen: '500' }]);
    expect(await sql(server().app, 'SELECT sum(refund_fen) AS f, uniqExactMerge(orders) AS o FROM {db}.refunds_minute')).toEqual([{ f: '200', o: '1' }]);
  });

  const bad: [string, Record<string, unknown>, string][] = [
    ['an rx source outside the list', { type: 'rx.issued', rx_id: 'R', order_id: 'O', source: 'fax' }, 'source'],
    ['a pick of qty 0', { type: 'inventory.pick', warehouse_id: 'W', sku_id: 'S', batch_no: 'B', qty: 0 }, 'qty'],
    ['an adjust of 0', { type: 'inventory.adjust', warehouse_id: 'W', sku_id: 'S', batch_no: 'B', qty: 0 }, 'qty'],
    ['a trace code of 19 digits', { type: 'trace.scan', code: '1234567890123456789', sku_id: 'S', batch_no: 'B', warehouse_id: 'W', direction: 'out' }, 'code'],
    ['a scan direction outside in/out', { type: 'trace.scan', code: CODE, sku_id: 'S', batch_no: 'B', warehouse_id: 'W', direction: 'up' }, 'direction'],
    ['a temperature that is a string', { type: 'sensor.reading', sensor_id: 'S', temp_c: '4.5' }, 'temp_c'],
    ['negative viewers', { type: 'live.stats', room_id: 'R', channel: 'douyin', viewers: -1, gmv_fen: 0 }, 'viewers'],
    ['a live room on an unknown channel', { type: 'live.stats', room_id: 'R', channel: 'kuaishou', viewers: 1, gmv_fen: 0 }, 'channel'],
    ['a trace code inside a shipped box that is not 20 digits', { type: 'order.shipped', order_id: 'O', warehouse_id: 'W', boxes: [{ box_id: 'B', sku_id: 'S', batch_no: 'B', trace_codes: ['123'] }] }, 'boxes[0].trace_codes[0]'],
    ['a negative refund', { type: 'order.refunded', order_id: 'O', refund_fen: -1 }, 'refund_fen'],
  ];
  for (const [name, event, field] of bad) {
    it(`rejects ${name}`, async () => {
      const before = Number((await sql<{ n: string }>(server().app, 'SELECT count() AS n FROM {db}.events'))[0].n);
      const r = await postEvents(server().url, [paid({ ts: TS, paid_fen: 1 }), { event_id: `bad-${field}`, ts: TS, ...event }]);
      expect(r.status).toBe(400);
      expect(r.body.errors).toContainEqual(expect.objectContaining({ index: 1, event_id: `bad-${field}`, field }));
      expect(Number((await sql<{ n: string }>(server().app, 'SELECT count() AS n FROM {db}.events'))[0].n)).toBe(before);
    });
  }
});

describe('PUT /api/v1/reference/{kind}', () => {
  const rows: Record<string, unknown[]> = {
    skus: [{ sku_id: 'SKU-A', name: '阿莫西林胶囊 0.25g*24粒', category: 'rx', is_rx: true, storage_class: 'normal', controlled: false, traced: true, list_price_fen: 2_350, cost_fen: 1_200 }],
    shops: [{ shop_id: 'tmall-01', channel: 'tmall', name: '天猫旗舰店', licence_no: '粤AA1234567', licence_expires: '2027-03-01', gsp_expires: '2026-12-05' }],
    warehouses: [{ warehouse_id: 'WH-1', name: '广州仓', province: '广东' }],
    batches: [{ batch_no: 'B1', sku_id: 'SKU-A', mfg_date: '2025-01-01', expiry_date: '2027-01-01' }],
    sensors: [{ sensor_id: 'SN-1', warehouse_id: 'WH-1', location: '冷库A', storage_class: 'cold' }],
    targets: [{ date: '2026-11-11', channel: 'all', gmv_target_fen: 100_000_000_00 }, { date: '2026-11-11', channel: 'tmall', gmv_target_fen: 40_000_000_00 }],
  };

  it('upserts every kind, latest row per key wins, history kept', async () => {
    for (const [kind, list] of Object.entries(rows)) {
      expect(await putReference(kind, list)).toEqual({ status: 200, body: { upserted: list.length } });
    }
    const renamed = { ...(rows.skus[0] as object), name: '阿莫西林胶囊 0.5g*24粒' };
    expect((await putReference('skus', [renamed])).body).toEqual({ upserted: 1 });
    expect(await sql(server().app, 'SELECT sku_id, name, is_rx, cost_fen FROM {db}.ref_skus FINAL')).toEqual([{ sku_id: 'SKU-A', name: '阿莫西林胶囊 0.5g*24粒', is_rx: true, cost_fen: '1200' }]);
    expect(await sql(server().app, "SELECT count() AS n FROM {db}.reference_log WHERE kind = 'skus'")).toEqual([{ n: '2' }]);
    expect(await sql(server().app, 'SELECT channel, gmv_target_fen FROM {db}.ref_targets FINAL ORDER BY channel')).toEqual([
      { channel: 'all', gmv_target_fen: '10000000000' },
      { channel: 'tmall', gmv_target_fen: '4000000000' },
    ]);
    expect(await sql(server().app, 'SELECT toString(gsp_expires) AS d FROM {db}.ref_shops FINAL')).toEqual([{ d: '2026-12-05' }]);
  });

  it('rejects bad rows naming index, key, field and reason, storing nothing', async () => {
    const before = await sql(server().app, 'SELECT count() AS n FROM {db}.reference_log');
    const r = await putReference('skus', [
      rows.skus[0],
      { ...(rows.skus[0] as object), sku_id: 'SKU-B', category: 'candy', cost_fen: -1 },
      { ...(rows.skus[0] as object), sku_id: 'SKU-C', is_rx: 'yes' },
    ]);
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('invalid_rows');
    expect(r.body.errors.map((e: { index: number; field: string }) => `${e.index}:${e.field}`).sort()).toEqual(['1:category', '1:cost_fen', '2:is_rx']);
    expect(r.body.errors[0].key).toBe('SKU-B');
    const badDate = await putReference('batches', [{ batch_no: 'B2', sku_id: 'S', mfg_date: '2025-02-30', expiry_date: '2027-01-01' }]);
    expect(badDate.body.errors).toEqual([expect.objectContaining({ index: 0, field: 'mfg_date' })]);
    expect(await sql(server().app, 'SELECT count() AS n FROM {db}.reference_log')).toEqual(before);
  });

  it('answers 404 to an unknown kind, 400 to a body that is not an array, and checks the token', async () => {
    expect((await putReference('pets', [])).status).toBe(404);
    expect((await putReference('skus', { sku_id: 'x' })).status).toBe(400);
    expect((await putReference('skus', [], 'nope-nope-nope-nope')).status).toBe(401);
    expect((await putReference('skus', [], ADMIN)).status).toBe(200);
  });
});

describe('health', () => {
  it('flags SKU and shop ids that have no reference data', async () => {
    await postEvents(server().url, [paid({ ts: Date.now(), paid_fen: 1, shop_id: 'shop-nobody-knows', lines: [{ sku_id: 'SKU-NOBODY', qty: 1, unit_price_fen: 1 }] })]);
    await server().app.projector.barrier();
    const health = (await (await fetch(`${server().url}/api/v1/health`)).json()) as Record<string, any>;
    expect(health.status).toBe('ok');
    expect(health.unknown_references.sample.skus).toContain('SKU-NOBODY');
    expect(health.unknown_references.sample.shops).toContain('shop-nobody-knows');
    expect(health.unknown_references.sample.skus).not.toContain('SKU-A'); // known from PUT /reference/skus
  });
});

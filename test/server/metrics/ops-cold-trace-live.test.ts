// sensors.cold_chain, trace.coverage, live.rooms and alerts.open against a real server and chDB, plus the
// catalogue entries of every operations metric. Expected values are worked out by hand.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INGEST, fixedClock, getJson, postEvents, removeDir, startServer, type Running } from '../../helpers/server.ts';
import { putReference as putRef } from '../../helpers/server.ts';

// Pinned at 10:00:00 Shanghai on 2026-11-11 (02:00 UTC).
const NOW = '2026-11-11T10:00:00.000+08:00';
const clock = fixedClock(NOW);
let s: Running;

const t = (hms: string, date = '2026-11-11') => `${date}T${hms}+08:00`;
const reading = (id: string, sensor_id: string, ts: string, temp_c: number, humidity_pct?: number) => ({
  event_id: id, type: 'sensor.reading', ts, sensor_id, temp_c, ...(humidity_pct === undefined ? {} : { humidity_pct }),
});
const shipped = (id: string, order_id: string, ts: string, boxes: [string, string][]) => ({
  event_id: id, type: 'order.shipped', ts, order_id, warehouse_id: 'WH-1',
  boxes: boxes.map(([box_id, sku_id]) => ({ box_id, sku_id, batch_no: 'B-1', trace_codes: [] })),
});
let code = 10_000_000;
const scan = (id: string, direction: 'in' | 'out', sku_id: string, at: { order_id?: string; box_id?: string }) => ({
  event_id: id, type: 'trace.scan', ts: t('09:00:00'), code: `000000000000${++code}`, sku_id, batch_no: 'B-1', warehouse_id: 'WH-1', direction, ...at,
});
const live = (id: string, room_id: string, channel: string, ts: string, viewers: number, gmv_fen: number) => ({
  event_id: id, type: 'live.stats', ts, room_id, channel, viewers, gmv_fen,
});

async function putReference(kind: string, rows: unknown[]): Promise<void> {
  expect((await putRef(s.url, kind, rows)).status).toBe(200);
}
const sku = (sku_id: string, traced: boolean) => ({
  sku_id, name: sku_id, category: 'rx', is_rx: true, storage_class: 'normal', controlled: false, traced, list_price_fen: 100, cost_fen: 50,
});

beforeAll(async () => {
  s = await startServer({ clock });
  await putReference('sensors', [
    { sensor_id: 'SN-C1', warehouse_id: 'WH-1', location: '冷库A', storage_class: 'cold' },
    { sensor_id: 'SN-C2', warehouse_id: 'WH-1', location: '冷库B', storage_class: 'cold' },
    { sensor_id: 'SN-N2', warehouse_id: 'WH-1', location: '常温区2', storage_class: 'normal' },
    { sensor_id: 'SN-C3', warehouse_id: 'WH-2', location: '冷藏车', storage_class: 'cold' },
    { sensor_id: 'SN-N1', warehouse_id: 'WH-2', location: '常温库', storage_class: 'normal' },
    { sensor_id: 'SN-S1', warehouse_id: 'WH-2', location: '阴凉库', storage_class: 'shady' },
  ]);
  await putReference('skus', [sku('SKU-T1', true), sku('SKU-T2', true), sku('SKU-U', false)]);

  // Out of order: SN-C1's newest reading, T-3's scan and LR-1's newer stats arrive first.
  const early = [
    reading('r-c1-4', 'SN-C1', t('09:55:00'), 2.96),
    scan('scan-4', 'out', 'SKU-T1', { order_id: 'T-3' }),
    live('l-1b', 'LR-1', 'douyin', t('09:30:00'), 3_000, 120_000),
  ];
  expect((await postEvents(s.url, early)).status).toBe(200);
  const retried = [reading('r-c1-3', 'SN-C1', t('09:30:00'), 8.04, 55), scan('scan-5', 'out', 'SKU-T2', { order_id: 'T-6', box_id: 'BX-8' }), live('l-2b', 'LR-2', 'tmall', t('08:00:00'), 2_000, 300_000)];
  const events = [
    ...retried,
    reading('r-c1-1', 'SN-C1', t('09:00:00.000'), 0.5), // exactly one hour before now: outside the last hour
    reading('r-c1-2', 'SN-C1', t('09:10:00'), 1.0, 50),
    reading('r-c2-1', 'SN-C2', t('09:58:00'), 8.06, 61.25),
    reading('r-c2-2', 'SN-C2', t('10:00:30'), 20.0), // stamped after now: not known yet at as_of
    reading('r-s1-1', 'SN-S1', t('09:59:00'), -1.5, 40),
    reading('r-n1-1', 'SN-N1', t('09:20:00'), 31.0),
    reading('r-n1-2', 'SN-N1', t('09:50:00'), 9.96), // shows 10.0: inside the band
    reading('r-n2-1', 'SN-N2', t('10:00:00', '2026-11-09'), 20.0), // two days old: beyond the look-back
    reading('r-c3-1', 'SN-C3', t('09:40:00'), 5.0), // 20 minutes old: stale
    reading('r-x-1', 'SN-X', t('09:50:00'), 25.0, 30),

    shipped('ship-T-1', 'T-1', t('09:00:00'), [['BX-1', 'SKU-T1'], ['BX-2', 'SKU-T2'], ['BX-3', 'SKU-U']]),
    scan('scan-1', 'out', 'SKU-T1', { order_id: 'T-1', box_id: 'BX-1' }),
    scan('scan-2', 'in', 'SKU-T2', { order_id: 'T-1', box_id: 'BX-2' }),
    shipped('ship-T-2', 'T-2', t('09:30:00'), [['BX-1', 'SKU-T1'], ['BX-4', 'SKU-T2']]),
    scan('scan-3', 'out', 'SKU-T2', { box_id: 'BX-4' }),
    shipped('ship-T-3', 'T-3', t('00:00:00.000'), [['BX-5', 'SKU-T1']]),
    shipped('ship-T-4', 'T-4', t('23:59:59.999', '2026-11-10'), [['BX-6', 'SKU-T1']]),
    shipped('ship-T-5', 'T-5', t('09:40:00'), [['BX-7', 'SKU-Q']]),
    shipped('ship-T-6a', 'T-6', t('09:45:00'), [['BX-8', 'SKU-T2']]),
    shipped('ship-T-6b', 'T-6', t('09:46:00'), [['BX-8', 'SKU-T2']]), // re-sent shipment, another event_id
    shipped('ship-T-7', 'T-7', t('09:50:00'), [['BX-9', 'SKU-T1']]),
    scan('scan-6', 'out', 'SKU-T2', { order_id: 'T-7' }), // same order, other SKU, no box: not BX-9's scan

    live('l-1a', 'LR-1', 'douyin', t('09:00:00'), 1_000, 50_000),
    live('l-1c', 'LR-1', 'douyin', t('09:10:00'), 500, 60_000), // late and older than 09:30: ignored
    live('l-2a', 'LR-2', 'tmall', t('00:00:00.000'), 10, 0),
    live('l-3a', 'LR-3', 'jd', t('23:59:59.999', '2026-11-10'), 800, 900_000),
    live('l-4a', 'LR-4', 'own', t('09:55:00'), 5, 120_000),
  ];
  expect((await postEvents(s.url, events)).body).toEqual({ accepted: events.length, duplicates: 0 });
  expect((await postEvents(s.url, retried)).body).toEqual({ accepted: 0, duplicates: retried.length });
});
afterAll(async () => {
  await s?.close();
  if (s) removeDir(s.dataDir);
});

async function value(path: string) {
  const r = await getJson(s.url, `/api/v1/metrics/${path}`);
  expect(r.status).toBe(200);
  return r.body.value;
}

const COLD = { min_c: 2, max_c: 8 };
const NORMAL = { min_c: 10, max_c: 30 };

describe('sensors.cold_chain', () => {
  it('shows each sensor’s latest reading against its band, 0.1 °C', async () => {
    expect(await value('sensors.cold_chain')).toEqual([
      { sensor_id: 'SN-C1', warehouse_id: 'WH-1', location: '冷库A', storage_class: 'cold', temp_c: 3, humidity_pct: null, ts: '2026-11-11T09:55:00.000+08:00', band: COLD, status: 'ok', min_c_1h: 1, max_c_1h: 8 },
      { sensor_id: 'SN-C2', warehouse_id: 'WH-1', location: '冷库B', storage_class: 'cold', temp_c: 8.1, humidity_pct: 61.3, ts: '2026-11-11T09:58:00.000+08:00', band: COLD, status: 'out', min_c_1h: 8.1, max_c_1h: 8.1 },
      { sensor_id: 'SN-N2', warehouse_id: 'WH-1', location: '常温区2', storage_class: 'normal', temp_c: null, humidity_pct: null, ts: null, band: NORMAL, status: 'no_data', min_c_1h: null, max_c_1h: null },
      { sensor_id: 'SN-C3', warehouse_id: 'WH-2', location: '冷藏车', storage_class: 'cold', temp_c: 5, humidity_pct: null, ts: '2026-11-11T09:40:00.000+08:00', band: COLD, status: 'no_data', min_c_1h: 5, max_c_1h: 5 },
      { sensor_id: 'SN-N1', warehouse_id: 'WH-2', location: '常温库', storage_class: 'normal', temp_c: 10, humidity_pct: null, ts: '2026-11-11T09:50:00.000+08:00', band: NORMAL, status: 'ok', min_c_1h: 10, max_c_1h: 31 },
      { sensor_id: 'SN-S1', warehouse_id: 'WH-2', location: '阴凉库', storage_class: 'shady', temp_c: -1.5, humidity_pct: 40, ts: '2026-11-11T09:59:00.000+08:00', band: { min_c: null, max_c: 20 }, status: 'ok', min_c_1h: -1.5, max_c_1h: -1.5 },
      { sensor_id: 'SN-X', warehouse_id: null, location: null, storage_class: 'unknown', temp_c: 25, humidity_pct: 30, ts: '2026-11-11T09:50:00.000+08:00', band: { min_c: null, max_c: null }, status: 'ok', min_c_1h: 25, max_c_1h: 25 },
    ]);
  });

  it('turns a reading older than 15 minutes into no_data, and slides the hour', async () => {
    const c1 = async () => ((await value('sensors.cold_chain')) as { sensor_id: string }[]).find((x) => x.sensor_id === 'SN-C1');
    try {
      clock.set('2026-11-11T10:10:00.000+08:00');
      // 09:55 is exactly 15 minutes old: still ok. 09:10 (1.0 °C) has left the last hour.
      expect(await c1()).toMatchObject({ temp_c: 3, status: 'ok', min_c_1h: 3, max_c_1h: 8 });
      clock.set('2026-11-11T10:10:00.001+08:00');
      expect(await c1()).toMatchObject({ temp_c: 3, status: 'no_data' });
    } finally {
      clock.set(NOW);
    }
  });
});

describe('trace.coverage', () => {
  it('counts shipped boxes of traced SKUs that were scanned out', async () => {
    // Boxes: T-1/BX-1 ✓, T-1/BX-2 ✗ (scanned in only), T-2/BX-1 ✗ (the scan names T-1), T-2/BX-4 ✓ (box only),
    // T-3/BX-5 ✓ (order + SKU, scanned before it shipped), T-6/BX-8 ✓ (shipped twice, once), T-7/BX-9 ✗.
    // BX-3 is untraced, BX-7's SKU unknown. 4 / 7 = 57.14…% → 5714 bp.
    expect(await value('trace.coverage')).toEqual({ boxes: 7, scanned: 4, missing: 3, coverage_bp: 5714 });
  });
  it('cuts days in the business zone; null coverage without boxes', async () => {
    expect(await value('trace.coverage?date=2026-11-10')).toEqual({ boxes: 1, scanned: 0, missing: 1, coverage_bp: 0 });
    expect(await value('trace.coverage?date=2026-11-09')).toEqual({ boxes: 0, scanned: 0, missing: 0, coverage_bp: null });
  });
});

describe('live.rooms', () => {
  it('keeps the latest stats of each room that day, by GMV', async () => {
    expect(await value('live.rooms')).toEqual({
      rooms: [
        { room_id: 'LR-2', channel: 'tmall', viewers: 2_000, gmv_fen: 300_000, ts: '2026-11-11T08:00:00.000+08:00' },
        { room_id: 'LR-1', channel: 'douyin', viewers: 3_000, gmv_fen: 120_000, ts: '2026-11-11T09:30:00.000+08:00' },
        { room_id: 'LR-4', channel: 'own', viewers: 5, gmv_fen: 120_000, ts: '2026-11-11T09:55:00.000+08:00' },
      ],
      viewers: 5_005,
      gmv_fen: 540_000,
    });
    expect(await value('live.rooms?date=2026-11-10')).toEqual({
      rooms: [{ room_id: 'LR-3', channel: 'jd', viewers: 800, gmv_fen: 900_000, ts: '2026-11-10T23:59:59.999+08:00' }],
      viewers: 800,
      gmv_fen: 900_000,
    });
  });
});

describe('alerts.open', () => {
  it('lists the latest version of open and acknowledged alerts, newest activity first', async () => {
    const alert = (alert_id: string, rule: string, severity: string, entity: string, first: string, last: string, state: string, version: number) => ({
      alert_id, rule, severity, entity, first_seen: first, last_seen: last, state, evidence: [`evt-${alert_id}`], evidence_count: 1, version,
    });
    // Written as the rules engine will (one insert per change, so FINAL has versions to fold). Times in UTC.
    for (const row of [
      alert('AL-1', 'COLD_CHAIN_EXCURSION', 'critical', 'sensor:SN-C2', '2026-11-11 01:58:00.000', '2026-11-11 01:59:00.000', 'open', 1),
      alert('AL-2', 'RX_REVIEW_SLA', 'major', 'rx:RX-9', '2026-11-10 15:00:00.000', '2026-11-11 01:00:00.000', 'open', 1),
      alert('AL-2', 'RX_REVIEW_SLA', 'major', 'rx:RX-9', '2026-11-10 15:00:00.000', '2026-11-11 01:00:00.000', 'acknowledged', 2),
      alert('AL-3', 'TRACE_CODE_MISSING', 'major', 'box:T-1/BX-2', '2026-11-11 01:00:00.000', '2026-11-11 01:30:00.000', 'open', 1),
      alert('AL-3', 'TRACE_CODE_MISSING', 'major', 'box:T-1/BX-2', '2026-11-11 01:00:00.000', '2026-11-11 01:30:00.000', 'resolved', 2),
      alert('AL-4', 'NEAR_EXPIRY_STOCK', 'minor', 'batch:B-D1', '2026-11-11 00:00:00.000', '2026-11-11 01:59:00.000', 'open', 1),
    ]) {
      await s.app.storage.write.insert({ table: `${s.app.storage.db}.alerts`, values: [row], format: 'JSONEachRow' });
    }
    // The rules engine also judged this file's events: only the rows written here are compared.
    const listed = ((await value('alerts.open')) as { alert_id: string }[]).filter((a) => a.alert_id.startsWith('AL-'));
    const more = { evidence_count: 1, detail: {} };
    expect(listed).toEqual([
      { alert_id: 'AL-1', rule: 'COLD_CHAIN_EXCURSION', severity: 'critical', entity: 'sensor:SN-C2', first_seen: '2026-11-11T09:58:00.000+08:00', last_seen: '2026-11-11T09:59:00.000+08:00', state: 'open', ...more },
      { alert_id: 'AL-4', rule: 'NEAR_EXPIRY_STOCK', severity: 'minor', entity: 'batch:B-D1', first_seen: '2026-11-11T08:00:00.000+08:00', last_seen: '2026-11-11T09:59:00.000+08:00', state: 'open', ...more },
      { alert_id: 'AL-2', rule: 'RX_REVIEW_SLA', severity: 'major', entity: 'rx:RX-9', first_seen: '2026-11-10T23:00:00.000+08:00', last_seen: '2026-11-11T09:00:00.000+08:00', state: 'acknowledged', ...more },
    ]);
  });
});

describe('catalogue', () => {
  it('lists every operations metric with both descriptions and its streams', async () => {
    const r = await getJson(s.url, '/api/v1/metrics');
    const byId = new Map((r.body as { id: string; description: Record<string, string>; streams: string[] }[]).map((m) => [m.id, m]));
    const ids = ['rx.funnel', 'rx.review_time', 'rx.pending_queue', 'inventory.stock', 'warehouse.backlog', 'warehouse.picks_per_hour', 'warehouse.stock_value',
      'warehouse.near_expiry', 'warehouse.stockout_risk', 'sensors.cold_chain', 'trace.coverage', 'live.rooms', 'alerts.open'];
    for (const id of ids) {
      expect(byId.get(id)?.description['zh-CN']).toBeTruthy();
      expect(byId.get(id)?.description.en).toBeTruthy();
      expect(byId.get(id)?.streams.length).toBeGreaterThan(0);
    }
    expect(byId.get('alerts.open')?.streams).toEqual(['alerts']);
    expect(byId.get('sensors.cold_chain')?.streams).toEqual(['sensor', 'ref.sensors']);
  });
});

// Every DOMAIN rule on the live stream, with a real server and real chDB: sequences that must fire it (with
// the evidence expected) and near misses that must not. The server's clock is pinned and moved by hand (always
// forward, and never behind the events posted); the rules' clock is event time moved on by that clock, so
// deadlines are tested without waiting.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { pseudonym } from '../../server/rules/orders.ts';
import { ADMIN, fixedClock, getJson, postEvents, putReference, tempDataDir, useServer } from '../helpers/server.ts';
import { paid } from '../helpers/events.ts';

const clock = fixedClock('2026-11-11T10:00:00+08:00');
const dir = tempDataDir();
const rulesFile = join(dir, 'rules.yaml');
writeFileSync(rulesFile, 'TRACE_CODE_DUPLICATE: { memoryMinutes: 1 }\n');
const server = useServer({ clock, dataDir: dir, env: { RXPULSE_RULES_FILE: rulesFile } });

/** Local wall time on the test day as RFC 3339. */
const at = (hhmmss: string) => `2026-11-11T${hhmmss}+08:00`;
let seq = 0;
const ev = (type: string, ts: string, body: Record<string, unknown>) => ({ event_id: `r-${type}-${++seq}`, type, ts, ...body });

async function post(events: Record<string, unknown>[]): Promise<void> {
  const r = await postEvents(server().url, events);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  await server().app.rules.idle();
}

interface AlertView { alert_id: string; rule: string; severity: string; entity: string; first_seen: string; last_seen: string; state: string; evidence: string[]; evidence_count: number; detail: Record<string, unknown> }
async function alerts(rule: string, entity?: string): Promise<AlertView[]> {
  await server().app.rules.idle();
  const r = await getJson(server().url, `/api/v1/alerts?rule=${rule}`);
  expect(r.status).toBe(200);
  return (r.body as AlertView[]).filter((a) => entity === undefined || a.entity === entity);
}
/** Moves the pinned clock to `iso` and waits for the engine's one-second timer to act on it. */
async function clockTo(iso: string): Promise<void> {
  clock.set(iso);
  await new Promise((r) => setTimeout(r, 1_300));
  await server().app.rules.idle();
}

beforeAll(async () => {
  const url = server().url;
  const sku = (sku_id: string, extra: Record<string, unknown>) => ({ sku_id, name: sku_id, category: 'otc_a', is_rx: false, storage_class: 'normal', controlled: false, traced: false, list_price_fen: 10_000, cost_fen: 4_000, ...extra });
  expect((await putReference(url, 'skus', [
    sku('RX-1', { category: 'rx', is_rx: true }), sku('EPH-1', { controlled: true }), sku('TR-1', { traced: true }), sku('PLAIN-1', {}), sku('SO-1', {}), sku('SO-2', {}),
  ])).status).toBe(200);
  expect((await putReference(url, 'batches', [
    { batch_no: 'B-OLD', sku_id: 'PLAIN-1', mfg_date: '2024-11-01', expiry_date: '2026-11-01' },
    { batch_no: 'B-EDGE', sku_id: 'PLAIN-1', mfg_date: '2024-11-11', expiry_date: '2026-11-11' },
    { batch_no: 'B-NEAR', sku_id: 'PLAIN-1', mfg_date: '2025-01-15', expiry_date: '2027-01-15' },
    { batch_no: 'B-OK', sku_id: 'PLAIN-1', mfg_date: '2026-01-01', expiry_date: '2028-12-31' },
    { batch_no: 'B-SO1', sku_id: 'SO-1', mfg_date: '2026-01-01', expiry_date: '2028-12-31' },
    { batch_no: 'B-SO2', sku_id: 'SO-2', mfg_date: '2026-01-01', expiry_date: '2028-12-31' },
  ])).status).toBe(200);
  expect((await putReference(url, 'sensors', [
    { sensor_id: 'S-COLD1', warehouse_id: 'WH-SH', location: '冷库1', storage_class: 'cold' },
    { sensor_id: 'S-COLD2', warehouse_id: 'WH-SH', location: '冷库2', storage_class: 'cold' },
    { sensor_id: 'S-COLD3', warehouse_id: 'WH-SH', location: '冷库3', storage_class: 'cold' },
    { sensor_id: 'S-ROOM', warehouse_id: 'WH-SH', location: '常温库', storage_class: 'normal' },
  ])).status).toBe(200);
  await server().app.rules.idle();
  await new Promise((r) => setTimeout(r, 300)); // reference reloads are asynchronous
}, 60_000);

describe('RX_WITHOUT_PRESCRIPTION', () => {
  it('fires when an Rx order ships unapproved, not when it ships after approval', async () => {
    const p1 = paid({ order_id: 'O-RX1', ts: at('10:00:00'), paid_fen: 5_000, lines: [{ sku_id: 'RX-1' }] });
    const p2 = paid({ order_id: 'O-RX2', ts: at('10:00:00'), paid_fen: 5_000, lines: [{ sku_id: 'RX-1' }] });
    const ship1 = ev('order.shipped', at('10:02:00'), { order_id: 'O-RX1', warehouse_id: 'WH-SH' });
    await post([
      p1, p2,
      ev('rx.issued', at('10:01:00'), { rx_id: 'R-X1', order_id: 'O-RX1', source: 'upload' }),
      ev('rx.issued', at('10:01:00'), { rx_id: 'R-X2', order_id: 'O-RX2', source: 'upload' }),
      ev('rx.approved', at('10:03:00'), { rx_id: 'R-X2', pharmacist_id: 'PH-1' }),
      ship1,
      ev('order.shipped', at('10:05:00'), { order_id: 'O-RX2', warehouse_id: 'WH-SH' }),
    ]);
    const [a] = await alerts('RX_WITHOUT_PRESCRIPTION', 'order:O-RX1');
    expect(a).toMatchObject({ severity: 'critical', state: 'open', evidence: [p1.event_id, ship1.event_id] });
    expect(await alerts('RX_WITHOUT_PRESCRIPTION', 'order:O-RX2')).toEqual([]);
  });
});

describe('reference data arriving later', () => {
  it('an order shipped with a SKU unknown at the time fires RX_WITHOUT_PRESCRIPTION when the SKU turns out to be Rx', async () => {
    const p = paid({ order_id: 'O-LATE1', ts: at('10:10:00'), paid_fen: 5_000, lines: [{ sku_id: 'RX-LATE' }] });
    const ship = ev('order.shipped', at('10:12:00'), { order_id: 'O-LATE1', warehouse_id: 'WH-SH' });
    await post([p, ship, paid({ order_id: 'O-LATE2', ts: at('10:10:00'), paid_fen: 5_000, lines: [{ sku_id: 'OTC-LATE' }] }), ev('order.shipped', at('10:12:00'), { order_id: 'O-LATE2', warehouse_id: 'WH-SH' })]);
    expect(await alerts('RX_WITHOUT_PRESCRIPTION', 'order:O-LATE1')).toEqual([]);
    const sku = (sku_id: string, is_rx: boolean) => ({ sku_id, name: sku_id, category: is_rx ? 'rx' : 'otc_a', is_rx, storage_class: 'normal', controlled: false, traced: false, list_price_fen: 10_000, cost_fen: 4_000 });
    expect((await putReference(server().url, 'skus', [sku('RX-LATE', true), sku('OTC-LATE', false)])).status).toBe(200);
    await expect.poll(async () => (await alerts('RX_WITHOUT_PRESCRIPTION', 'order:O-LATE1'))[0]?.evidence, { timeout: 5_000, interval: 200 }).toEqual([p.event_id, ship.event_id]);
    expect(await alerts('RX_WITHOUT_PRESCRIPTION', 'order:O-LATE2')).toEqual([]);
  });
});

describe('RX_WITHOUT_PRESCRIPTION after the grace period', () => {
  it('fires for a paid Rx order still unapproved after 60 minutes, not for one rejected and refunded', async () => {
    clock.set(at('11:08:00')); // events never come from the future here: the rules' clock would run ahead
    const p3 = paid({ order_id: 'O-RX3', ts: at('11:00:00'), paid_fen: 5_000, lines: [{ sku_id: 'RX-1' }] });
    await post([
      p3,
      paid({ order_id: 'O-RX4', ts: at('11:00:00'), paid_fen: 5_000, lines: [{ sku_id: 'RX-1' }] }),
      ev('rx.issued', at('11:01:00'), { rx_id: 'R-X4', order_id: 'O-RX4', source: 'upload' }),
      ev('rx.rejected', at('11:04:00'), { rx_id: 'R-X4', pharmacist_id: 'PH-1' }),
      ev('order.refunded', at('11:08:00'), { order_id: 'O-RX4', refund_fen: 5_000 }),
    ]);
    await clockTo(at('11:59:00'));
    expect(await alerts('RX_WITHOUT_PRESCRIPTION', 'order:O-RX3')).toEqual([]);
    await clockTo(at('12:00:30'));
    const [a] = await alerts('RX_WITHOUT_PRESCRIPTION', 'order:O-RX3');
    expect(a).toMatchObject({ evidence: [p3.event_id], first_seen: '2026-11-11T12:00:00.000+08:00', detail: { stage: 'unapproved_after_grace' } });
    expect(await alerts('RX_WITHOUT_PRESCRIPTION', 'order:O-RX4')).toEqual([]);
  });
});

describe('RX_REVIEW_SLA', () => {
  it('fires past 15 minutes of waiting (late review, or on the timer), not at 14:59', async () => {
    clock.set(at('13:00:00'));
    const i1 = ev('rx.issued', at('13:00:00'), { rx_id: 'R-S1', order_id: 'O-S1', source: 'upload' });
    const s1 = ev('rx.review_started', at('13:16:00'), { rx_id: 'R-S1', pharmacist_id: 'PH-1' });
    await post([
      i1, s1,
      ev('rx.issued', at('13:00:00'), { rx_id: 'R-S2', order_id: 'O-S2', source: 'upload' }),
      ev('rx.review_started', at('13:14:59'), { rx_id: 'R-S2', pharmacist_id: 'PH-1' }),
    ]);
    expect((await alerts('RX_REVIEW_SLA', 'rx:R-S1'))[0]).toMatchObject({ severity: 'major', evidence: [i1.event_id, s1.event_id] });
    expect(await alerts('RX_REVIEW_SLA', 'rx:R-S2')).toEqual([]);

    clock.set(at('13:20:00'));
    const i3 = ev('rx.issued', at('13:20:00'), { rx_id: 'R-S3', order_id: 'O-S3', source: 'internet_hospital' });
    await post([i3]);
    await clockTo(at('13:34:50'));
    expect(await alerts('RX_REVIEW_SLA', 'rx:R-S3')).toEqual([]);
    await clockTo(at('13:35:10'));
    expect((await alerts('RX_REVIEW_SLA', 'rx:R-S3'))[0]).toMatchObject({ evidence: [i3.event_id], first_seen: '2026-11-11T13:35:00.000+08:00' });
  });
});

describe('CONTROLLED_QTY', () => {
  it('fires for 3 packs in one order and for a buyer coming back within 24 h; exactly 2 packs once is fine', async () => {
    clock.set(at('14:00:00'));
    const u = 5_000; // above cost: PRICE_ANOMALY stays out of it
    const big = paid({ order_id: 'O-C1', ts: at('14:00:00'), paid_fen: 3 * u, buyer_id: 'B-C1', lines: [{ sku_id: 'EPH-1', qty: 3, unit_price_fen: u }] });
    const d1 = paid({ order_id: 'O-C3', ts: at('14:05:00'), paid_fen: u, buyer_id: 'B-DIV', lines: [{ sku_id: 'EPH-1', qty: 1, unit_price_fen: u }] });
    const d2 = paid({ order_id: 'O-C4', ts: at('14:06:00'), paid_fen: 5 * u, buyer_id: 'B-DIV', lines: [{ sku_id: 'EPH-1', qty: 1, unit_price_fen: u }, { sku_id: 'PLAIN-1', qty: 4, unit_price_fen: u }] });
    clock.set(at('14:06:00'));
    await post([big, paid({ order_id: 'O-C2', ts: at('14:01:00'), paid_fen: 2 * u, buyer_id: 'B-C2', lines: [{ sku_id: 'EPH-1', qty: 2, unit_price_fen: u }] }), d1, d2]);
    expect((await alerts('CONTROLLED_QTY', 'order:O-C1'))[0]).toMatchObject({ evidence: [big.event_id], detail: { packs: 3 } });
    expect(await alerts('CONTROLLED_QTY', 'order:O-C2')).toEqual([]);
    expect(await alerts('CONTROLLED_QTY', pseudonym('buyer', 'B-C2'))).toEqual([]);
    const [div] = await alerts('CONTROLLED_QTY', pseudonym('buyer', 'B-DIV'));
    expect(div).toMatchObject({ evidence: [d1.event_id, d2.event_id], detail: { orders: 2 } });
    expect(div.entity).not.toContain('B-DIV'); // a pseudonym on a wall, never the buyer id
  });
});

describe('EXPIRED_OUTBOUND', () => {
  it('fires for a pick of a batch expired before the day, not for one expiring that day', async () => {
    const pick = (batch: string) => ev('inventory.pick', at('14:10:00'), { warehouse_id: 'WH-SH', sku_id: 'PLAIN-1', batch_no: batch, qty: 2 });
    const old = pick('B-OLD');
    await post([old, pick('B-EDGE')]);
    expect((await alerts('EXPIRED_OUTBOUND', 'batch:B-OLD'))[0]).toMatchObject({ severity: 'critical', evidence: [old.event_id], detail: { expiry_date: '2026-11-01' } });
    expect(await alerts('EXPIRED_OUTBOUND', 'batch:B-EDGE')).toEqual([]);
  });
});

describe('TRACE_CODE_MISSING', () => {
  it('fires for a traced box shipped without an outbound scan, not when the scan comes before or within the grace', async () => {
    clock.set(at('14:20:00'));
    const box = (id: string) => ({ box_id: id, sku_id: 'TR-1', batch_no: 'B-OK', trace_codes: [] });
    const scan = (code: string, boxId: string, ts: string) => ev('trace.scan', ts, { code, sku_id: 'TR-1', batch_no: 'B-OK', warehouse_id: 'WH-SH', direction: 'out', order_id: 'O-T', box_id: boxId });
    const s1 = ev('order.shipped', at('14:20:00'), { order_id: 'O-T1', warehouse_id: 'WH-SH', boxes: [box('BX-1')] });
    await post([
      s1,
      scan('11110000000000000002', 'BX-2', at('14:19:50')),
      ev('order.shipped', at('14:20:00'), { order_id: 'O-T2', warehouse_id: 'WH-SH', boxes: [box('BX-2')] }),
      ev('order.shipped', at('14:20:00'), { order_id: 'O-T3', warehouse_id: 'WH-SH', boxes: [box('BX-3')] }),
    ]);
    await post([scan('11110000000000000003', 'BX-3', at('14:21:00'))]);
    await clockTo(at('14:22:30'));
    expect((await alerts('TRACE_CODE_MISSING', 'order:O-T1'))[0]).toMatchObject({ severity: 'major', evidence: [s1.event_id], detail: { box_id: 'BX-1' } });
    expect(await alerts('TRACE_CODE_MISSING', 'order:O-T2'), 'scanned before').toEqual([]);
    expect(await alerts('TRACE_CODE_MISSING', 'order:O-T3'), JSON.stringify(await alerts('TRACE_CODE_MISSING', 'order:O-T3'))).toEqual([]);
  });
});

describe('TRACE_CODE_DUPLICATE', () => {
  const scan = (code: string, ts: string, direction = 'out') => ev('trace.scan', ts, { code, sku_id: 'TR-1', batch_no: 'B-OK', warehouse_id: 'WH-SH', direction });
  it('fires when one code is scanned out twice (in memory, or long after from ClickHouse); in then out is fine', async () => {
    clock.set(at('14:30:00'));
    const a1 = scan('22220000000000000001', at('14:30:00'));
    const a2 = scan('22220000000000000001', at('14:30:05'));
    const old = scan('22220000000000000002', at('14:30:00'));
    await post([a1, a2, scan('22220000000000000003', at('14:30:00'), 'in'), scan('22220000000000000003', at('14:31:00')), old]);
    expect((await alerts('TRACE_CODE_DUPLICATE', 'trace:22220000000000000001'))[0]).toMatchObject({ severity: 'critical', evidence: [a1.event_id, a2.event_id] });
    expect(await alerts('TRACE_CODE_DUPLICATE', 'trace:22220000000000000003')).toEqual([]);
    expect(await alerts('TRACE_CODE_DUPLICATE', 'trace:22220000000000000002')).toEqual([]);
    // This server keeps 1 minute of codes in memory: the second scan 40 minutes later is found in ClickHouse.
    await clockTo(at('15:10:00'));
    const again = scan('22220000000000000002', at('15:10:00'));
    await post([again]);
    expect((await alerts('TRACE_CODE_DUPLICATE', 'trace:22220000000000000002'))[0]).toMatchObject({ evidence: [old.event_id, again.event_id] });
  });
});

describe('COLD_CHAIN_EXCURSION', () => {
  const reading = (sensor: string, ts: string, temp_c: number) => ev('sensor.reading', ts, { sensor_id: sensor, temp_c });
  it('fires after 15 minutes out of 2–8 °C (on a reading or on the timer), not for 14 minutes, not for a room sensor', async () => {
    clock.set(at('16:20:00'));
    const out = [reading('S-COLD1', at('16:00:00'), 9.5), reading('S-COLD1', at('16:05:00'), 10.1), reading('S-COLD1', at('16:10:00'), 9.8), reading('S-COLD1', at('16:15:00'), 9.7)];
    await post([
      ...out,
      reading('S-COLD2', at('16:00:00'), 9.1), reading('S-COLD2', at('16:10:00'), 9.4), reading('S-COLD2', at('16:14:00'), 9.2), reading('S-COLD2', at('16:14:30'), 7.9),
      reading('S-ROOM', at('16:00:00'), 25), reading('S-ROOM', at('16:20:00'), 25),
      reading('S-COLD3', at('16:20:00'), 11.5),
    ]);
    const [a] = await alerts('COLD_CHAIN_EXCURSION', 'sensor:S-COLD1');
    expect(a).toMatchObject({ severity: 'critical', evidence: out.map((e) => e.event_id), detail: { temp_c: 9.7, minutes: 15 } });
    await clockTo(at('16:34:00'));
    expect(await alerts('COLD_CHAIN_EXCURSION', 'sensor:S-COLD3')).toEqual([]);
    await clockTo(at('16:35:30'));
    expect((await alerts('COLD_CHAIN_EXCURSION', 'sensor:S-COLD3'))[0]).toMatchObject({ first_seen: '2026-11-11T16:35:00.000+08:00' });
    expect(await alerts('COLD_CHAIN_EXCURSION', 'sensor:S-COLD2')).toEqual([]);
    expect(await alerts('COLD_CHAIN_EXCURSION', 'sensor:S-ROOM')).toEqual([]);
  });
});

describe('PRICE_ANOMALY', () => {
  it('fires for a price under cost, gathers every order of that SKU in one alert; half the list price above cost is fine', async () => {
    clock.set(at('17:00:00'));
    const low1 = paid({ order_id: 'O-P1', ts: at('17:00:00'), paid_fen: 1, lines: [{ sku_id: 'PLAIN-1', unit_price_fen: 1 }] });
    const low2 = paid({ order_id: 'O-P2', ts: at('17:01:00'), paid_fen: 1, lines: [{ sku_id: 'PLAIN-1', unit_price_fen: 1 }] });
    await post([low1, low2, paid({ order_id: 'O-P3', ts: at('17:00:00'), paid_fen: 5_000, lines: [{ sku_id: 'SO-1', unit_price_fen: 5_000 }] })]);
    const [a] = await alerts('PRICE_ANOMALY', 'sku:PLAIN-1');
    expect(a, JSON.stringify(a)).toMatchObject({ evidence: [low1.event_id, low2.event_id], evidence_count: 2, detail: { reason: 'below_cost', unit_price_fen: 1 } });
    expect(await alerts('PRICE_ANOMALY', 'sku:SO-1')).toEqual([]);
  });
});

describe('ORDER_SPIKE', () => {
  it('fires for 10 orders from one device within 5 minutes, not for 9', async () => {
    clock.set(at('18:00:00'));
    const burst = (device: string, n: number) =>
      Array.from({ length: n }, (_, i) => paid({ order_id: `O-${device}-${i}`, ts: at(`18:0${Math.floor(i / 3)}:${String((i % 3) * 15).padStart(2, '0')}`), paid_fen: 990, buyer_id: `B-${device}-${i}`, device_id: device, lines: [{ sku_id: 'PLAIN-1', unit_price_fen: 9_000 }] }));
    const ten = burst('DEV-A', 10);
    await post([...ten, ...burst('DEV-B', 9)]);
    const [a] = await alerts('ORDER_SPIKE', pseudonym('device', 'DEV-A'));
    expect(a).toMatchObject({ severity: 'minor', evidence: ten.map((e) => e.event_id), detail: { orders: 10 } });
    expect(await alerts('ORDER_SPIKE', pseudonym('device', 'DEV-B'))).toEqual([]);
  });
});

describe('daily rules', () => {
  it('NEAR_EXPIRY_STOCK: a batch in stock inside the 180-day window, valued at cost; not a batch far from expiry', async () => {
    clock.set(at('18:30:00'));
    const receipt = (batch: string, qty: number, sku = 'PLAIN-1') => ev('inventory.receipt', at('18:30:00'), { warehouse_id: 'WH-SH', sku_id: sku, batch_no: batch, qty });
    await post([receipt('B-NEAR', 10), receipt('B-OK', 10)]);
    await server().app.rules.runDailyNow();
    const [a] = await alerts('NEAR_EXPIRY_STOCK', 'batch:B-NEAR');
    expect(a).toMatchObject({ severity: 'minor', detail: { expiry_date: '2027-01-15', qty: 10, value_fen: 40_000, days_left: 65 } });
    expect(a.evidence).toEqual(['ref:batches/B-NEAR', 'day:2026-11-11']);
    expect(await alerts('NEAR_EXPIRY_STOCK', 'batch:B-OK')).toEqual([]);
  });

  it('STOCKOUT_RISK: a best seller with under 3 days of cover at its sell rate; not one with plenty', async () => {
    const receipt = (batch: string, sku: string, qty: number) => ev('inventory.receipt', at('08:00:00'), { warehouse_id: 'WH-SH', sku_id: sku, batch_no: batch, qty });
    const sales = (sku: string) => Array.from({ length: 12 }, (_, i) => paid({ order_id: `O-${sku}-${i}`, ts: at(`${String(8 + Math.floor(i / 2)).padStart(2, '0')}:${i % 2 ? '30' : '00'}:00`), paid_fen: 50_000, buyer_id: `B-S${i}`, lines: [{ sku_id: sku, qty: 10, unit_price_fen: 5_000 }] }));
    // 120 sold from 08:00 to 18:30 (11 hours) → ~262 a day: 220 on hand is < 1 day, 5,120 is ~20 days.
    await post([receipt('B-SO1', 'SO-1', 220), receipt('B-SO2', 'SO-2', 5_120), ...sales('SO-1'), ...sales('SO-2')]);
    await server().app.rules.runDailyNow();
    const [a] = await alerts('STOCKOUT_RISK', 'sku:SO-1');
    expect(a).toMatchObject({ severity: 'minor', detail: { on_hand: 220 } });
    expect(a.detail.days_of_cover as number).toBeLessThan(3);
    expect(await alerts('STOCKOUT_RISK', 'sku:SO-2')).toEqual([]);
  });

  it('LICENCE_EXPIRY: major inside 90 days, critical inside 7; a licence uploaded that expires in 5 days alerts within seconds', async () => {
    const shop = (shop_id: string, licence: string, gsp = '2030-01-01') => ({ shop_id, channel: 'tmall', name: shop_id, licence_no: `L-${shop_id}`, licence_expires: licence, gsp_expires: gsp });
    expect((await putReference(server().url, 'shops', [shop('SHOP-A', '2027-01-10'), shop('SHOP-C', '2028-01-01')])).status).toBe(200);
    await server().app.rules.runDailyNow();
    expect((await alerts('LICENCE_EXPIRY', 'shop:SHOP-A'))[0]).toMatchObject({ severity: 'major', detail: { document: 'licence', days_left: 60 } });
    expect(await alerts('LICENCE_EXPIRY', 'shop:SHOP-C')).toEqual([]);
    // No call to run it: the upload itself wakes the rule.
    expect((await putReference(server().url, 'shops', [shop('SHOP-B', '2030-01-01', '2026-11-16')])).status).toBe(200);
    await expect.poll(async () => (await alerts('LICENCE_EXPIRY', 'shop:SHOP-B'))[0]?.severity, { timeout: 5_000, interval: 200 }).toBe('critical');
    expect((await alerts('LICENCE_EXPIRY', 'shop:SHOP-B'))[0].detail).toMatchObject({ document: 'gsp', days_left: 5 });
    // Renewed SHOP-A, then the date nears: the same alert escalates (audited).
    expect((await putReference(server().url, 'shops', [shop('SHOP-A', '2026-11-15')])).status).toBe(200);
    await expect.poll(async () => (await alerts('LICENCE_EXPIRY', 'shop:SHOP-A'))[0]?.severity, { timeout: 5_000, interval: 200 }).toBe('critical');
    const [a] = await alerts('LICENCE_EXPIRY', 'shop:SHOP-A');
    const trail = (await getJson(server().url, `/api/v1/alerts/${a.alert_id}`)).body.audit as { action: string }[];
    expect(trail.map((t) => t.action)).toEqual(['opened', 'escalated']);
  });
});

describe('alert lifecycle', () => {
  it('dedups evidence into one alert; ack and resolve are audited; after resolve new evidence opens a new alert', async () => {
    clock.set(at('19:00:00'));
    const pick = (n: number) => ev('inventory.pick', at(`19:0${n}:00`), { warehouse_id: 'WH-SH', sku_id: 'PLAIN-1', batch_no: 'B-OLD', qty: 1 });
    const [p1, p2] = [pick(1), pick(2)];
    const before = (await alerts('EXPIRED_OUTBOUND', 'batch:B-OLD'))[0];
    await post([p1, p2, p1]); // p1 again in the same request: a duplicate event, one evidence
    const [a] = await alerts('EXPIRED_OUTBOUND', 'batch:B-OLD');
    expect(a.alert_id).toBe(before.alert_id);
    expect(a.evidence.slice(-2)).toEqual([p1.event_id, p2.event_id]);
    expect(a.evidence_count).toBe(before.evidence_count + 2);
    expect(a.last_seen).toBe('2026-11-11T19:02:00.000+08:00');

    const url = server().url;
    const call = async (path: string, body: unknown) => {
      const r = await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN}` }, body: JSON.stringify(body) });
      return { status: r.status, body: (await r.json()) as Record<string, any> };
    };
    expect((await call(`/api/v1/alerts/${a.alert_id}/ack`, { note: 'no by' })).body).toMatchObject({ code: 'RXP_ERR_ALERT_INVALID', errors: [{ field: 'by' }] });
    expect((await call(`/api/v1/alerts/no-such-alert/ack`, { by: '王药师' })).status).toBe(404);
    expect((await call(`/api/v1/alerts/${a.alert_id}/ack`, { by: '王药师', note: '已通知仓库隔离该批次' })).body).toMatchObject({ state: 'acknowledged' });
    expect((await call(`/api/v1/alerts/${a.alert_id}/ack`, { by: '王药师' })).status).toBe(409);
    const open = (await getJson(url, '/api/v1/metrics/alerts.open')).body.value as AlertView[];
    expect(open.find((x) => x.alert_id === a.alert_id)).toMatchObject({ state: 'acknowledged', evidence_count: a.evidence_count });
    expect((await call(`/api/v1/alerts/${a.alert_id}/resolve`, { by: '李主管', note: '批次已报损' })).body).toMatchObject({ state: 'resolved' });
    expect((await call(`/api/v1/alerts/${a.alert_id}/resolve`, { by: '李主管' })).status).toBe(409);
    const after = (await getJson(url, '/api/v1/metrics/alerts.open')).body.value as AlertView[];
    expect(after.some((x) => x.alert_id === a.alert_id)).toBe(false);

    const detail = (await getJson(url, `/api/v1/alerts/${a.alert_id}`)).body;
    expect(detail.audit.map((t: { action: string; by: string; note: string }) => [t.action, t.by, t.note])).toEqual([
      ['opened', 'rxpulse', ''], ['acknowledged', '王药师', '已通知仓库隔离该批次'], ['resolved', '李主管', '批次已报损'],
    ]);

    const p3 = pick(3);
    await post([p3]);
    const list = await alerts('EXPIRED_OUTBOUND', 'batch:B-OLD');
    expect(list).toHaveLength(2);
    expect(list[0]).toMatchObject({ state: 'open', evidence: [p3.event_id] });
    expect((await getJson(url, '/api/v1/alerts?state=resolved&rule=EXPIRED_OUTBOUND')).body.map((x: AlertView) => x.alert_id)).toContain(a.alert_id);
    expect((await getJson(url, '/api/v1/alerts?state=closed')).status).toBe(400);
    expect((await getJson(url, '/api/v1/alerts?rule=NO_SUCH_RULE')).body).toMatchObject({ errors: [{ field: 'rule' }] });
  });

  it('the rule catalogue lists the twelve rules with this deployment\'s parameters', async () => {
    const rules = (await getJson(server().url, '/api/v1/rules')).body as { id: string; params: Record<string, unknown> }[];
    expect(rules).toHaveLength(12);
    expect(rules.find((r) => r.id === 'RX_REVIEW_SLA')?.params).toEqual({ slaMinutes: 15 });
    expect(rules.find((r) => r.id === 'TRACE_CODE_DUPLICATE')?.params).toEqual({ memoryMinutes: 1 });
  });
});

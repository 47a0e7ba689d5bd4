// Every DOMAIN rule on the live stream, with a real server and real chDB: sequences that must fire it (with
// the evidence expected) and near misses that must not. The server's clock is pinned and moved by hand; the
// rules' clock is event time moved on by that clock, so deadlines are tested without waiting.
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

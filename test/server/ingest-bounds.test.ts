// CONTRACT "Bounds (v1.1)": every bound of ingest and reference data, just inside (200, stored) and just
// outside (400 naming the field and the reason, nothing of the request stored). Real chDB, pinned clock.
import { describe, expect, it } from 'vitest';
import { fixedClock, getJson, postEvents, putReference, sql, useServer } from '../helpers/server.ts';
import { paid } from '../helpers/events.ts';

const NOW = '2026-11-11T10:00:00.000+08:00';
const NOW_MS = Date.parse(NOW);
const DAY_MS = 86_400_000;
const TS = '2026-11-11T09:00:00.000+08:00';
const clock = fixedClock(NOW);
const server = useServer({ clock });

let n = 0;
const id = (tag: string) => `b-${tag}-${++n}`;
type Event = Record<string, unknown>;

const sensor = (p: Event = {}): Event => ({ event_id: id('sensor'), type: 'sensor.reading', ts: TS, sensor_id: 'SN-1', temp_c: 4, ...p });
const live = (p: Event = {}): Event => ({ event_id: id('live'), type: 'live.stats', ts: TS, room_id: 'R-1', channel: 'douyin', viewers: 10, gmv_fen: 100, ...p });
const move = (type: string, qty: number, p: Event = {}): Event => ({ event_id: id('inv'), type, ts: TS, warehouse_id: 'WH-B', sku_id: 'SKU-B', batch_no: 'L-B', qty, ...p });
const order = (p: Event = {}, line: Event = {}): Event => ({ ...paid({ ts: TS, paid_fen: 100, event_id: id('paid'), lines: [{ sku_id: 'SKU-B', qty: 1, unit_price_fen: 100, ...line }] }), ...p });
const refund = (refund_fen: number): Event => ({ event_id: id('refund'), type: 'order.refunded', ts: TS, order_id: 'O-R', refund_fen });

async function stored(ids: string[]): Promise<number> {
  const rows = await sql<{ n: string }>(server().app, `SELECT count() AS n FROM {db}.events WHERE event_id IN (${ids.map((i) => `'${i}'`).join(',')})`);
  return Number(rows[0].n);
}

/** Posts `event` alone: 200 and stored. */
async function accepts(event: Event, contentType?: string): Promise<void> {
  const r = await postEvents(server().url, contentType === 'ndjson' ? `${JSON.stringify(event)}\n` : [event]);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  expect(r.body).toEqual({ accepted: 1, duplicates: 0 });
  expect(await stored([event.event_id as string])).toBe(1);
}

/** Posts a valid event then `event`: 400 naming index 1 and `field`, nothing of the request stored. */
async function refuses(event: Event, field: string, contentType?: string): Promise<string> {
  const innocent = order();
  const events = [innocent, event];
  const r = await postEvents(server().url, contentType === 'ndjson' ? events.map((e) => JSON.stringify(e)).join('\n') : events);
  expect(r.status, JSON.stringify(r.body)).toBe(400);
  expect(r.body.code).toBe('RXP_ERR_INGEST_INVALID');
  const errors = r.body.errors as { index: number; event_id: string | null; field: string; reason: string }[];
  const hit = errors.find((e) => e.field === field);
  expect(hit, JSON.stringify(errors)).toBeDefined();
  expect(hit!.index).toBe(1);
  expect(hit!.reason.length).toBeGreaterThan(0);
  expect(errors.every((e) => e.index === 1)).toBe(true);
  expect(await stored([innocent.event_id as string, ...(typeof event.event_id === 'string' ? [event.event_id] : [])])).toBe(0);
  return hit!.reason;
}

describe('ingest bounds: money, quantities, temperatures, viewers', () => {
  it('_fen: 0 … 10,000,000,000 in every money field', async () => {
    await accepts(order({ paid_fen: 10_000_000_000 }));
    await accepts(order({ paid_fen: 0 }));
    await refuses(order({ paid_fen: 10_000_000_001 }), 'paid_fen');
    await refuses(order({ paid_fen: -1 }), 'paid_fen');
    await accepts(order({}, { unit_price_fen: 10_000_000_000, discount_fen: 10_000_000_000 }));
    await refuses(order({}, { unit_price_fen: 10_000_000_001 }), 'lines[0].unit_price_fen');
    await refuses(order({}, { discount_fen: 10_000_000_001 }), 'lines[0].discount_fen');
    // The attacker's 2^53 − 1 fen.
    await refuses(order({ paid_fen: Number.MAX_SAFE_INTEGER }), 'paid_fen');
    await accepts(refund(10_000_000_000));
    await refuses(refund(10_000_000_001), 'refund_fen');
    await accepts(live({ gmv_fen: 10_000_000_000 }));
    await refuses(live({ gmv_fen: 10_000_000_001 }), 'gmv_fen');
  });

  it('qty: 1 … 100,000 on order lines and stock moves; adjust −100,000 … 100,000 but not 0', async () => {
    await accepts(order({}, { qty: 100_000 }));
    await refuses(order({}, { qty: 100_001 }), 'lines[0].qty');
    await refuses(order({}, { qty: 1_000_000 }), 'lines[0].qty');
    await refuses(order({}, { qty: 0 }), 'lines[0].qty');
    for (const type of ['inventory.receipt', 'inventory.pick', 'inventory.return', 'inventory.scrap']) {
      await accepts(move(type, 1));
      await accepts(move(type, 100_000));
      await refuses(move(type, 0), 'qty');
      await refuses(move(type, 100_001), 'qty');
      await refuses(move(type, -1), 'qty');
    }
    await accepts(move('inventory.adjust', -100_000));
    await accepts(move('inventory.adjust', 100_000));
    await accepts(move('inventory.adjust', -1));
    await refuses(move('inventory.adjust', 0), 'qty');
    await refuses(move('inventory.adjust', -100_001), 'qty');
    await refuses(move('inventory.adjust', 100_001), 'qty');
    await refuses(move('inventory.adjust', 1.5), 'qty');
  });

  it('temp_c: −100 … 100; viewers: 0 … 1,000,000,000', async () => {
    await accepts(sensor({ temp_c: -100 }));
    await accepts(sensor({ temp_c: 100 }));
    await refuses(sensor({ temp_c: -100.1 }), 'temp_c');
    await refuses(sensor({ temp_c: 100.1 }), 'temp_c');
    await refuses(sensor({ temp_c: 150 }), 'temp_c');
    await accepts(live({ viewers: 0 }));
    await accepts(live({ viewers: 1_000_000_000 }));
    await refuses(live({ viewers: 1_000_000_001 }), 'viewers');
    await refuses(live({ viewers: -1 }), 'viewers');
  });

  it('sums of the largest amounts stay exact integers', async () => {
    const day = '2026-11-10';
    const at = `${day}T12:00:00.000+08:00`;
    const before = (await getJson(server().url, `/api/v1/metrics/sales.gmv?date=${day}`)).body.value as number;
    const big = [
      order({ ts: at, order_id: 'BIG-1', paid_fen: 10_000_000_000 }, { qty: 100_000, unit_price_fen: 10_000_000_000 }),
      order({ ts: at, order_id: 'BIG-2', paid_fen: 10_000_000_000 }, { qty: 100_000, unit_price_fen: 10_000_000_000 }),
      order({ ts: at, order_id: 'BIG-3', paid_fen: 9_999_999_999 }, { sku_id: 'SKU-SMALL', qty: 1, unit_price_fen: 1 }),
    ];
    expect((await postEvents(server().url, big)).status).toBe(200);
    const gmv = await getJson(server().url, `/api/v1/metrics/sales.gmv?date=${day}`);
    expect(gmv.body.value - before).toBe(29_999_999_999);
    const top = (await getJson(server().url, `/api/v1/metrics/sales.top_skus?date=${day}&limit=1`)).body.value as { gmv_fen: number; qty: number }[];
    expect(top[0]).toMatchObject({ qty: 200_000, gmv_fen: 2_000_000_000_000_000 });
  });
});

describe('ingest bounds: ts from 2000-01-01T00:00:00Z to 24 h after the server clock', () => {
  it('epoch milliseconds', async () => {
    await accepts(sensor({ ts: 946_684_800_000 }));
    await refuses(sensor({ ts: 946_684_799_999 }), 'ts');
    await accepts(sensor({ ts: NOW_MS + DAY_MS }));
    await refuses(sensor({ ts: NOW_MS + DAY_MS + 1 }), 'ts');
    await refuses(sensor({ ts: -3_600_000 }), 'ts');
    await refuses(sensor({ ts: 1e300 }), 'ts');
  });

  it('RFC 3339 strings, whatever their offset', async () => {
    await accepts(sensor({ ts: '2000-01-01T00:00:00Z' }));
    await accepts(sensor({ ts: '2000-01-01T08:00:00+08:00' }));
    await refuses(sensor({ ts: '1999-12-31T23:59:59.999Z' }), 'ts');
    await refuses(sensor({ ts: '2000-01-01T07:59:59.999+08:00' }), 'ts');
    // The attacker's two: before 1970 (failed the INSERT and its whole commit group) and year 9999.
    const reason = await refuses(sensor({ ts: '1969-12-31T23:00:00Z' }), 'ts');
    expect(reason).toMatch(/2000-01-01/);
    await refuses(sensor({ ts: '9999-12-31T00:00:00Z' }), 'ts');
    await accepts(sensor({ ts: new Date(NOW_MS + DAY_MS).toISOString() }));
    await refuses(sensor({ ts: new Date(NOW_MS + DAY_MS + 1).toISOString() }), 'ts');
    await accepts(sensor({ ts: '2026-11-12T10:00:00.000+08:00' }));
    await refuses(sensor({ ts: '2026-11-12T10:00:00.001+08:00' }), 'ts');
  });

  it('follows the server clock', async () => {
    const later = '2026-11-13T09:00:00+08:00';
    await refuses(sensor({ ts: later }), 'ts');
    clock.advance(DAY_MS);
    try {
      await accepts(sensor({ ts: later }));
    } finally {
      clock.set(NOW);
    }
  });
});

describe('ingest bounds: strings', () => {
  it('ids are 1–128 characters; other strings up to 1,000 (characters, not UTF-16 units)', async () => {
    await accepts(sensor({ event_id: `x${'i'.repeat(127)}` }));
    await refuses(sensor({ event_id: `y${'i'.repeat(128)}` }), 'event_id');
    await accepts(sensor({ sensor_id: 'S'.repeat(128) }));
    await refuses(sensor({ sensor_id: 'S'.repeat(129) }), 'sensor_id');
    await refuses(sensor({ sensor_id: '' }), 'sensor_id');
    await accepts(order({ order_id: 'O'.repeat(128) }, { batch_no: 'B'.repeat(128) }));
    await refuses(order({}, { batch_no: 'B'.repeat(129) }), 'lines[0].batch_no');
    await refuses(order({}, { batch_no: '' }), 'lines[0].batch_no');
    await refuses(order({ buyer_id: 'B'.repeat(129) }), 'buyer_id');
    await accepts(order({ city: '深'.repeat(1_000), campaign: '🎉'.repeat(1_000) }));
    await refuses(order({ city: '深'.repeat(1_001) }), 'city');
    await refuses(order({ campaign: 'c'.repeat(1_001) }), 'campaign');
    await refuses({ event_id: id('rx'), type: 'rx.rejected', ts: TS, rx_id: 'RX-1', pharmacist_id: 'P-1', reason: 'r'.repeat(1_001) }, 'reason');
  });

  it('a lone surrogate anywhere is refused, in JSON and NDJSON bodies; valid pairs (emoji) are fine', async () => {
    // The attacker's event: acknowledged before, then the projector failed on it for ever.
    const reason = await refuses(sensor({ sensor_id: '\ud800' }), 'sensor_id');
    expect(reason).toMatch(/surrogate/i);
    await refuses(sensor({ sensor_id: 'a\udc00b' }), 'sensor_id', 'ndjson');
    await refuses(sensor({ sensor_id: 'S\udbff' }), 'sensor_id');
    await refuses(sensor({ event_id: `lone-\ud83d-${++n}` }), 'event_id');
    await refuses(order({}, { batch_no: 'L\ud800' }), 'lines[0].batch_no');
    await refuses(order({ buyer_name: '张\udfff' }), 'buyer_name');
    // Fields not in the contract are dropped, yet a lone surrogate in them is refused too, however deep.
    await refuses(sensor({ note: '\ud800' }), 'note');
    await refuses(sensor({ extra: { deep: [1, { x: ['ok', 'bad\udc00'] }] } }), 'extra.deep[1].x[1]', 'ndjson');
    await accepts(sensor({ sensor_id: 'SN-😀', note: '🎉' }));
    await accepts(sensor({ sensor_id: 'SN-😀-2' }), 'ndjson');
    // An escaped pair (as json.dumps writes it) is one valid character.
    const escaped = JSON.stringify(sensor({ sensor_id: 'SN-ESC' })).replace('SN-ESC', 'SN-ESC-\\ud83d\\ude00');
    const r = await postEvents(server().url, `${escaped}\n`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(await sql(server().app, "SELECT sensor_id FROM {db}.sensor_readings WHERE sensor_id = 'SN-ESC-😀'")).toEqual([{ sensor_id: 'SN-ESC-😀' }]);
  });

  it('NUL (U+0000) is refused in any string or field name', async () => {
    const reason = await refuses(sensor({ sensor_id: 'a\u0000b' }), 'sensor_id');
    expect(reason).toMatch(/NUL/);
    await refuses(order({ city: '\u0000' }), 'city', 'ndjson');
    await refuses(sensor({ ['bad\u0000key']: 1 }), 'bad\ufffdkey');
  });

  it('a body of many tiny NDJSON lines stops at 10,000 events (413) without reading on', async () => {
    const r = await postEvents(server().url, '{}\n'.repeat(2_000_000));
    expect(r.status).toBe(413);
    expect(r.body.code).toBe('RXP_ERR_INGEST_TOO_MANY');
  });
});

describe('reference data bounds', () => {
  const sku = (p: Event = {}): Event => ({ sku_id: 'SKU-REF', name: '布洛芬缓释胶囊', category: 'otc_a', is_rx: false, storage_class: 'normal', controlled: false, traced: true, list_price_fen: 2_990, cost_fen: 1_500, ...p });
  const shop = (p: Event = {}): Event => ({ shop_id: 'SHOP-REF', channel: 'jd', name: '京东大药房', licence_no: 'L-1', licence_expires: '2027-06-30', gsp_expires: '2027-06-30', ...p });

  async function refusesRows(kind: string, row: Event, field: string): Promise<void> {
    const r = await putReference(server().url, kind, [row]);
    expect(r.status, JSON.stringify(r.body)).toBe(400);
    expect(r.body.code).toBe('RXP_ERR_REFERENCE_INVALID');
    expect(r.body.errors).toContainEqual(expect.objectContaining({ index: 0, field }));
  }
  async function acceptsRows(kind: string, row: Event): Promise<void> {
    const r = await putReference(server().url, kind, [row]);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
  }

  it('money, id and text lengths, lone surrogates and NUL as for events', async () => {
    await acceptsRows('skus', sku({ list_price_fen: 10_000_000_000, name: 'n'.repeat(1_000), sku_id: 'S'.repeat(128) }));
    await refusesRows('skus', sku({ list_price_fen: 10_000_000_001 }), 'list_price_fen');
    await refusesRows('skus', sku({ cost_fen: -1 }), 'cost_fen');
    await refusesRows('skus', sku({ name: 'n'.repeat(1_001) }), 'name');
    await refusesRows('skus', sku({ sku_id: 'S'.repeat(129) }), 'sku_id');
    await refusesRows('skus', sku({ name: '布洛芬\ud800' }), 'name');
    await refusesRows('skus', sku({ name: 'a\u0000' }), 'name');
    await refusesRows('skus', sku({ unknown: ['\udc00'] }), 'unknown[0]');
    await refusesRows('sensors', { sensor_id: 'SN-REF', warehouse_id: 'WH-1', location: 'x'.repeat(1_001), storage_class: 'cold' }, 'location');
    await refusesRows('targets', { date: '2026-11-11', channel: 'all', gmv_target_fen: 10_000_000_001 }, 'gmv_target_fen');
    const rows = await sql<{ n: string }>(server().app, "SELECT count() AS n FROM {db}.reference_log WHERE body LIKE '%\\\\ud800%' OR position(body, char(0)) > 0");
    expect(Number(rows[0].n)).toBe(0);
  });

  it('dates are real calendar dates in 1900 … 2299 (what Date32 stores unclamped)', async () => {
    await acceptsRows('shops', shop({ licence_expires: '1900-01-01', gsp_expires: '2299-12-31' }));
    await refusesRows('shops', shop({ licence_expires: '1899-12-31' }), 'licence_expires');
    await refusesRows('shops', shop({ gsp_expires: '2300-01-01' }), 'gsp_expires');
    await refusesRows('shops', shop({ gsp_expires: '9999-12-31' }), 'gsp_expires');
    await refusesRows('shops', shop({ licence_expires: '2027-02-29' }), 'licence_expires');
    await refusesRows('batches', { batch_no: 'L-REF', sku_id: 'SKU-REF', mfg_date: '0001-01-01', expiry_date: '2028-01-01' }, 'mfg_date');
    const stored = await sql<{ licence_expires: string; gsp_expires: string }>(server().app, "SELECT licence_expires, gsp_expires FROM {db}.ref_shops FINAL WHERE shop_id = 'SHOP-REF'");
    expect(stored).toEqual([{ licence_expires: '1900-01-01', gsp_expires: '2299-12-31' }]);
  });
});

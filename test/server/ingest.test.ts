import { describe, expect, it } from 'vitest';
import { ADMIN, INGEST, getJson, postEvents, sql, useServer } from '../helpers/server.ts';
import { created, paid } from '../helpers/events.ts';

const TS = '2026-11-11T10:00:00.000+08:00';
const server = useServer();

const count = async () => Number((await sql<{ n: string }>(server().app, 'SELECT count() AS n FROM {db}.events'))[0].n);

describe('POST /api/v1/events', () => {
  it('stores a valid JSON batch with its paid order lines, and masks personal data', async () => {
    const before = await count();
    const r = await postEvents(server().url, [
      created({ order_id: 'V-1', ts: TS, buyer_name: '张伟', buyer_phone: '13812345678', address: '广东省深圳市南山区科技园88号' }),
      paid({ order_id: 'V-1', ts: '2026-11-11T10:00:01+08:00', paid_fen: 2500, lines: [{ sku_id: 'SKU-9', qty: 2, unit_price_fen: 1250 }], buyer_name: '张伟', buyer_phone: '13812345678' }),
    ]);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ accepted: 2, duplicates: 0 });
    expect(await count()).toBe(before + 2);
    const lines = await sql(server().app, "SELECT type, sku_id, qty, unit_price_fen FROM {db}.order_lines WHERE order_id = 'V-1' ORDER BY type");
    expect(lines).toEqual([
      { type: 'order.paid', sku_id: 'SKU-9', qty: 2, unit_price_fen: '1250' },
    ]);
    const stored = await sql<{ body: string; buyer_name_masked: string; buyer_phone_masked: string }>(
      server().app,
      "SELECT e.body AS body, o.buyer_name_masked, o.buyer_phone_masked FROM {db}.events e JOIN {db}.order_events o USING event_id WHERE o.order_id = 'V-1'",
    );
    for (const row of stored) {
      expect(row.body).not.toMatch(/张伟|13812345678|科技园/);
      expect(row.buyer_name_masked).toBe('张**');
      expect(row.buyer_phone_masked).toBe('138****5678');
    }
  });

  it('accepts NDJSON and ignores unknown fields (not stored)', async () => {
    const body = [paid({ ts: TS, paid_fen: 100, id_card: '440301199001011234' }), paid({ ts: 1762826400000, paid_fen: 200 })]
      .map((e) => JSON.stringify(e))
      .join('\n');
    const r = await postEvents(server().url, `${body}\n`);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ accepted: 2, duplicates: 0 });
    const hits = await sql(server().app, "SELECT event_id FROM {db}.events WHERE body LIKE '%440301199001011234%'");
    expect(hits).toEqual([]);
  });

  const bad: [string, Record<string, unknown>, string][] = [
    ['unknown type', { type: 'order.teleported' }, 'type'],
    ['missing required field', { order_id: undefined }, 'order_id'],
    ['wrong type', { paid_fen: '2500' }, 'paid_fen'],
    ['money as a float', { paid_fen: 25.5 }, 'paid_fen'],
    ['qty < 1 on a line', { lines: [{ sku_id: 'S', qty: 0, unit_price_fen: 1 }] }, 'lines[0].qty'],
    ['negative _fen', { lines: [{ sku_id: 'S', qty: 1, unit_price_fen: -5 }] }, 'lines[0].unit_price_fen'],
    ['unknown channel', { channel: 'amazon' }, 'channel'],
    ['province outside the 31', { province: '台北' }, 'province'],
    ['timestamp without offset', { ts: '2026-11-11T10:00:00' }, 'ts'],
    ['timestamp with a space for T', { ts: '2026-11-11 10:00:00+08:00' }, 'ts'],
    ['impossible date', { ts: '2026-02-30T10:00:00+08:00' }, 'ts'],
    ['epoch seconds instead of ms', { ts: 1762826400 }, 'ts'],
    ['event_id too long', { event_id: 'x'.repeat(129) }, 'event_id'],
    ['empty lines', { lines: [] }, 'lines'],
  ];
  for (const [name, patch, field] of bad) {
    it(`rejects ${name} with 400 naming index, field and reason, storing nothing`, async () => {
      const before = await count();
      const broken: Record<string, unknown> = { ...paid({ ts: TS, paid_fen: 100 }), ...patch };
      for (const k of Object.keys(broken)) if (broken[k] === undefined) delete broken[k];
      const r = await postEvents(server().url, [paid({ ts: TS, paid_fen: 100 }), broken]);
      expect(r.status).toBe(400);
      expect(r.body.error).toBe('invalid_events');
      const errors = r.body.errors as { index: number; event_id: string | null; field: string; reason: string }[];
      expect(errors).toContainEqual(expect.objectContaining({ index: 1, field }));
      expect(errors.every((e) => e.index === 1 && typeof e.reason === 'string' && e.reason.length > 0)).toBe(true);
      if (typeof broken.event_id === 'string' && broken.event_id.length <= 128) expect(errors[0].event_id).toBe(broken.event_id);
      expect(await count()).toBe(before);
    });
  }

  it('lists every invalid event and every bad field', async () => {
    const r = await postEvents(server().url, [
      paid({ ts: TS, paid_fen: -1, lines: [{ unit_price_fen: 100 }] }),
      paid({ ts: TS, paid_fen: 1 }),
      paid({ ts: 'yesterday', paid_fen: 1, channel: 'x' }),
    ]);
    expect(r.status).toBe(400);
    const fields = (r.body.errors as { index: number; field: string }[]).map((e) => `${e.index}:${e.field}`).sort();
    expect(fields).toEqual(['0:paid_fen', '2:channel', '2:ts']);
  });

  it('rejects a line that is not JSON, naming its index', async () => {
    const before = await count();
    const r = await postEvents(server().url, `${JSON.stringify(paid({ ts: TS, paid_fen: 1 }))}\n{not json\n`);
    expect(r.status).toBe(400);
    expect(r.body.errors).toEqual([expect.objectContaining({ index: 1 })]);
    expect(await count()).toBe(before);
  });

  it('rejects a JSON body that is not an array', async () => {
    const r = await postEvents(server().url, JSON.stringify(paid({ ts: TS, paid_fen: 1 })), { contentType: 'application/json' });
    expect(r.status).toBe(400);
    expect(r.body.errors).toEqual([expect.objectContaining({ index: 0 })]);
  });

  it('answers 413 to more than 10,000 events or more than 8 MiB, storing nothing', async () => {
    const before = await count();
    const many = Array.from({ length: 10_001 }, (_, i) => ({ event_id: `many-${i}`, type: 'order.cancelled', ts: TS, order_id: `M-${i}` }));
    const r1 = await postEvents(server().url, many);
    expect(r1.status).toBe(413);
    expect(r1.body.error).toBe('too_many_events');
    const huge = [{ event_id: 'huge', type: 'order.cancelled', ts: TS, order_id: 'H', pad: 'x'.repeat(9 * 1024 * 1024) }];
    const r2 = await postEvents(server().url, huge);
    expect(r2.status).toBe(413);
    expect(r2.body.error).toBe('payload_too_large');
    expect(await count()).toBe(before);
  });

  it('counts a retried batch once and reports duplicates, also within one request', async () => {
    const batch = [paid({ ts: TS, paid_fen: 700, event_id: 'dup-1' }), paid({ ts: TS, paid_fen: 800, event_id: 'dup-2' })];
    expect((await postEvents(server().url, batch)).body).toEqual({ accepted: 2, duplicates: 0 });
    expect((await postEvents(server().url, batch)).body).toEqual({ accepted: 0, duplicates: 2 });
    const changed = { ...batch[0], paid_fen: 999_999, event_id: 'dup-1' };
    expect((await postEvents(server().url, [changed, paid({ ts: TS, paid_fen: 5, event_id: 'dup-3' }), paid({ ts: TS, paid_fen: 5, event_id: 'dup-3' })])).body).toEqual({
      accepted: 1,
      duplicates: 2,
    });
    const rows = await sql<{ body: string }>(server().app, "SELECT body FROM {db}.events WHERE event_id = 'dup-1'");
    expect(rows).toHaveLength(1);
    expect(JSON.parse(rows[0].body).paid_fen).toBe(700);
  });

  it('groups concurrent small posts into few inserts, each answered with its own counts', async () => {
    const inserts = server().app.writer.stats.inserts;
    const posts = Array.from({ length: 40 }, (_, i) => postEvents(server().url, [paid({ ts: TS, paid_fen: 10, event_id: `gc-${i}` }), paid({ ts: TS, paid_fen: 10, event_id: 'gc-shared' })]));
    const results = await Promise.all(posts);
    expect(results.every((r) => r.status === 200)).toBe(true);
    const accepted = results.reduce((n, r) => n + (r.body.accepted as number), 0);
    const duplicates = results.reduce((n, r) => n + (r.body.duplicates as number), 0);
    expect(accepted).toBe(41);
    expect(duplicates).toBe(39);
    expect(server().app.writer.stats.inserts - inserts).toBeLessThan(20);
  });

  it('answers 401 without or with a wrong token, 403 when the token lacks the right', async () => {
    expect((await postEvents(server().url, [paid({ ts: TS, paid_fen: 1 })], { token: null })).status).toBe(401);
    expect((await postEvents(server().url, [paid({ ts: TS, paid_fen: 1 })], { token: 'wrong-token-wrong-token' })).status).toBe(401);
    expect((await getJson(server().url, '/api/v1/metrics/sales.gmv', null)).status).toBe(401);
    const forbidden = await getJson(server().url, '/api/v1/metrics/sales.gmv', INGEST);
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.code).toBe('RXP_ERR_AUTH_FORBIDDEN');
    expect((await postEvents(server().url, [paid({ ts: TS, paid_fen: 1 })], { token: ADMIN })).status).toBe(200);
    expect((await getJson(server().url, '/api/v1/health', null)).status).toBe(200);
  });
});

describe('group commit writer', () => {
  it('takes a submit made the moment the previous one resolved (no stranded queue)', async () => {
    const { validateEvents } = await import('../../server/ingest/validate.ts');
    for (let i = 0; i < 20; i++) {
      const v = validateEvents([paid({ ts: TS, paid_fen: 1, event_id: `chain-${i}` })], Date.now());
      if (!v.ok) throw new Error('invalid');
      // Awaited back to back: each submit starts right when the writer's loop resolved the previous one.
      expect(await server().app.writer.submit(v.events)).toEqual({ accepted: 1, duplicates: 0 });
    }
  });
});

// The README's bounds table and error table against the code (issue 15, "Done when"), and against
// ../shared/CONTRACT.md where the project sits beside it: a bound changed in one place and not the others
// fails here.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERRORS } from '../../server/errors.ts';
import { validateEvents } from '../../server/ingest/validate.ts';
import { FEN_MAX, ID_MAX, QTY_MAX, TEXT_MAX, TS_MAX_AHEAD_MS, TS_MIN_MS } from '../../streams/common.ts';
import { STREAMS } from '../../streams/index.ts';
import { REFERENCE_KINDS } from '../../streams/reference/schema.ts';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const contractPath = new URL('../../../shared/CONTRACT.md', import.meta.url);
const contract = existsSync(contractPath) ? readFileSync(contractPath, 'utf8') : null;

const num = (s: string): number => Number(s.replace(/[,\s]/g, '').replace('−', '-'));

/** The README table under "### Bounds": field → [from, to] as written. */
function readmeBounds(): Map<string, [string, string]> {
  const lines = readme.slice(readme.indexOf('### Bounds (CONTRACT v1.1)')).split('\n');
  const start = lines.findIndex((l) => l.startsWith('| field |'));
  const out = new Map<string, [string, string]>();
  for (const row of lines.slice(start + 2)) {
    if (!row.startsWith('|')) break;
    const cells = row.split('|').map((c) => c.trim());
    out.set(cells[1], [cells[2], cells[3]]);
  }
  return out;
}

type Schema = { type?: string; const?: unknown; enum?: unknown; format?: string; pattern?: string; minimum?: number; maximum?: number; minLength?: number; maxLength?: number; properties?: Record<string, Schema>; items?: Schema; anyOf?: Schema[] };

/** Every [name, schema] of declared properties, nested objects and array items included. */
function* fields(schema: Schema, name = ''): Generator<[string, Schema]> {
  if (schema.properties) for (const [k, sub] of Object.entries(schema.properties)) yield* fields(sub, k);
  else if (schema.items) yield* fields(schema.items, name);
  else if (schema.anyOf) for (const sub of schema.anyOf) yield* fields(sub, name);
  else yield [name, schema];
}

const allSchemas = (): [string, Schema][] => [
  ...STREAMS.flatMap((s) => s.events.map((e) => [(e.properties.type as { const: string }).const, e as unknown as Schema] as [string, Schema])),
  ...REFERENCE_KINDS.map((k) => [`ref.${k.kind}`, k.schema as unknown as Schema] as [string, Schema]),
];

describe('README bounds = code', () => {
  const table = readmeBounds();

  it('has every row of the contract', () => {
    expect([...table.keys()]).toEqual(['`*_fen`', '`qty`', '`temp_c`', '`viewers`', '`ts`', 'ids (`*_id`, `batch_no`, `code`)', 'other strings']);
  });

  it('holds the same numbers as the schemas, field by field', () => {
    expect(table.get('`*_fen`')!.map(num)).toEqual([0, FEN_MAX]);
    expect(table.get('`qty`')!.map(num)).toEqual([1, QTY_MAX]);
    expect(table.get('ids (`*_id`, `batch_no`, `code`)')!.map(num)).toEqual([1, ID_MAX]);
    expect(num(table.get('other strings')![1])).toBe(TEXT_MAX);
    expect(table.get('`ts`')![0]).toBe(new Date(TS_MIN_MS).toISOString().replace('.000', ''));
    expect(TS_MAX_AHEAD_MS).toBe(24 * 3600 * 1000);
    const seen = new Set<string>();
    for (const [type, schema] of allSchemas()) {
      for (const [name, f] of fields(schema)) {
        const where = `${type}.${name}`;
        if (name.endsWith('_fen')) {
          expect([f.minimum, f.maximum], where).toEqual(table.get('`*_fen`')!.map(num));
          seen.add('fen');
        } else if (name === 'qty') {
          if (type === 'inventory.adjust') expect([f.minimum, f.maximum], where).toEqual([-QTY_MAX, QTY_MAX]);
          else expect([f.minimum, f.maximum], where).toEqual(table.get('`qty`')!.map(num));
          seen.add('qty');
        } else if (name === 'temp_c') {
          expect([f.minimum, f.maximum], where).toEqual(table.get('`temp_c`')!.map(num));
          seen.add('temp');
        } else if (name === 'viewers') {
          expect([f.minimum, f.maximum], where).toEqual(table.get('`viewers`')!.map(num));
          seen.add('viewers');
        } else if (f.type === 'string' && (name.endsWith('_id') || name === 'batch_no')) {
          expect([f.minLength, f.maxLength], where).toEqual([1, ID_MAX]);
          seen.add('id');
        } else if (f.type === 'string' && f.const === undefined && f.enum === undefined && f.format === undefined && f.pattern === undefined) {
          expect(f.maxLength ?? Infinity, where).toBeLessThanOrEqual(TEXT_MAX);
        }
      }
    }
    expect([...seen].sort()).toEqual(['fen', 'id', 'qty', 'temp', 'viewers']);
  });

  it('is what validation does at each edge', () => {
    const now = Date.parse('2026-12-07T12:00:00Z');
    const base = { event_id: 'e', type: 'sensor.reading', ts: now, sensor_id: 's', temp_c: 4 };
    const ok = (e: Record<string, unknown>) => validateEvents([{ ...base, ...e }], now).ok;
    expect(ok({ temp_c: 100 })).toBe(true);
    expect(ok({ temp_c: 100.01 })).toBe(false);
    expect(ok({ temp_c: -100 })).toBe(true);
    expect(ok({ ts: TS_MIN_MS })).toBe(true);
    expect(ok({ ts: TS_MIN_MS - 1 })).toBe(false);
    expect(ok({ ts: now + TS_MAX_AHEAD_MS })).toBe(true);
    expect(ok({ ts: now + TS_MAX_AHEAD_MS + 1 })).toBe(false);
    expect(ok({ ts: '1999-12-31T23:59:59.999Z' })).toBe(false);
    expect(ok({ sensor_id: 'x'.repeat(ID_MAX) })).toBe(true);
    expect(ok({ sensor_id: 'x'.repeat(ID_MAX + 1) })).toBe(false);
    expect(ok({ sensor_id: 'a\ud800' })).toBe(false);
    expect(ok({ sensor_id: 'a\u0000' })).toBe(false);
    const line = (qty: number, price: number) => ({ event_id: 'p', type: 'order.paid', ts: now, order_id: 'o', channel: 'jd', shop_id: 's', buyer_id: 'b', province: '广东', paid_fen: 1, lines: [{ sku_id: 'k', qty, unit_price_fen: price }] });
    expect(validateEvents([line(QTY_MAX, FEN_MAX)], now).ok).toBe(true);
    expect(validateEvents([line(QTY_MAX + 1, 1)], now).ok).toBe(false);
    expect(validateEvents([line(1, FEN_MAX + 1)], now).ok).toBe(false);
  });
});

describe.runIf(contract !== null)('README bounds = ../shared/CONTRACT.md', () => {
  it('states the same numbers', () => {
    const text = contract!.slice(contract!.indexOf('### Bounds'), contract!.indexOf('Personal data'));
    expect(text).toContain(`integer 0 … ${FEN_MAX.toLocaleString('en-US')}`);
    expect(text).toContain(`integer 1 … ${QTY_MAX.toLocaleString('en-US')}`);
    expect(text).toContain(`−${QTY_MAX.toLocaleString('en-US')} … ${QTY_MAX.toLocaleString('en-US')}`);
    expect(text).toContain('`temp_c` −100 … 100');
    expect(text).toContain('`viewers` 0 … 1,000,000,000');
    expect(text).toContain(new Date(TS_MIN_MS).toISOString().replace('.000', ''));
    expect(text).toContain('24 hours after');
    expect(text).toContain(`1–${ID_MAX} characters`);
    expect(text).toContain(`up to ${TEXT_MAX.toLocaleString('en-US')} characters`);
  });
});

describe('README error table = code', () => {
  it('lists exactly the codes of server/errors.ts, with their statuses', () => {
    const rows = readme.split('\n').filter((l) => /^\| `RXP_ERR_[A-Z_]+` \|/.test(l));
    const listed = rows.map((l) => /^\| `(RXP_ERR_[A-Z_]+)`/.exec(l)![1]);
    expect(new Set(listed)).toEqual(new Set(Object.keys(ERRORS)));
    expect(listed.length).toBe(new Set(listed).size);
    for (const row of rows) {
      const [, code, status] = /^\| `(RXP_ERR_[A-Z_]+)` \| ([^|]+) \|/.exec(row)!;
      if (code !== 'RXP_ERR_CONFIG_INVALID') expect(Number(status.trim()), code).toBe(ERRORS[code as keyof typeof ERRORS].status);
    }
  });
});

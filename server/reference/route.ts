// PUT /api/v1/reference/{kind} (CONTRACT "Reference data"): a JSON array upserted by id, all or nothing,
// validated like events. Every upload is appended to reference_log (history kept); ref_<kind> holds the
// latest row per key.
import type { FastifyInstance } from 'fastify';
import { Compile, type Validator } from 'typebox/compile';
import { REFERENCE_BY_KIND, REFERENCE_KINDS, type ReferenceKind } from '../../streams/reference/schema.ts';
import { RxpError } from '../errors.ts';
import { describeErrors, projector } from '../ingest/validate.ts';
import type { Storage } from '../plugins/clickhouse.ts';
import type { Clock } from '../time.ts';

export const MAX_REFERENCE_ROWS = 100_000;

interface Compiled {
  def: ReferenceKind;
  check: Validator;
  project: (v: unknown) => unknown;
}

export async function referenceRoutes(
  app: FastifyInstance,
  opts: { storage: Storage; clock: Clock; onChange: (kind: string) => void },
): Promise<void> {
  const compiled = new Map<string, Compiled>(
    REFERENCE_KINDS.map((def) => [def.kind, { def, check: Compile(def.schema), project: projector(def.schema as unknown as Record<string, unknown>) }]),
  );
  let lastVersion = 0;

  app.put<{ Params: { kind: string } }>('/api/v1/reference/:kind', { config: { right: 'ingest' }, bodyLimit: 32 * 1024 * 1024 }, async (req) => {
    const c = compiled.get(req.params.kind);
    if (!c) throw new RxpError('RXP_ERR_REFERENCE_KIND', `unknown reference kind "${req.params.kind}"; one of ${[...REFERENCE_BY_KIND.keys()].join(', ')}`);
    const rows = req.body;
    if (!Array.isArray(rows)) {
      throw new RxpError('RXP_ERR_REFERENCE_INVALID', undefined, { errors: [{ index: 0, key: null, field: '', reason: 'body must be a JSON array' }] });
    }
    if (rows.length > MAX_REFERENCE_ROWS) throw new RxpError('RXP_ERR_INGEST_TOO_MANY', `at most ${MAX_REFERENCE_ROWS} rows per request`);
    const errors: { index: number; key: string | null; field: string; reason: string }[] = [];
    const keyOf = (row: Record<string, unknown>) => c.def.key.map((k) => String(row[k] ?? '')).join('|');
    rows.forEach((row, index) => {
      if (errors.length >= 100) return;
      const obj = typeof row === 'object' && row !== null && !Array.isArray(row) ? (row as Record<string, unknown>) : null;
      if (!obj) return errors.push({ index, key: null, field: '', reason: 'must be a JSON object' });
      if (c.check.Check(obj)) return;
      for (const p of describeErrors(c.def.schema, c.check, obj)) if (errors.length < 100) errors.push({ index, key: keyOf(obj), ...p });
    });
    if (errors.length > 0) throw new RxpError('RXP_ERR_REFERENCE_INVALID', undefined, { errors });
    if (rows.length > 0) {
      const values = rows.map((row) => {
        lastVersion = Math.max(lastVersion + 1, opts.clock.now() * 1000);
        return { kind: c.def.kind, key: keyOf(row), version: lastVersion, body: JSON.stringify(c.project(row)) };
      });
      try {
        await opts.storage.write.insert({ table: `${opts.storage.db}.reference_log`, values, format: 'JSONEachRow' });
      } catch (err) {
        req.log.error({ err }, 'reference insert failed');
        throw new RxpError('RXP_ERR_STORAGE_UNAVAILABLE', undefined, {}, 1);
      }
      opts.onChange(c.def.kind);
    }
    return { upserted: rows.length };
  });
}

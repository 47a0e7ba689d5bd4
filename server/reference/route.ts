// PUT /api/v1/reference/{kind} (CONTRACT "Reference data"): a JSON array upserted by id, all or nothing,
// validated like events. Every upload is appended to reference_log (history kept); ref_<kind> holds the
// latest row per key.
import type { FastifyInstance } from 'fastify';
import { REFERENCE_BY_KIND } from '../../streams/reference/schema.ts';
import { RxpError } from '../errors.ts';
import type { ReferenceStore } from './store.ts';

export const MAX_REFERENCE_ROWS = 100_000;

export async function referenceRoutes(app: FastifyInstance, opts: { store: ReferenceStore }): Promise<void> {
  app.put<{ Params: { kind: string } }>('/api/v1/reference/:kind', { config: { right: 'ingest' }, bodyLimit: 32 * 1024 * 1024 }, async (req) => {
    const { kind } = req.params;
    if (!opts.store.has(kind)) throw new RxpError('RXP_ERR_REFERENCE_KIND', `unknown reference kind "${kind}"; one of ${[...REFERENCE_BY_KIND.keys()].join(', ')}`);
    const rows = req.body;
    if (!Array.isArray(rows)) {
      throw new RxpError('RXP_ERR_REFERENCE_INVALID', undefined, { errors: [{ index: 0, key: null, field: '', reason: 'body must be a JSON array' }] });
    }
    if (rows.length > MAX_REFERENCE_ROWS) throw new RxpError('RXP_ERR_INGEST_TOO_MANY', `at most ${MAX_REFERENCE_ROWS} rows per request`);
    const errors = opts.store.validate(kind, rows);
    if (errors.length > 0) throw new RxpError('RXP_ERR_REFERENCE_INVALID', undefined, { errors });
    try {
      await opts.store.upsert(kind, rows as Record<string, unknown>[]);
    } catch (err) {
      req.log.error({ err }, 'reference insert failed');
      throw new RxpError('RXP_ERR_STORAGE_UNAVAILABLE', undefined, {}, 1);
    }
    return { upserted: rows.length };
  });
}

// POST /api/v1/events (CONTRACT "Ingest").
import type { FastifyInstance } from 'fastify';
import { RxpError } from '../errors.ts';
import type { Clock } from '../time.ts';
import { parseJsonArray, parseNdjson, type Parsed } from './parse.ts';
import { mayHoldBadStrings, validateEvents } from './validate.ts';
import type { IngestSink } from '../cluster/ingest-queue.ts';

export const MAX_EVENTS = 10_000;
export const MAX_BYTES = 8 * 1024 * 1024;

const tooMany = (got: string) => new RxpError('RXP_ERR_INGEST_TOO_MANY', `at most ${MAX_EVENTS} events per request, got ${got}`);

/** `clock`: the server's clock, the upper bound of an event's `ts` (24 h after it). */
export async function ingestRoutes(app: FastifyInstance, opts: { writer: IngestSink; clock: Clock }): Promise<void> {
  // Bodies arrive as text; parsing is ours so that errors carry the CONTRACT's shape and index.
  app.addContentTypeParser(['application/x-ndjson', 'application/json'], { parseAs: 'string', bodyLimit: MAX_BYTES }, (_req, body, done) => {
    done(null, body);
  });

  app.post('/api/v1/events', { config: { right: 'ingest' }, bodyLimit: MAX_BYTES }, async (req) => {
    const mediaType = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    const text = typeof req.body === 'string' ? req.body : '';
    let parsed: Parsed;
    if (mediaType === 'application/x-ndjson') parsed = parseNdjson(text, MAX_EVENTS);
    else if (mediaType === 'application/json') parsed = parseJsonArray(text);
    else throw new RxpError('RXP_ERR_INGEST_MEDIA_TYPE', 'Content-Type must be application/x-ndjson or application/json');
    if (!parsed.ok && parsed.tooMany !== undefined) throw tooMany(`more than ${MAX_EVENTS}`);
    if (!parsed.ok) throw new RxpError('RXP_ERR_INGEST_BODY', undefined, { errors: parsed.errors });
    if (parsed.items.length > MAX_EVENTS) throw tooMany(String(parsed.items.length));
    // The strings walk runs only for a body that can hold a lone surrogate or a NUL (an escape of one).
    const validation = validateEvents(parsed.items, opts.clock.now(), { strings: mayHoldBadStrings(text) });
    if (!validation.ok) throw new RxpError('RXP_ERR_INGEST_INVALID', undefined, { errors: validation.errors });
    return opts.writer.submit(validation.events);
  });
}

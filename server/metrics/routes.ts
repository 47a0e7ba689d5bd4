// GET /api/v1/metrics (catalogue) and GET /api/v1/metrics/{id} (CONTRACT "Read API").
import type { FastifyInstance } from 'fastify';
import type { PushHub } from '../push/hub.ts';
import { toBusinessIso } from '../time.ts';
import { METRICS } from './index.ts';
import type { MetricContext } from './metric.ts';
import { checkParams, evaluate, metricDef, subscriptionKey } from './run.ts';
import { RxpError } from '../errors.ts';

export async function metricRoutes(app: FastifyInstance, opts: { ctx: MetricContext; hub: PushHub; displayScope: (display: string, key: string) => boolean }): Promise<void> {
  app.get('/api/v1/metrics', { config: { right: 'read' } }, async () =>
    [...METRICS.values()].map((m) => ({
      id: m.id,
      description: m.description,
      params: m.params.properties,
      value: m.value,
      streams: m.streams,
    })),
  );

  app.get<{ Params: { id: string }; Querystring: Record<string, string> }>('/api/v1/metrics/:id', { config: { right: 'read', display: true } }, async (req) => {
    const display = req.principal?.display;
    let def: ReturnType<typeof metricDef>;
    let raw: Record<string, unknown>;
    try {
      def = metricDef(req.params.id);
      raw = checkParams(def, req.query);
    } catch (err) {
      // A display learns nothing about metrics outside its screens, not even whether they exist.
      if (display) throw new RxpError('RXP_ERR_AUTH_FORBIDDEN', 'a display reads only what its screens show');
      throw err;
    }
    if (display && !opts.displayScope(display, subscriptionKey(def.id, raw))) throw new RxpError('RXP_ERR_AUTH_FORBIDDEN', 'a display reads only what its screens show');
    const r = await evaluate(def, raw, opts.ctx, () => req.raw.socket?.destroyed === true);
    // `lag` only when the read stopped waiting for the projection (run.ts MAX_PROJECTION_WAIT_MS): the value
    // then misses `behind_groups` commit groups acknowledged before the read, the oldest `lag_ms` old.
    return { metric: def.id, params: r.params, as_of: toBusinessIso(r.asOf, opts.ctx.tz), value: r.value, ...(r.lag ? { lag: r.lag } : {}) };
  });
}

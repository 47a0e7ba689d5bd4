// GET /api/v1/metrics (catalogue) and GET /api/v1/metrics/{id} (CONTRACT "Read API").
import type { FastifyInstance } from 'fastify';
import type { PushHub } from '../push/hub.ts';
import { toBusinessIso } from '../time.ts';
import { METRICS } from './index.ts';
import type { MetricContext } from './metric.ts';
import { checkParams, evaluate, metricDef } from './run.ts';

export async function metricRoutes(app: FastifyInstance, opts: { ctx: MetricContext; hub: PushHub }): Promise<void> {
  app.get('/api/v1/metrics', { config: { right: 'read' } }, async () =>
    [...METRICS.values()].map((m) => ({
      id: m.id,
      description: m.description,
      params: m.params.properties,
      value: m.value,
      streams: m.streams,
    })),
  );

  app.get<{ Params: { id: string }; Querystring: Record<string, string> }>('/api/v1/metrics/:id', { config: { right: 'read' } }, async (req) => {
    const def = metricDef(req.params.id);
    const raw = checkParams(def, req.query);
    const r = await evaluate(def, raw, opts.ctx);
    return { metric: def.id, params: r.params, as_of: toBusinessIso(r.asOf, opts.ctx.tz), value: r.value };
  });
}

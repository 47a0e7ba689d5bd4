// Parameter checking and evaluation of a metric declaration, shared by the read API and the push hub.
import { Compile, type Validator } from 'typebox/compile';
import { RxpError } from '../errors.ts';
import { METRICS } from './index.ts';
import type { MetricContext, MetricDef } from './metric.ts';

const validators = new Map<string, Validator>();

export function metricDef(id: string): MetricDef {
  const def = METRICS.get(id);
  if (!def) throw new RxpError('RXP_ERR_METRIC_UNKNOWN', `unknown metric "${id}"`, { metric: id });
  return def;
}

/** Raw params (from a URL or a subscription) checked against the declaration; unknown ones are refused. */
export function checkParams(def: MetricDef, raw: unknown): Record<string, unknown> {
  let check = validators.get(def.id);
  if (!check) validators.set(def.id, (check = Compile(def.params)));
  const params = typeof raw === 'object' && raw !== null ? { ...(raw as Record<string, unknown>) } : {};
  // URL query values are strings: numbers and booleans declared as such are converted before checking.
  for (const [name, value] of Object.entries(params)) {
    const type = (def.params.properties[name] as { type?: string } | undefined)?.type;
    if (typeof value !== 'string' || value.trim() === '') continue;
    if ((type === 'integer' || type === 'number') && Number.isFinite(Number(value))) params[name] = Number(value);
    if (type === 'boolean' && (value === 'true' || value === 'false')) params[name] = value === 'true';
  }
  for (const name of Object.keys(params)) {
    if (!(name in def.params.properties)) {
      throw new RxpError('RXP_ERR_METRIC_PARAM', `${name}: unknown parameter`, { param: name, reason: 'unknown parameter' });
    }
  }
  const [first] = check.Errors(params);
  if (first) {
    const param = first.instancePath.replace(/^\//, '');
    const format = (first.params as { format?: string }).format;
    const reason = format === 'date' ? 'must be a calendar date YYYY-MM-DD' : first.message;
    throw new RxpError('RXP_ERR_METRIC_PARAM', `${param}: ${reason}`, { param, reason });
  }
  return params;
}

/** Canonical subscription key: metric id + params sorted by name ("today" stays implicit in it). */
export function subscriptionKey(id: string, params: Record<string, unknown>): string {
  const sorted = Object.keys(params)
    .sort()
    .map((k) => [k, params[k]]);
  return `${id}${JSON.stringify(Object.fromEntries(sorted))}`;
}

export async function evaluate(def: MetricDef, raw: Record<string, unknown>, ctx: MetricContext) {
  const { hot } = ctx;
  if (def.hot && hot) {
    // Hot counters already include every acknowledged event: no barrier to wait for.
    const params = def.resolve(raw, ctx) as Record<string, unknown>;
    return { params, value: await def.hot({ ...ctx, hot }, params), asOf: ctx.clock.now() };
  }
  if (def.projected !== false) await ctx.barrier?.();
  const params = def.resolve(raw, ctx) as Record<string, unknown>;
  const value = await def.compute(ctx, params);
  return { params, value, asOf: ctx.clock.now() };
}

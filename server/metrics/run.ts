// Parameter checking and evaluation of a metric declaration, shared by the read API and the push hub.
import { Compile, type Validator } from 'typebox/compile';
import { RxpError } from '../errors.ts';
import { METRICS } from './index.ts';
import type { MetricContext, MetricDef } from './metric.ts';

const validators = new Map<string, Validator>();

/** Business dates a metric may be asked for (CONTRACT "Bounds": no event is older than 2000-01-01). */
export const DATE_MIN = '2000-01-01';
export const DATE_MAX = '2099-12-31';

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
  // URL query values are strings: numbers and booleans declared as such are converted before checking, in
  // plain decimal only (`0x10`, `1e2`, ` 16`, `16.0` stay strings and are refused by the schema).
  for (const [name, value] of Object.entries(params)) {
    const type = (def.params.properties[name] as { type?: string } | undefined)?.type;
    if (typeof value !== 'string') continue;
    if (type === 'integer' && /^-?\d{1,15}$/.test(value)) params[name] = Number(value);
    if (type === 'number' && /^-?\d{1,15}(\.\d{1,15})?$/.test(value)) params[name] = Number(value);
    if (type === 'boolean' && (value === 'true' || value === 'false')) params[name] = value === 'true';
  }
  for (const name of Object.keys(params)) {
    if (!Object.hasOwn(def.params.properties, name)) {
      throw new RxpError('RXP_ERR_METRIC_PARAM', `${name.slice(0, 64)}: unknown parameter`, { param: name.slice(0, 64), reason: 'unknown parameter' });
    }
  }
  const [first] = check.Errors(params);
  if (first) {
    const param = first.instancePath.replace(/^\//, '');
    const format = (first.params as { format?: string }).format;
    const reason = format === 'date' ? 'must be a calendar date YYYY-MM-DD' : first.message;
    throw new RxpError('RXP_ERR_METRIC_PARAM', `${param}: ${reason}`, { param, reason });
  }
  // A business date outside the span stored data can have (before 2000, or far ahead) is a mistake, not a
  // query: refused here rather than failing inside ClickHouse's date types.
  const date = params.date;
  if (typeof date === 'string' && (date < DATE_MIN || date > DATE_MAX)) {
    const reason = `must be a date from ${DATE_MIN} to ${DATE_MAX}`;
    throw new RxpError('RXP_ERR_METRIC_PARAM', `date: ${reason}`, { param: 'date', reason });
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

/**
 * Longest a metric read waits for the projection to catch up with what was acknowledged before it, ms. Past
 * it the value is computed from what is projected, and the result says how far behind that is (`lag`): a read
 * never hangs on a slow or stuck projection (CONTRACT "Bounds": nothing acknowledged may stall reads).
 */
export const MAX_PROJECTION_WAIT_MS = 2_000;

/** How far behind the acknowledged events a value is (present only when the read stopped waiting). */
export interface ReadLag {
  /** Commit groups acknowledged before the read and not in the value. */
  behind_groups: number;
  /** Age of the oldest of them, ms. */
  lag_ms: number;
}

/**
 * `gone`: the caller no longer wants the value (an HTTP client that disconnected while the read waited for
 * the projection): nothing is queried for it then (abandoned reads would otherwise queue queries on storage).
 */
export async function evaluate(def: MetricDef, raw: Record<string, unknown>, ctx: MetricContext, gone?: () => boolean): Promise<{ params: Record<string, unknown>; value: unknown; asOf: number; lag?: ReadLag }> {
  const { hot } = ctx;
  if (def.hot && hot) {
    // Hot counters already include every acknowledged event: no barrier to wait for.
    const params = def.resolve(raw, ctx) as Record<string, unknown>;
    return { params, value: await def.hot({ ...ctx, hot }, params), asOf: ctx.clock.now() };
  }
  const lag = def.projected !== false ? await waitForProjection(ctx) : undefined;
  if (gone?.()) throw new RxpError('RXP_ERR_BAD_REQUEST', 'the client went away before the value was computed');
  const params = def.resolve(raw, ctx) as Record<string, unknown>;
  const value = await def.compute(ctx, params);
  return { params, value, asOf: ctx.clock.now(), ...(lag ? { lag } : {}) };
}

/** Waits for the barrier up to MAX_PROJECTION_WAIT_MS; undefined when caught up, else how far behind. */
async function waitForProjection(ctx: MetricContext): Promise<ReadLag | undefined> {
  if (!ctx.barrier) return undefined;
  let timer: NodeJS.Timeout | undefined;
  const caughtUp = await Promise.race([
    ctx.barrier().then(() => true),
    new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), MAX_PROJECTION_WAIT_MS);
    }),
  ]);
  clearTimeout(timer);
  if (caughtUp) return undefined;
  const lag = ctx.projectionLag?.();
  if (lag?.behind_groups === 0) return undefined; // caught up between the timeout and now
  // Without the projector's own figures: at least one group, at least as old as the wait.
  return lag ?? { behind_groups: 1, lag_ms: MAX_PROJECTION_WAIT_MS };
}

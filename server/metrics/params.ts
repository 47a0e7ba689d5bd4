// Parameter declarations shared by metrics.
import { Type } from 'typebox';
import { businessDate, dayRange } from '../time.ts';
import type { MetricContext } from './metric.ts';

export const DateParam = Type.Object(
  { date: Type.Optional(Type.String({ format: 'date', description: 'business date YYYY-MM-DD; default today in TZ_BUSINESS' })) },
  { additionalProperties: false },
);

export function withToday<P extends { date?: string }>(raw: P, ctx: MetricContext): P {
  return { ...raw, date: raw.date ?? businessDate(ctx.clock.now(), ctx.tz) };
}

/** Query parameters bounding a business date on a DateTime('UTC') column, in epoch seconds. */
export function dayParams(date: string, tz: string): { from: number; to: number } {
  const { fromMs, toMs } = dayRange(date, tz);
  return { from: fromMs / 1000, to: toMs / 1000 };
}

// What a metric declares (STYLE §9). The read API, the push hub and the catalogue all use this one
// declaration, so a screen and GET /api/v1/metrics/{id} never disagree.
import type { TObject, Static } from 'typebox';
import type { Storage } from '../plugins/clickhouse.ts';
import type { Clock } from '../time.ts';
import type { BusinessSettings } from '../settings.ts';
import type { HotSales } from './hot.ts';

export interface MetricContext {
  storage: Storage;
  tz: string;
  clock: Clock;
  /** Resolves when everything acknowledged so far is visible to queries (see server/ingest/projector.ts). */
  barrier?: () => Promise<void>;
  /** How far the projection is behind what was acknowledged (reported by a read that stopped waiting). */
  projectionLag?: () => { behind_groups: number; lag_ms: number };
  /** In-memory sales totals per date, current as of the last durable commit (see hot.ts). */
  hot?: HotSales;
  /** The deployment's business terms and cold band (server/settings.ts). @default DEFAULT_SETTINGS */
  settings?: BusinessSettings;
}

export interface MetricDef<P extends TObject = TObject, V = unknown> {
  readonly id: string;
  readonly description: { readonly 'zh-CN': string; readonly en: string };
  /** Query parameters (strings on the URL; defaults resolved by `resolve`). */
  readonly params: P;
  /** Shape of the value, for the catalogue. */
  readonly value: string;
  /** Streams (`order`), event types (`order.paid`) or reference kinds (`ref.skus`) whose new data can change
   *  the value: anything else never recomputes it (an order.created burst leaves GMV alone). */
  readonly streams: readonly string[];
  /** False for a metric that reads no table the projector writes (alerts, reference data): it does not
   *  wait for the projection to catch up. @default true */
  readonly projected?: false;
  /** The value also moves with the clock (a series up to the current minute): recomputed at minute ticks. */
  readonly tick?: 'minute';
  /** Fills defaults (e.g. date = today in TZ_BUSINESS) at compute time, so "today" rolls over by itself. */
  resolve(raw: Static<P>, ctx: MetricContext): Static<P>;
  compute(ctx: MetricContext, params: Static<P>): Promise<V>;
  /** The same value from the hot counters, used instead of `compute` where the context has them: current
   *  at commit (no wait for the projection). `compute` stays the reference they are reconciled with. */
  hot?(ctx: MetricContext & { hot: HotSales }, params: Static<P>): Promise<V>;
}

export function defineMetric<P extends TObject, V>(def: MetricDef<P, V>): MetricDef<P, V> {
  return def;
}

// What a compliance rule declares (DOMAIN "Compliance and risk rules"): one declaration per rule id, in the
// registry (index.ts). Two kinds:
// - stream rules see every durable event of their types in commit order and keep their own state (plain
//   Maps/arrays of JSON values, checkpointed by the engine), and may also act on a timer (`tick`), so a
//   deadline fires when no event arrives;
// - daily rules query ClickHouse at start, at the business day's rollover and soon after the data they
//   read changes (`triggers`).
// Both report hits; the alert store turns hits into deduplicated alerts (one open alert per rule and entity).
import type { Static, TObject } from 'typebox';
import type { StoredEvent } from '../store/projections.ts';
import type { MetricContext } from '../metrics/metric.ts';
import type { Storage } from '../plugins/clickhouse.ts';
import type { RefCache } from './reference.ts';

export const SEVERITIES = ['minor', 'major', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Something a rule found: an entity (`order:…`, `sku:…`, `batch:…`, `sensor:…`, `shop:…`, …) and why. */
export interface Hit {
  entity: string;
  /** event_ids that show it (daily rules: `ref:<kind>/<key>` and `day:<YYYY-MM-DD>`). */
  evidence: string[];
  /** When it was seen (epoch ms): an event's ts, or the deadline that passed. */
  atMs: number;
  /** Overrides the rule's severity (LICENCE_EXPIRY escalates as the date nears). */
  severity?: Severity;
  /** Facts a wall may show (never prescription content or buyer data): value at risk, days left, °C… */
  detail?: Record<string, string | number | boolean | null>;
}

/** What a rule may read of the past: the storage, once the typed tables hold every group judged so far. */
export interface History {
  readonly storage: Storage;
  /** Resolves when the projection has passed every commit group the engine has judged (or is judging). */
  projected(): Promise<void>;
}

export interface StreamContext {
  /** Reference data as known now (SKUs, batches, sensors). */
  ref: RefCache;
  /** The rules' clock: the wall clock, or the newest event time seen when the stream runs ahead of it. */
  now: number;
  tz: string;
  fire(hit: Hit): void;
}

interface RuleBase<P extends TObject> {
  readonly id: string;
  readonly severity: Severity;
  readonly title: { readonly 'zh-CN': string; readonly en: string };
  /** Parameters with their defaults; a deployment overrides them in the rules file (validated at start). */
  readonly params: P;
}

export interface StreamRule<P extends TObject = TObject, S = unknown> extends RuleBase<P> {
  readonly kind: 'stream';
  /** Event types it reads (others are never shown to it). */
  readonly types: readonly string[];
  /** Fresh state (also what a checkpoint of an older version falls back to). */
  init(): S;
  onEvent(state: S, e: StoredEvent, ctx: StreamContext, p: Static<P>): void;
  /** Deadlines and pruning: called every second with the rules' clock. */
  tick?(state: S, ctx: StreamContext, p: Static<P>): void;
  /** After each step of events, before the next: lookups in ClickHouse the step needs (older trace codes).
   *  A throw leaves the state as it was before the call (consume pending work only once it succeeded): the
   *  engine retries the call with backoff, and the step and every one after it wait. */
  settle?(state: S, ctx: StreamContext, p: Static<P>, history: History): Promise<void>;
  /** Reference data of `kind` changed (an unknown SKU may now be known): re-check what waits on it. */
  onReference?(state: S, kind: string, ctx: StreamContext, p: Static<P>): void;
}

export interface DailyRule<P extends TObject = TObject> extends RuleBase<P> {
  readonly kind: 'daily';
  /** Streams, event types or `ref.<kind>` whose changes make it run again (within seconds). */
  readonly triggers: readonly string[];
  /** Least time between two runs caused by changes (a busy stream would otherwise run it constantly). */
  readonly minIntervalMs: number;
  evaluate(ctx: MetricContext, p: Static<P>): Promise<Hit[]>;
}

export type Rule = StreamRule<TObject, unknown> | DailyRule<TObject>;

export function streamRule<P extends TObject, S>(r: StreamRule<P, S>): StreamRule<P, S> {
  return r;
}

export function dailyRule<P extends TObject>(r: DailyRule<P>): DailyRule<P> {
  return r;
}

/** JSON that keeps Maps and Sets (rule state is made of them): for checkpoints. */
export function stateToJson(state: unknown): string {
  return JSON.stringify(state, (_k, v: unknown) => (v instanceof Map ? { $map: [...v] } : v instanceof Set ? { $set: [...v] } : v));
}

export function stateFromJson(text: string): unknown {
  return JSON.parse(text, (_k, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const o = v as { $map?: [unknown, unknown][]; $set?: unknown[] };
      if (o.$map) return new Map(o.$map);
      if (o.$set) return new Set(o.$set);
    }
    return v;
  });
}

/**
 * Most entries any one map of rule state keeps (oldest dropped first): memory stays bounded whatever the
 * stream does, e.g. a deployment that never uploads SKUs, where every shipped order waits for its SKUs.
 */
export const MAX_STATE_ENTRIES = 200_000;

/** Entries of a Map kept in insertion (≈ time) order, dropped from the oldest while `old(value)`, and beyond MAX_STATE_ENTRIES. */
export function pruneOldest<K, V>(map: Map<K, V>, old: (v: V) => boolean): void {
  for (const [k, v] of map) {
    if (!old(v) && map.size <= MAX_STATE_ENTRIES) break;
    map.delete(k);
  }
}

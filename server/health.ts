// GET /api/v1/health (public): storage, ingest queue and lag, and freshness per stream.
import type { FastifyInstance } from 'fastify';
import type { Commit, IngestWriter } from './ingest/writer.ts';
import type { Storage } from './plugins/clickhouse.ts';
import type { PushHub } from './push/hub.ts';
import type { Projector } from './ingest/projector.ts';
import type { HotSales } from './metrics/hot.ts';
import type { RulesEngine } from './rules/engine.ts';
import type { AlertStore } from './rules/alerts.ts';
import type { Clock } from './time.ts';
import type { Config } from './config.ts';
import { bearerToken, can, roleOf } from './auth/tokens.ts';

/** Last ingest time and newest event time per stream, fed by writer commits. */
export class StreamFreshness {
  private readonly streams = new Map<string, { lastIngestAt: number; lastEventTs: number; events: number }>();
  constructor(private readonly clock: Clock) {}

  record(commit: Commit): void {
    for (const [stream, ts] of commit.maxTsByStream) {
      const s = this.streams.get(stream) ?? { lastIngestAt: 0, lastEventTs: 0, events: 0 };
      s.lastIngestAt = this.clock.now();
      s.lastEventTs = Math.max(s.lastEventTs, ts);
      this.streams.set(stream, s);
    }
  }

  snapshot(): Record<string, { last_ingest_at: string; last_event_ts: string; seconds_since_ingest: number }> {
    const now = this.clock.now();
    return Object.fromEntries(
      [...this.streams].map(([name, s]) => [
        name,
        { last_ingest_at: new Date(s.lastIngestAt).toISOString(), last_event_ts: new Date(s.lastEventTs).toISOString(), seconds_since_ingest: Math.round((now - s.lastIngestAt) / 1000) },
      ]),
    );
  }
}

/** SKU and shop ids seen in the last 48 h without reference data (CONTRACT: accepted, flagged here).
 *  Cached for 30 s: health is polled by load balancers. */
class UnknownReferences {
  private cached: { at: number; value: Record<string, unknown> } | null = null;
  constructor(
    private readonly storage: Storage,
    private readonly clock: Clock,
  ) {}

  async get(): Promise<Record<string, unknown>> {
    const now = this.clock.now();
    if (this.cached && now - this.cached.at < 30_000) return this.cached.value;
    const { db, read } = this.storage;
    const since = Math.floor(now / 1000) - 48 * 3600;
    const rs = await read.query({
      query: `SELECT
          (SELECT groupUniqArray(20)(sku_id) FROM ${db}.sales_line_hour
             WHERE hour >= toDateTime({since:UInt32}, 'UTC') AND sku_id NOT IN (SELECT sku_id FROM ${db}.ref_skus FINAL)) AS skus,
          (SELECT groupUniqArray(20)(shop_id) FROM ${db}.order_events
             WHERE ts >= toDateTime64({since:UInt32}, 3, 'UTC') AND shop_id != '' AND shop_id NOT IN (SELECT shop_id FROM ${db}.ref_shops FINAL)) AS shops`,
      query_params: { since },
      format: 'JSONEachRow',
    });
    const [row] = await rs.json<{ skus: string[]; shops: string[] }>();
    const value = { skus: row.skus.length, shops: row.shops.length, sample: { skus: row.skus.slice(0, 5), shops: row.shops.slice(0, 5) } };
    this.cached = { at: now, value };
    return value;
  }
}

/**
 * GET /api/v1/health. Without a token (load balancers, uptime checks) it answers what CONTRACT "Health" lists
 * and no more: status, storage, ingest lag, freshness per stream and the unknown reference ids it flags.
 * With a token that may read, the details too: queue and commit counts, projection, dead letters, hot
 * counters, rules, push hub, process memory.
 */
export async function healthRoutes(
  app: FastifyInstance,
  opts: { config: Config; storage: Storage; writer: IngestWriter; projector: Projector; hub: PushHub; hot: HotSales; freshness: StreamFreshness; clock: Clock; rules: RulesEngine; alerts: AlertStore },
): Promise<void> {
  const unknown = new UnknownReferences(opts.storage, opts.clock);
  app.get('/api/v1/health', { config: { right: 'public' } }, async (req) => {
    let storageOk = true;
    let unknownRefs: Record<string, unknown> | null = null;
    try {
      unknownRefs = await unknown.get();
    } catch {
      storageOk = false;
    }
    const w = opts.writer.stats;
    const overflow = app.integrity.unsafeIntegers + opts.hub.stats.overflows;
    const summary = {
      status: storageOk ? 'ok' : 'degraded',
      time: new Date(opts.clock.now()).toISOString(),
      storage: { transport: opts.storage.transport, ok: storageOk },
      ingest: { lag_ms: w.lastCommitAt ? opts.clock.now() - w.lastCommitAt : null },
      // How far the typed tables (what most metrics read) are behind the acknowledged log.
      projection_lag: opts.projector.lag(),
      // Rows the projector could not write (kept in the dead_letters table with their reason): each is an
      // acknowledged event that no metric counts, so anything above 0 needs an operator.
      dead_letters: opts.projector.stats.deadLetters,
      unknown_references: unknownRefs,
      streams: opts.freshness.snapshot(),
    };
    const role = roleOf(opts.config, bearerToken(req));
    if (!role || !can(role, 'read')) return summary;
    return {
      ...summary,
      ingest: {
        ...summary.ingest,
        queued_events: opts.writer.queued,
        commits: w.commits,
        accepted: w.accepted,
        duplicates: w.duplicates,
        last_commit_ms: w.lastDurationMs,
        // Commit groups split because storage refused a row, and the requests refused that way (400).
        poison_splits: w.splits,
        poison_refused: w.refused,
      },
      projection: { ...opts.projector.stats },
      hot_counters: { ...opts.hot.stats },
      rules: { ...opts.rules.stats, open_alerts: opts.alerts.openCount, alerts: { ...opts.alerts.stats }, per_rule: Object.fromEntries(opts.rules.perRule) },
      push: { sockets: opts.hub.socketCount, subscriptions: opts.hub.subscriptionCount, ...opts.hub.stats },
      // A metric value past 2^53 − 1 cannot be shown exactly: counted here and logged, never sent rounded.
      errors: { unsafe_integers: overflow, commit_listeners: { ...app.integrity.listenerErrors } },
      process: { heap_used_bytes: process.memoryUsage().heapUsed, rss_bytes: process.memoryUsage.rss() },
    };
  });
}

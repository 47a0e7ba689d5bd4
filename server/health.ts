// GET /api/v1/health (public): storage, ingest queue and lag, and freshness per stream.
import type { FastifyInstance } from 'fastify';
import type { Commit, IngestWriter } from './ingest/writer.ts';
import type { Storage } from './plugins/clickhouse.ts';
import type { PushHub } from './push/hub.ts';
import type { Clock } from './time.ts';

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

export async function healthRoutes(
  app: FastifyInstance,
  opts: { storage: Storage; writer: IngestWriter; hub: PushHub; freshness: StreamFreshness; clock: Clock },
): Promise<void> {
  app.get('/api/v1/health', { config: { right: 'public' } }, async () => {
    let storageOk = true;
    try {
      await opts.storage.read.query({ query: 'SELECT 1', format: 'JSONEachRow' }).then((r) => r.json());
    } catch {
      storageOk = false;
    }
    const w = opts.writer.stats;
    return {
      status: storageOk ? 'ok' : 'degraded',
      time: new Date(opts.clock.now()).toISOString(),
      storage: { transport: opts.storage.transport, ok: storageOk },
      ingest: {
        queued_events: opts.writer.queued,
        commits: w.commits,
        accepted: w.accepted,
        duplicates: w.duplicates,
        last_commit_ms: w.lastDurationMs,
        lag_ms: w.lastCommitAt ? opts.clock.now() - w.lastCommitAt : null,
      },
      push: { subscriptions: opts.hub.subscriptionCount, ...opts.hub.stats },
      streams: opts.freshness.snapshot(),
    };
  });
}

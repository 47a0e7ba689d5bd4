// Group commit: concurrent ingest requests are queued and written together, one INSERT per group, never one
// per request. A request's promise resolves only after the INSERT that holds its events returned (durable),
// so `200` means stored. Idempotency by event_id is decided here, in one place, on a single serialized
// writer: an id already stored, or earlier in the same group, is a duplicate (the first content stays).
import type { FastifyBaseLogger } from 'fastify';
import type { Storage } from '../plugins/clickhouse.ts';
import { RxpError } from '../errors.ts';
import type { Clock } from '../time.ts';
import type { ValidEvent } from './validate.ts';

export interface IngestResult {
  accepted: number;
  duplicates: number;
}

export interface Commit {
  /** Streams and event types that got new rows: what the push hub marks dirty. */
  streams: ReadonlySet<string>;
  types: ReadonlySet<string>;
  accepted: number;
  /** Largest event ts (epoch ms) per stream in this commit. */
  maxTsByStream: ReadonlyMap<string, number>;
}

interface Pending {
  events: ValidEvent[];
  resolve: (r: IngestResult) => void;
  reject: (e: unknown) => void;
}

export interface WriterOptions {
  storage: Storage;
  logger: FastifyBaseLogger;
  clock: Clock;
  onCommit: (commit: Commit) => void;
  /** Upper bound of events in one INSERT. @default 50_000 */
  maxGroupEvents?: number;
  /** Events waiting beyond this answer 503 at once instead of queueing (overload). @default 200_000 */
  maxQueuedEvents?: number;
}

/** Ids per lookup query: keeps an HTTP ClickHouse URL well under its size limit. */
const LOOKUP_CHUNK = 2_000;

function chTime(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}

export class IngestWriter {
  private readonly queue: Pending[] = [];
  private queuedEvents = 0;
  private running: Promise<void> | null = null;
  private closing = false;
  private readonly maxGroup: number;
  private readonly maxQueued: number;
  readonly stats = { commits: 0, inserts: 0, accepted: 0, duplicates: 0, lastCommitAt: 0, lastDurationMs: 0 };

  constructor(private readonly opts: WriterOptions) {
    this.maxGroup = opts.maxGroupEvents ?? 50_000;
    this.maxQueued = opts.maxQueuedEvents ?? 200_000;
  }

  get queued(): number {
    return this.queuedEvents;
  }

  /** True while a group commit is being written. */
  get busy(): boolean {
    return this.running !== null;
  }

  submit(events: ValidEvent[]): Promise<IngestResult> {
    if (this.closing) return Promise.reject(new RxpError('RXP_ERR_SHUTTING_DOWN', undefined, {}, 2));
    if (events.length === 0) return Promise.resolve({ accepted: 0, duplicates: 0 });
    if (this.queuedEvents + events.length > this.maxQueued) {
      return Promise.reject(new RxpError('RXP_ERR_STORAGE_UNAVAILABLE', 'ingest queue is full', {}, 1));
    }
    return new Promise<IngestResult>((resolve, reject) => {
      this.queue.push({ events, resolve, reject });
      this.queuedEvents += events.length;
      this.running ??= this.loop().finally(() => {
        this.running = null;
      });
    });
  }

  /** Stops taking new events and waits until everything queued is written (graceful shutdown). */
  async close(): Promise<void> {
    this.closing = true;
    while (this.running) await this.running;
  }

  private async loop(): Promise<void> {
    while (this.queue.length > 0) {
      const group: Pending[] = [];
      let size = 0;
      while (this.queue.length > 0 && (group.length === 0 || size + this.queue[0].events.length <= this.maxGroup)) {
        const next = this.queue.shift()!;
        group.push(next);
        size += next.events.length;
      }
      this.queuedEvents -= size;
      try {
        const results = await this.writeGroup(group);
        group.forEach((p, i) => p.resolve(results[i]));
      } catch (err) {
        this.opts.logger.error({ err }, 'ingest group commit failed; nothing from it was acknowledged');
        const mapped = err instanceof RxpError ? err : new RxpError('RXP_ERR_STORAGE_UNAVAILABLE', undefined, {}, 1);
        for (const p of group) p.reject(mapped);
      }
    }
  }

  private async existing(sql: string, ids: string[]): Promise<Set<string>> {
    const found = new Set<string>();
    for (let i = 0; i < ids.length; i += LOOKUP_CHUNK) {
      const rs = await this.opts.storage.write.query({
        query: sql,
        query_params: { ids: ids.slice(i, i + LOOKUP_CHUNK) },
        format: 'JSONCompactEachRow',
      });
      for (const [id] of await rs.json<[string]>()) found.add(id);
    }
    return found;
  }

  private async writeGroup(group: Pending[]): Promise<IngestResult[]> {
    const started = this.opts.clock.now();
    const { db } = this.opts.storage;
    const allIds = [...new Set(group.flatMap((p) => p.events.map((e) => e.event_id)))];
    const known = await this.existing(`SELECT event_id FROM ${db}.events WHERE event_id IN {ids:Array(String)}`, allIds);

    const fresh: ValidEvent[] = [];
    const results = group.map((p) => {
      let accepted = 0;
      for (const e of p.events) {
        if (known.has(e.event_id)) continue;
        known.add(e.event_id);
        fresh.push(e);
        accepted++;
      }
      return { accepted, duplicates: p.events.length - accepted };
    });

    // Only the first order.paid received for an order counts (CONTRACT sales.gmv): decided at write time so
    // the rollups can simply sum.
    const paidIds = [...new Set(fresh.filter((e) => e.type === 'order.paid').map((e) => e.body.order_id as string))];
    const alreadyPaid = paidIds.length
      ? await this.existing(`SELECT DISTINCT order_id FROM ${db}.order_events WHERE type = 'order.paid' AND order_id IN {ids:Array(String)}`, paidIds)
      : new Set<string>();

    if (fresh.length > 0) {
      const receivedAt = chTime(this.opts.clock.now());
      const rows = fresh.map((e) => {
        let firstPaid = 0;
        if (e.type === 'order.paid' && !alreadyPaid.has(e.body.order_id as string)) {
          alreadyPaid.add(e.body.order_id as string);
          firstPaid = 1;
        }
        return { event_id: e.event_id, type: e.type, stream: e.stream, ts: chTime(e.tsMs), received_at: receivedAt, first_paid: firstPaid, body: JSON.stringify(e.body) };
      });
      await this.opts.storage.write.insert({ table: `${db}.events`, values: rows, format: 'JSONEachRow' });
      this.stats.inserts++;
    }

    this.stats.commits++;
    this.stats.accepted += fresh.length;
    this.stats.duplicates += results.reduce((n, r) => n + r.duplicates, 0);
    this.stats.lastCommitAt = this.opts.clock.now();
    this.stats.lastDurationMs = this.stats.lastCommitAt - started;
    if (fresh.length > 0) {
      const maxTsByStream = new Map<string, number>();
      for (const e of fresh) maxTsByStream.set(e.stream, Math.max(maxTsByStream.get(e.stream) ?? 0, e.tsMs));
      try {
        this.opts.onCommit({
          streams: new Set(fresh.map((e) => e.stream)),
          types: new Set(fresh.map((e) => e.type)),
          accepted: fresh.length,
          maxTsByStream,
        });
      } catch (err) {
        // The rows are stored; a failing listener must not turn a durable write into an error.
        this.opts.logger.error({ err }, 'commit listener failed');
      }
    }
    return results;
  }
}

// Group commit: concurrent ingest requests are queued and written together, one INSERT per group, never one
// per request. A request's promise resolves only after the INSERT that holds its events returned (durable),
// so `200` means stored. Idempotency by event_id is decided here, in one place, on a single serialized
// writer: an id already stored, or earlier in the same group, is a duplicate (the first content stays).
import type { FastifyBaseLogger } from 'fastify';
import type { Storage } from '../plugins/clickhouse.ts';
import { RxpError } from '../errors.ts';
import type { Clock } from '../time.ts';
import type { ValidEvent } from './validate.ts';
import { WindowedIdFilter, fingerprint } from './id-filter.ts';

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
/** UTC days of event ids and of paid orders held in memory (older ones are checked in ClickHouse). */
const FILTER_DAYS = 3;

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
  private readonly eventIds = new WindowedIdFilter(FILTER_DAYS);
  private readonly paidOrders = new WindowedIdFilter(FILTER_DAYS);
  /** Set until the filters hold what is stored (at start, and again after an insert of unknown outcome). */
  private filtersReady: Promise<void> | null = null;
  readonly stats = { commits: 0, inserts: 0, accepted: 0, duplicates: 0, lookups: 0, lastCommitAt: 0, lastDurationMs: 0 };

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

  /** Loads the in-memory id filters from storage; ingest waits for it (called at start). */
  init(): Promise<void> {
    this.filtersReady ??= this.loadFilters().catch((err) => {
      this.filtersReady = null;
      throw err;
    });
    return this.filtersReady;
  }

  private async loadFilters(): Promise<void> {
    const { storage, clock } = this.opts;
    const from = this.eventIds.windowStart(clock.now()) * 86_400;
    this.eventIds.clear();
    this.paidOrders.clear();
    const ids = await storage.write.query({
      query: `SELECT id_fp, intDiv(toUnixTimestamp(ts), 86400) FROM ${storage.db}.events WHERE ts >= toDateTime({from:UInt32}, 'UTC')`,
      query_params: { from },
      format: 'TabSeparated',
    });
    for (const line of (await ids.text()).split('\n')) {
      const tab = line.indexOf('\t');
      if (tab > 0) this.eventIds.addFingerprint(Number(line.slice(0, tab)), Number(line.slice(tab + 1)));
    }
    const paid = await storage.write.query({
      query: `SELECT order_id, intDiv(toUnixTimestamp(ts), 86400) FROM ${storage.db}.order_events
              WHERE type = 'order.paid' AND first_paid = 1 AND ts >= toDateTime({from:UInt32}, 'UTC')`,
      query_params: { from },
      format: 'TabSeparated',
    });
    for (const line of (await paid.text()).split('\n')) {
      const tab = line.lastIndexOf('\t');
      if (tab > 0) this.paidOrders.addFingerprint(fingerprint(line.slice(0, tab)), Number(line.slice(tab + 1)));
    }
    this.opts.logger.info({ eventIds: this.eventIds.size, paidOrders: this.paidOrders.size }, 'ingest id filters loaded');
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
      this.stats.lookups++;
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
    await this.init();
    const started = this.opts.clock.now();
    const { db } = this.opts.storage;
    this.eventIds.prune(started);
    this.paidOrders.prune(started);

    // Which ids may already be stored: the filter answers "certainly new" for most; the rest are verified.
    const toVerify = new Set<string>();
    for (const p of group) {
      for (const e of p.events) {
        if (!this.eventIds.covers(e.tsMs, started) || this.eventIds.mayHave(e.event_id, e.tsMs)) toVerify.add(e.event_id);
      }
    }
    const known = toVerify.size ? await this.existing(`SELECT event_id FROM ${db}.events WHERE event_id IN {ids:Array(String)}`, [...toVerify]) : new Set<string>();

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
    const paidToVerify = new Set<string>();
    for (const e of fresh) {
      if (e.type !== 'order.paid') continue;
      const orderId = e.body.order_id as string;
      if (!this.paidOrders.covers(e.tsMs, started) || this.paidOrders.mayHaveAnyDay(orderId)) paidToVerify.add(orderId);
    }
    const alreadyPaid = paidToVerify.size
      ? await this.existing(`SELECT DISTINCT order_id FROM ${db}.order_events WHERE type = 'order.paid' AND order_id IN {ids:Array(String)}`, [...paidToVerify])
      : new Set<string>();

    if (fresh.length > 0) {
      const receivedAt = JSON.stringify(chTime(this.opts.clock.now()));
      const lines: string[] = new Array(fresh.length);
      const firstPaid = new Uint8Array(fresh.length);
      fresh.forEach((e, i) => {
        if (e.type === 'order.paid' && !alreadyPaid.has(e.body.order_id as string)) {
          alreadyPaid.add(e.body.order_id as string);
          firstPaid[i] = 1;
        }
        // `body` goes in as a JSON object read into a String column: serialized once, not escaped twice.
        lines[i] = `{"event_id":${JSON.stringify(e.event_id)},"type":"${e.type}","stream":"${e.stream}","ts":"${chTime(e.tsMs)}","received_at":${receivedAt},"first_paid":${firstPaid[i]},"id_fp":${fingerprint(e.event_id)},"body":${JSON.stringify(e.body)}}`;
      });
      try {
        await this.opts.storage.write.command({
          query: `INSERT INTO ${db}.events SETTINGS input_format_json_read_objects_as_strings = 1 FORMAT JSONEachRow\n${lines.join('\n')}`,
        });
      } catch (err) {
        // The outcome is unknown (over HTTP it may have been stored): rebuild the filters before trusting them.
        this.filtersReady = null;
        throw err;
      }
      this.stats.inserts++;
      fresh.forEach((e, i) => {
        this.eventIds.add(e.event_id, e.tsMs);
        if (firstPaid[i]) this.paidOrders.add(e.body.order_id as string, e.tsMs);
      });
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

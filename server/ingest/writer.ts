// Group commit: concurrent ingest requests are queued and written together, one INSERT per group, never one
// per request. A request's promise resolves only after the INSERT that holds its events returned (durable),
// so `200` means stored. Idempotency by event_id is decided here, in one place, on a single serialized
// writer: an id already stored, or earlier in the same group, is a duplicate (the first content stays).
//
// Poison isolation: a request that passed validation but that storage refuses (a data error, see
// storage-errors.ts) must never fail another one. A group refused that way is split in halves and each half
// written again (request order kept), down to the refused requests alone: those answer 400 with the event and
// the reason, every other request is written and acknowledged. Each attempt is a whole writeGroup (ids,
// first payments and the group id decided afresh from what is stored by then), and a refused INSERT stores
// nothing, so exactly-once and "the first order.paid counts" hold across a split. Storage down is not a
// refusal: everything in flight answers 503, nothing half-written.
import type { FastifyBaseLogger } from 'fastify';
import type { Storage } from '../plugins/clickhouse.ts';
import { RxpError } from '../errors.ts';
import type { Clock } from '../time.ts';
import { MAX_ERRORS, type EventError, type ValidEvent } from './validate.ts';
import { IdFilter, PRECISE, fingerprint, fingerprint2 } from './id-filter.ts';
import type { Projector } from './projector.ts';
import { refusalOf } from './storage-errors.ts';
import { chTime, type StoredEvent } from '../store/projections.ts';

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
  /** The commit group (see projector.ts). */
  group: number;
  /** The first payments of their orders (the ones sales counts): hot counters add them at once. */
  payments: { tsMs: number; paid_fen: number }[];
  /** The new events as stored, in request order (the rules engine evaluates them). */
  events: readonly StoredEvent[];
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
  /** Fans each durable commit group out to the typed tables. */
  projector: Projector;
  /** Upper bound of events in one INSERT. @default 50_000 */
  maxGroupEvents?: number;
  /** Events waiting beyond this answer 503 at once instead of queueing (overload). @default 200_000 */
  maxQueuedEvents?: number;
  /** Memory each id filter may take. @default 256 MiB */
  maxFilterBytes?: number;
}

/** Ids per lookup query: keeps an HTTP ClickHouse URL well under its size limit. */
const LOOKUP_CHUNK = 2_000;
/** Stored ids read per query when the filters load (keeps each answer a few tens of MB of text). */
const LOAD_PAGE = 2_000_000;
/** Memory the two id filters may take each, unless the options say otherwise. */
const FILTER_MAX_BYTES = 256 * 1024 * 1024;
/** Event times the writer can store: the id filters address days by UInt32 seconds, the rollups by DateTime
 *  (1970 … 2106). Validation is far narrower (2000 … 24 h ahead); this guards the writer itself. */
const TS_STORABLE_MAX = 4_294_967_295_999;

/** Adds the numbers of a text of decimal lines (a UInt32 column as TabSeparated), parsed in place: a
 *  split and Number() would cost 3× as much on millions of ids. */
function addDecimalLines(filter: IdFilter, text: string): void {
  let n = 0;
  let digits = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      if (digits > 0) filter.add(n);
      n = 0;
      digits = 0;
    } else {
      n = n * 10 + (c - 48);
      digits++;
    }
  }
  if (digits > 0) filter.add(n);
}

/** Why a validated event cannot be stored at all (checked at submit: the request alone answers 400). */
function unstorable(e: ValidEvent): { field: string; reason: string } | null {
  if (!Number.isInteger(e.tsMs) || e.tsMs < 0 || e.tsMs > TS_STORABLE_MAX) return { field: 'ts', reason: 'is outside what storage holds (1970 … 2106)' };
  return null;
}


export class IngestWriter {
  private readonly queue: Pending[] = [];
  private queuedEvents = 0;
  private running: Promise<void> | null = null;
  private closing = false;
  private readonly maxGroup: number;
  private readonly maxQueued: number;
  private readonly filterMaxBytes: number;
  /** Every event id stored, and every order whose first order.paid is stored (fingerprints, never forgotten). */
  private eventIds: IdFilter;
  private paidOrders: IdFilter;
  /** Set until the filters hold what is stored (at start, and again after an insert of unknown outcome). */
  private filtersReady: Promise<void> | null = null;
  /** `splits`: groups split because storage refused part of them; `refused`: requests answered 400 for it. */
  readonly stats = { commits: 0, inserts: 0, accepted: 0, duplicates: 0, lookups: 0, lastCommitAt: 0, lastDurationMs: 0, splits: 0, refused: 0 };
  /** The events of the INSERT being written, by row: a refusal naming a row names the event. */
  private inserting: readonly ValidEvent[] = [];

  constructor(private readonly opts: WriterOptions) {
    this.maxGroup = opts.maxGroupEvents ?? 50_000;
    this.maxQueued = opts.maxQueuedEvents ?? 200_000;
    const { storage } = opts;
    this.filterMaxBytes = opts.maxFilterBytes ?? FILTER_MAX_BYTES;
    this.eventIds = new IdFilter(this.filterMaxBytes);
    this.paidOrders = new IdFilter(this.filterMaxBytes, 0, PRECISE);
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
    const errors: EventError[] = [];
    events.forEach((e, index) => {
      const problem = unstorable(e);
      if (problem && errors.length < MAX_ERRORS) errors.push({ index, event_id: e.event_id, ...problem });
    });
    if (errors.length > 0) {
      this.stats.refused++;
      return Promise.reject(new RxpError('RXP_ERR_INGEST_INVALID', undefined, { errors }));
    }
    return new Promise<IngestResult>((resolve, reject) => {
      this.queue.push({ events, resolve, reject });
      this.queuedEvents += events.length;
      this.kick();
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
    // First finish any projection a stop interrupted: group ids continue above the last stored one.
    await this.opts.projector.recover();
    // Both read the `events` log, which is written synchronously (the typed tables lag by a projection), in
    // pages that split the rows by a hash, so no answer grows with the store.
    const { storage } = this.opts;
    const { db } = this.opts.storage;
    const stored = await this.count('1');
    const events = new IdFilter(this.filterMaxBytes, stored);
    for (let page = 0, pages = Math.max(1, Math.ceil(stored / LOAD_PAGE)); page < pages; page++) {
      const rs = await this.opts.storage.write.query({ query: `SELECT id_fp FROM ${db}.events WHERE id_fp % ${pages} = ${page}`, format: 'TabSeparated' });
      addDecimalLines(events, await rs.text());
    }
    const paidWhere = `type = 'order.paid' AND first_paid = 1`;
    const paidCount = await this.count(paidWhere);
    const paid = new IdFilter(this.filterMaxBytes, paidCount, PRECISE);
    for (let page = 0, pages = Math.max(1, Math.ceil(paidCount / LOAD_PAGE)); page < pages; page++) {
      // One JSON array a page: any character of an id comes back exact, parsed in one go.
      const rs = await this.opts.storage.write.query({
        query: `SELECT groupArray(JSONExtractString(body, 'order_id')) FROM ${db}.events WHERE ${paidWhere} AND id_fp % ${pages} = ${page}`,
        format: 'JSONCompactEachRow',
      });
      for (const [ids] of await rs.json<[string[]]>()) for (const id of ids) paid.add(fingerprint(id), fingerprint2(id));
    }
    this.eventIds = events;
    this.paidOrders = paid;
    this.opts.logger.info({ eventIds: events.size, paidOrders: paid.size, bytes: events.bytes + paid.bytes }, 'ingest id filters loaded');
  }

  private async count(where: string): Promise<number> {
    const rs = await this.opts.storage.write.query({ query: `SELECT count() FROM ${this.opts.storage.db}.events WHERE ${where}`, format: 'TabSeparated' });
    return Number((await rs.text()).trim());
  }

  /** Stops taking new events and waits until everything queued is written (graceful shutdown). */
  async close(): Promise<void> {
    this.closing = true;
    while (this.running) await this.running;
  }

  /** Starts the loop unless it runs. A caller woken by the loop's last resolve can enqueue before the
   *  loop's promise settles: the loop is then started again when it does. */
  private kick(): void {
    if (this.running) return;
    this.running = this.loop().finally(() => {
      this.running = null;
      if (this.queue.length > 0) this.kick();
    });
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
        await this.init();
      } catch (err) {
        this.fail(group, err);
        continue;
      }
      await this.commit(group);
    }
  }

  /** Writes a group and answers its requests; a group storage refuses is split until the refused requests
   *  are alone (see the top of this file). */
  private async commit(group: Pending[]): Promise<void> {
    let results: IngestResult[];
    try {
      results = await this.writeGroup(group);
    } catch (err) {
      const refusal = refusalOf(err);
      if (!refusal) return this.fail(group, err);
      if (group.length > 1) {
        this.stats.splits++;
        this.opts.logger.warn({ err, requests: group.length }, 'storage refused part of a commit group; splitting it');
        const half = Math.ceil(group.length / 2);
        await this.commit(group.slice(0, half));
        await this.commit(group.slice(half));
        return;
      }
      // One request, refused: it answers 400 naming the event (the INSERT's row) where the engine says.
      const [p] = group;
      const at = refusal.row !== undefined ? p.events.indexOf(this.inserting[refusal.row - 1]) : -1;
      const located = at >= 0 ? at : undefined;
      const field = located === undefined ? '' : refusal.key === 'ts' || refusal.key === 'event_id' || refusal.key === 'type' ? refusal.key : '';
      this.stats.refused++;
      this.opts.logger.warn({ err, events: p.events.length, index: located }, 'storage refused an ingest request; answered 400, nothing of it stored');
      p.reject(
        new RxpError('RXP_ERR_INGEST_INVALID', 'storage refused an event of this request; nothing of it was stored', {
          errors: [{ index: located ?? 0, event_id: located === undefined ? null : p.events[located].event_id, field, reason: `storage refused it: ${refusal.reason}` }],
        }),
      );
      return;
    } finally {
      this.inserting = [];
    }
    group.forEach((p, i) => p.resolve(results[i]));
  }

  /** Storage is down (or failed in a way that says nothing about the data): every request answers 503. */
  private fail(group: Pending[], err: unknown): void {
    this.opts.logger.error({ err }, 'ingest group commit failed; nothing from it was acknowledged');
    const mapped = err instanceof RxpError ? err : new RxpError('RXP_ERR_STORAGE_UNAVAILABLE', undefined, {}, 1);
    for (const p of group) p.reject(mapped);
  }

  /** Records ids (and first payments) as stored in the filters. */
  private remember(events: readonly ValidEvent[], firstPaid: Uint8Array): void {
    events.forEach((e, i) => {
      this.eventIds.add(fingerprint(e.event_id));
      if (firstPaid[i]) this.paidOrders.add(fingerprint(e.body.order_id as string), fingerprint2(e.body.order_id as string));
    });
  }

  private async groupStored(groupId: number): Promise<boolean> {
    try {
      const rs = await this.opts.storage.write.query({
        query: `SELECT count() AS n FROM ${this.opts.storage.db}.events WHERE group_id = {g:UInt64}`,
        query_params: { g: groupId },
        format: 'JSONEachRow',
      });
      const [row] = await rs.json<{ n: string }>();
      return Number(row?.n ?? 0) > 0;
    } catch {
      return false; // storage is down: the requests get 503 and their retries are deduplicated
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
    const started = this.opts.clock.now();
    const { db } = this.opts.storage;

    // Which ids may already be stored: the filter answers "certainly new" for most; the rest are verified.
    const toVerify = new Set<string>();
    for (const p of group) {
      for (const e of p.events) {
        if (this.eventIds.has(fingerprint(e.event_id))) toVerify.add(e.event_id);
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
      if (e.type === 'order.paid' && this.paidOrders.has(fingerprint(e.body.order_id as string), fingerprint2(e.body.order_id as string))) paidToVerify.add(e.body.order_id as string);
    }
    // Rare (a repeated order.paid, or a fingerprint clash): verify on the typed table once it has caught up.
    if (paidToVerify.size > 0) await this.opts.projector.barrier();
    const alreadyPaid = paidToVerify.size
      ? await this.existing(`SELECT DISTINCT order_id FROM ${db}.order_events WHERE type = 'order.paid' AND first_paid = 1 AND order_id IN {ids:Array(String)}`, [...paidToVerify])
      : new Set<string>();

    let groupId = 0;
    const payments: Commit['payments'] = [];
    let stored: StoredEvent[] = [];
    if (fresh.length > 0) {
      const receivedAt = JSON.stringify(chTime(this.opts.clock.now()));
      // Group ids grow with time and never repeat, also across restarts (the projector knows the last one).
      groupId = Math.max(this.opts.projector.lastGroupId + 1, this.opts.clock.now() * 1000);
      const lines: string[] = new Array(fresh.length);
      const firstPaid = new Uint8Array(fresh.length);
      fresh.forEach((e, i) => {
        if (e.type === 'order.paid' && !alreadyPaid.has(e.body.order_id as string)) {
          alreadyPaid.add(e.body.order_id as string);
          firstPaid[i] = 1;
        }
        // `body` goes in as a JSON object read into a String column: serialized once, not escaped twice.
        lines[i] = `{"event_id":${JSON.stringify(e.event_id)},"type":"${e.type}","stream":"${e.stream}","ts":"${chTime(e.tsMs)}","received_at":${receivedAt},"first_paid":${firstPaid[i]},"id_fp":${fingerprint(e.event_id)},"group_id":${groupId},"body":${JSON.stringify(e.body)}}`;
      });
      this.inserting = fresh;
      try {
        await this.opts.storage.write.command({
          query: `INSERT INTO ${db}.events SETTINGS input_format_json_read_objects_as_strings = 1 FORMAT JSONEachRow\n${lines.join('\n')}`,
        });
      } catch (err) {
        // Over HTTP an error does not prove the INSERT failed: if the group is there, it is durable. If it
        // cannot be told, the filters take the ids anyway: a "maybe" is verified, so a retry stays exact.
        this.remember(fresh, firstPaid);
        if (!(await this.groupStored(groupId))) throw err;
        this.opts.logger.warn({ err, groupId }, 'insert reported an error but the group is stored; acknowledging');
      }
      this.stats.inserts++;
      this.remember(fresh, firstPaid);
      fresh.forEach((e, i) => {
        if (firstPaid[i]) payments.push({ tsMs: e.tsMs, paid_fen: e.body.paid_fen as number });
      });
      stored = fresh.map((e, i) => ({ event_id: e.event_id, type: e.type, stream: e.stream, tsMs: e.tsMs, firstPaid: firstPaid[i] ? 1 : 0, body: e.body }));
      this.opts.projector.enqueue(groupId, stored);
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
          group: groupId,
          payments,
          events: stored,
        });
      } catch (err) {
        // The rows are stored; a failing listener must not turn a durable write into an error.
        this.opts.logger.error({ err }, 'commit listener failed');
      }
    }
    return results;
  }
}

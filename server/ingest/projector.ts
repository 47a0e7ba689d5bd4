// The projector: after a commit group is durable in the `events` log (and acknowledged), it fans the group
// out into the typed tables (and, through their materialized views, the rollups). Keeping this off the
// ingest INSERT makes an ingest one cheap INSERT instead of one per table (ClickHouse pays ~5 ms of fixed
// cost per table an INSERT touches). Groups that queue up meanwhile are projected together.
//
// Crash safety: before projecting groups a..b it records "pending a..b" in projection_state, and each
// table's INSERT carries the token `table:a-b`. After a crash, start-up replays exactly a..b (ClickHouse
// drops the blocks it already has, their views included), then projects any later groups from the log.
// Read-your-writes: `barrier()` resolves once everything committed before the call is projected.
//
// Dead letters: an acknowledged event must never stall the projection (CONTRACT "Bounds"). When storage
// refuses a table's rows (a data error, storage-errors.ts), that table's events of the cycle are sorted by
// (group, event_id) and bisected: each part is inserted with the token `table:a-b#i-j` (i..j: its place in
// that order), down to the single events storage refuses, which go to `dead_letters` with the reason (token
// `dead:a-b`); everything else is written and the projection moves on. The order and the parts depend only
// on the events of a..b, so a replay after a crash splits the same way and dedups part by part. An event that
// cannot be read or projected at all is dead-lettered likewise. Storage down is retried as before.
import type { FastifyBaseLogger } from 'fastify';
import { wellFormed } from '../../streams/common.ts';
import type { Storage } from '../plugins/clickhouse.ts';
import { project, projectEvent, type StoredEvent } from '../store/projections.ts';
import { refusalOf } from './storage-errors.ts';

interface Group {
  id: number;
  events: StoredEvent[];
  /** performance.now() when it was enqueued (the projection lag); replayed groups have none. */
  at?: number;
  /** Events of the log whose body could not be read: dead-lettered by the cycle. */
  unreadable?: DeadLetter[];
}

/** A row of `dead_letters` (`at` is set by the table). */
interface DeadLetter {
  event_id: string;
  type: string;
  group_id: number;
  table: string;
  reason: string;
  body: string;
}

/** How far the typed tables are behind the acknowledged events. */
export interface ProjectionLag {
  /** Commit groups acknowledged and not yet projected. */
  behind_groups: number;
  /** Age of the oldest of them, ms (0 when none). */
  lag_ms: number;
}

export interface ProjectorOptions {
  storage: Storage;
  logger: FastifyBaseLogger;
  /** Called after each cycle with its streams and event types (their metrics may have changed) and the
   *  highest group now projected. */
  onProjected: (streams: ReadonlySet<string>, to: number) => void;
  /** Upper bound of events per projection cycle. @default 100_000 */
  maxCycleEvents?: number;
  /** Pause after a cycle while more is queued: leaves the engine to ingest INSERTs (ClickHouse pays a fixed
   *  cost per INSERT, so fewer, larger projection cycles are cheaper) at the price of that much lag. @default 40 ms */
  cycleGapMs?: number;
}

export class Projector {
  private readonly queue: Group[] = [];
  /** The groups of the cycle being written (the projection lag counts them). */
  private inCycle: Group[] = [];
  private running: Promise<void> | null = null;
  private enqueuedTo = 0;
  private doneTo = 0;
  private waiters: { to: number; resolve: () => void }[] = [];
  private failures = 0;
  /** Cycles and exclusive() sections run one at a time, in call order. */
  private lock: Promise<unknown> = Promise.resolve();
  /** `deadLetters`: rows in `dead_letters` (counted from the table at start and after each cycle that added some). */
  readonly stats = { cycles: 0, events: 0, lastCycleMs: 0, lagGroups: 0, deadLetters: 0 };

  constructor(private readonly opts: ProjectorOptions) {}

  /** Highest group id known to be stored (new group ids must be above it). */
  get lastGroupId(): number {
    return Math.max(this.enqueuedTo, this.doneTo);
  }

  enqueue(id: number, events: StoredEvent[]): void {
    this.queue.push({ id, events, at: performance.now() });
    this.enqueuedTo = Math.max(this.enqueuedTo, id);
    this.kick();
  }

  /** Resolves when every group enqueued before this call is projected. */
  barrier(): Promise<void> {
    const to = this.enqueuedTo;
    if (this.doneTo >= to) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ to, resolve }));
  }

  /** Resolves once commit group `id` (and every group before it) is in the typed tables. */
  reached(id: number): Promise<void> {
    if (this.doneTo >= id) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ to: id, resolve }));
  }

  /** How far behind the acknowledged events the typed tables are now. */
  lag(): ProjectionLag {
    if (this.doneTo >= this.enqueuedTo) return { behind_groups: 0, lag_ms: 0 };
    const behind = [...this.inCycle, ...this.queue].filter((g) => g.id > this.doneTo);
    const oldest = behind.reduce((min, g) => Math.min(min, g.at ?? Infinity), Infinity);
    return { behind_groups: behind.length, lag_ms: Number.isFinite(oldest) ? Math.round(performance.now() - oldest) : 0 };
  }

  /** Runs `fn` between two cycles: while it runs, what ClickHouse holds is exactly the groups ≤ the
   *  projected high-water mark (hot counters seed and reconcile here). */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.lock.then(fn);
    this.lock = run.catch(() => undefined);
    return run;
  }

  /** Waits until the queue is empty (shutdown). */
  async close(): Promise<void> {
    while (this.running) await this.running;
  }

  /** At start: replays an interrupted cycle, then projects groups stored but never projected. */
  async recover(): Promise<void> {
    const { storage } = this.opts;
    const rs = await storage.write.query({
      query: `SELECT done_to, pending_from, pending_to FROM ${storage.db}.projection_state FINAL WHERE id = 1`,
      format: 'JSONEachRow',
    });
    const [state] = await rs.json<{ done_to: string; pending_from: string; pending_to: string }>();
    const pendingFrom = Number(state?.pending_from ?? 0);
    const pendingTo = Number(state?.pending_to ?? 0);
    this.doneTo = Number(state?.done_to ?? 0);
    if (pendingTo > 0) await this.cycle(pendingFrom, pendingTo, await this.load(pendingFrom, pendingTo));
    const rest = await this.load(Math.max(this.doneTo, pendingTo) + 1, Number.MAX_SAFE_INTEGER);
    if (rest.length > 0) {
      const ids = rest.map((g) => g.id);
      this.opts.logger.warn({ groups: ids.length }, 'projecting commit groups left unprojected by a stop');
      await this.cycle(Math.min(...ids), Math.max(...ids), rest);
    }
    this.enqueuedTo = this.doneTo;
    await this.countDeadLetters();
  }

  private async countDeadLetters(): Promise<void> {
    const { storage } = this.opts;
    const rs = await storage.project.query({ query: `SELECT count() AS n FROM ${storage.db}.dead_letters`, format: 'JSONEachRow' });
    const [row] = await rs.json<{ n: string }>();
    this.stats.deadLetters = Number(row?.n ?? 0);
  }

  private async load(from: number, to: number): Promise<Group[]> {
    const { storage } = this.opts;
    const rs = await storage.write.query({
      query: `SELECT event_id, type, stream, toUnixTimestamp64Milli(ts) AS ts, first_paid, group_id, body FROM ${storage.db}.events
              WHERE group_id >= {from:UInt64} AND group_id <= {to:UInt64} ORDER BY group_id`,
      query_params: { from, to: Math.min(to, Number.MAX_SAFE_INTEGER) },
      format: 'JSONEachRow',
    });
    const groups = new Map<number, Group>();
    for (const r of await rs.json<{ event_id: string; type: string; stream: string; ts: string; first_paid: number; group_id: string; body: string }>()) {
      const id = Number(r.group_id);
      let g = groups.get(id);
      if (!g) groups.set(id, (g = { id, events: [] }));
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(r.body);
        if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new Error('body is not a JSON object');
      } catch (err) {
        const reason = `the stored body cannot be read: ${(err as Error).message}`;
        (g.unreadable ??= []).push({ ...deadLetter({ event_id: r.event_id, type: r.type, stream: r.stream, tsMs: 0, firstPaid: 0, body: {} }, id, '', reason), body: wellFormed(r.body) });
        continue;
      }
      g.events.push({ event_id: r.event_id, type: r.type, stream: r.stream, tsMs: Number(r.ts), firstPaid: r.first_paid ? 1 : 0, body });
    }
    return [...groups.values()];
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
    const max = this.opts.maxCycleEvents ?? 100_000;
    while (this.queue.length > 0) {
      const groups: Group[] = [];
      let size = 0;
      while (this.queue.length > 0 && (groups.length === 0 || size + this.queue[0].events.length <= max)) {
        const g = this.queue.shift()!;
        groups.push(g);
        size += g.events.length;
      }
      this.inCycle = groups;
      try {
        await this.exclusive(() => this.cycle(groups[0].id, groups[groups.length - 1].id, groups));
        this.failures = 0;
        this.inCycle = [];
        if (this.queue.length > 0) await new Promise((r) => setTimeout(r, this.opts.cycleGapMs ?? 40));
      } catch (err) {
        // The events are durable in the log; retry the same range (same tokens) until storage is back. A row
        // storage refuses does not come here (it is dead-lettered): this is storage being unavailable.
        this.failures++;
        this.opts.logger.error({ err, failures: this.failures }, 'projection failed; retrying');
        this.inCycle = [];
        this.queue.unshift(...groups);
        await new Promise((r) => setTimeout(r, Math.min(5_000, 100 * 2 ** Math.min(this.failures, 6))));
      }
    }
  }

  private async insert(table: string, token: string, lines: readonly string[]): Promise<void> {
    const { storage } = this.opts;
    await storage.project.command({
      query: `INSERT INTO ${storage.db}.${table} SETTINGS insert_deduplication_token = '${token}', deduplicate_blocks_in_dependent_materialized_views = 1 FORMAT JSONEachRow\n${lines.join('\n')}`,
    });
  }

  private async cycle(from: number, to: number, groups: Group[]): Promise<void> {
    const started = performance.now();
    const { storage } = this.opts;
    const events = groups.flatMap((g) => g.events);
    await storage.project.command({
      query: `INSERT INTO ${storage.db}.projection_state FORMAT JSONEachRow ${JSON.stringify({ id: 1, done_to: this.doneTo, pending_from: from, pending_to: to, version: Date.now() * 1000 + (this.stats.cycles % 1000) })}`,
    });
    const dead: DeadLetter[] = groups.flatMap((g) => g.unreadable ?? []);
    const unprojectable = new Set<StoredEvent>();
    let groupOf: Map<StoredEvent, number> | undefined; // built only when an event cannot be projected
    const tables = project(events, (e, err) => {
      groupOf ??= new Map(groups.flatMap((g) => g.events.map((x) => [x, g.id] as const)));
      unprojectable.add(e);
      dead.push(deadLetter(e, groupOf.get(e) ?? 0, '', `cannot be projected: ${(err as Error)?.message ?? String(err)}`));
    });
    for (const [table, lines] of tables) {
      try {
        await this.insert(table, `${table}:${from}-${to}`, lines);
      } catch (err) {
        if (!refusalOf(err)) throw err;
        this.opts.logger.warn({ err, table, from, to }, 'storage refused projected rows; isolating them');
        const parts = groups
          .flatMap((g) => g.events.filter((e) => !unprojectable.has(e)).map((e) => ({ group: g.id, e, lines: linesFor(e, table) })))
          .filter((p) => p.lines.length > 0)
          .sort((a, b) => a.group - b.group || (a.e.event_id < b.e.event_id ? -1 : a.e.event_id > b.e.event_id ? 1 : 0));
        await this.isolate(table, `${table}:${from}-${to}`, parts, 0, parts.length, dead);
      }
    }
    if (dead.length > 0) {
      this.opts.logger.error({ from, to, deadLetters: dead.length, events: dead.slice(0, 10).map((d) => d.event_id) }, 'projection: rows dead-lettered');
      await this.insert('dead_letters', `dead:${from}-${to}`, dead.map((d) => JSON.stringify(d)));
      await this.countDeadLetters();
    }
    this.doneTo = Math.max(this.doneTo, to);
    this.stats.cycles++;
    this.stats.events += events.length;
    this.stats.lastCycleMs = Math.round(performance.now() - started);
    this.stats.lagGroups = this.queue.length;
    this.waiters = this.waiters.filter((w) => (w.to <= this.doneTo ? (w.resolve(), false) : true));
    this.opts.onProjected(new Set(events.flatMap((e) => [e.stream, e.type])), this.doneTo);
  }

  /** Writes parts[lo..hi) of a table, halving what storage refuses; single refused events become dead letters. */
  private async isolate(table: string, token: string, parts: Part[], lo: number, hi: number, dead: DeadLetter[]): Promise<void> {
    if (lo >= hi) return;
    try {
      await this.insert(table, `${token}#${lo}-${hi}`, parts.slice(lo, hi).flatMap((p) => p.lines));
      return;
    } catch (err) {
      const refusal = refusalOf(err);
      if (!refusal) throw err;
      if (hi - lo === 1) {
        dead.push(deadLetter(parts[lo].e, parts[lo].group, table, refusal.reason));
        return;
      }
    }
    const mid = lo + Math.ceil((hi - lo) / 2);
    await this.isolate(table, token, parts, lo, mid, dead);
    await this.isolate(table, token, parts, mid, hi, dead);
  }
}

interface Part {
  group: number;
  e: StoredEvent;
  lines: string[];
}

function linesFor(e: StoredEvent, table: string): string[] {
  const lines: string[] = [];
  projectEvent(e, (t, line) => {
    if (t === table) lines.push(line);
  });
  return lines;
}

/** A dead letter storage always takes: strings made well-formed, the body as JSON text (whose escapes are
 *  plain characters once stored). */
function deadLetter(e: StoredEvent, group: number, table: string, reason: string): DeadLetter {
  return { event_id: wellFormed(e.event_id), type: wellFormed(e.type), group_id: group, table, reason: wellFormed(reason).slice(0, 1_000), body: JSON.stringify(e.body) ?? '' };
}

// The projector: after a commit group is durable in the `events` log (and acknowledged), it fans the group
// out into the typed tables (and, through their materialized views, the rollups). Keeping this off the
// ingest INSERT makes an ingest one cheap INSERT instead of one per table (ClickHouse pays ~5 ms of fixed
// cost per table an INSERT touches). Groups that queue up meanwhile are projected together.
//
// Crash safety: before projecting groups a..b it records "pending a..b" in projection_state, and each
// table's INSERT carries the token `table:a-b`. After a crash, start-up replays exactly a..b (ClickHouse
// drops the blocks it already has, their views included), then projects any later groups from the log.
// Read-your-writes: `barrier()` resolves once everything committed before the call is projected.
import type { FastifyBaseLogger } from 'fastify';
import type { Storage } from '../plugins/clickhouse.ts';
import { project, type StoredEvent } from '../store/projections.ts';

interface Group {
  id: number;
  events: StoredEvent[];
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
  private running: Promise<void> | null = null;
  private enqueuedTo = 0;
  private doneTo = 0;
  private waiters: { to: number; resolve: () => void }[] = [];
  private failures = 0;
  /** Cycles and exclusive() sections run one at a time, in call order. */
  private lock: Promise<unknown> = Promise.resolve();
  readonly stats = { cycles: 0, events: 0, lastCycleMs: 0, lagGroups: 0 };

  constructor(private readonly opts: ProjectorOptions) {}

  /** Highest group id known to be stored (new group ids must be above it). */
  get lastGroupId(): number {
    return Math.max(this.enqueuedTo, this.doneTo);
  }

  enqueue(id: number, events: StoredEvent[]): void {
    this.queue.push({ id, events });
    this.enqueuedTo = Math.max(this.enqueuedTo, id);
    this.kick();
  }

  /** Resolves when every group enqueued before this call is projected. */
  barrier(): Promise<void> {
    const to = this.enqueuedTo;
    if (this.doneTo >= to) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ to, resolve }));
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
  }

  private async load(from: number, to: number): Promise<Group[]> {
    const { storage } = this.opts;
    const rs = await storage.write.query({
      query: `SELECT event_id, type, stream, toUnixTimestamp64Milli(ts) AS ts, first_paid, group_id, body FROM ${storage.db}.events
              WHERE group_id >= {from:UInt64} AND group_id <= {to:UInt64} ORDER BY group_id`,
      query_params: { from, to: Math.min(to, Number.MAX_SAFE_INTEGER) },
      format: 'JSONEachRow',
    });
    const groups = new Map<number, StoredEvent[]>();
    for (const r of await rs.json<{ event_id: string; type: string; stream: string; ts: string; first_paid: number; group_id: string; body: string }>()) {
      const id = Number(r.group_id);
      let list = groups.get(id);
      if (!list) groups.set(id, (list = []));
      list.push({ event_id: r.event_id, type: r.type, stream: r.stream, tsMs: Number(r.ts), firstPaid: r.first_paid ? 1 : 0, body: JSON.parse(r.body) });
    }
    return [...groups].map(([id, events]) => ({ id, events }));
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
      try {
        await this.exclusive(() => this.cycle(groups[0].id, groups[groups.length - 1].id, groups));
        this.failures = 0;
        if (this.queue.length > 0) await new Promise((r) => setTimeout(r, this.opts.cycleGapMs ?? 40));
      } catch (err) {
        // The events are durable in the log; retry the same range (same tokens) until storage is back.
        this.failures++;
        this.opts.logger.error({ err, failures: this.failures }, 'projection failed; retrying');
        this.queue.unshift(...groups);
        await new Promise((r) => setTimeout(r, Math.min(5_000, 100 * 2 ** Math.min(this.failures, 6))));
      }
    }
  }

  private async cycle(from: number, to: number, groups: Group[]): Promise<void> {
    const started = performance.now();
    const { storage } = this.opts;
    const events = groups.flatMap((g) => g.events);
    await storage.project.command({
      query: `INSERT INTO ${storage.db}.projection_state FORMAT JSONEachRow ${JSON.stringify({ id: 1, done_to: this.doneTo, pending_from: from, pending_to: to, version: Date.now() * 1000 + (this.stats.cycles % 1000) })}`,
    });
    for (const [table, lines] of project(events)) {
      const body = lines.join('\n');
      await storage.project.command({
        query: `INSERT INTO ${storage.db}.${table} SETTINGS insert_deduplication_token = '${table}:${from}-${to}', deduplicate_blocks_in_dependent_materialized_views = 1 FORMAT JSONEachRow\n${body}`,
      });
    }
    this.doneTo = Math.max(this.doneTo, to);
    this.stats.cycles++;
    this.stats.events += events.length;
    this.stats.lastCycleMs = Math.round(performance.now() - started);
    this.stats.lagGroups = this.queue.length;
    this.waiters = this.waiters.filter((w) => (w.to <= this.doneTo ? (w.resolve(), false) : true));
    this.opts.onProjected(new Set(events.flatMap((e) => [e.stream, e.type])), this.doneTo);
  }
}

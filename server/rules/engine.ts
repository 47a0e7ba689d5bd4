// The rules engine: every durable commit group goes through the stream rules in commit order, off the ingest
// path (a queue drained on the next turn of the event loop, so an acknowledgement never waits for a rule);
// a one-second timer fires deadlines; daily rules run at start, at rollover and after changes.
//
// The rules' clock is event time: the newest event ts seen, moved on by the wall clock while no event comes.
// A catch-up of hours of events (the demo's, or a backfill) is judged on the events' own times, not against
// "now" (a prescription issued at 00:01 and reviewed at 00:05 is not late because it is replayed at 07:00),
// and a deadline still passes when the stream goes quiet.
//
// Restart: every few seconds the engine writes its state (the rules' maps) and the last group it has fully
// evaluated, after writing the alerts raised up to there. At start it loads that checkpoint and replays the
// groups after it from the `events` log; open alerts are loaded first, so a replayed hit only adds evidence
// it already has: nothing is lost and nothing fires twice.
import type { FastifyBaseLogger } from 'fastify';
import { toInt, type Storage } from '../plugins/clickhouse.ts';
import type { MetricContext } from '../metrics/metric.ts';
import { rows } from '../metrics/query.ts';
import type { StoredEvent } from '../store/projections.ts';
import { businessDate, type Clock } from '../time.ts';
import type { AlertStore } from './alerts.ts';
import type { ConfiguredRule } from './index.ts';
import type { RefCache } from './reference.ts';
import { stateFromJson, stateToJson, type DailyRule, type Hit, type StreamContext, type StreamRule } from './rule.ts';

export interface EngineOptions {
  storage: Storage;
  clock: Clock;
  tz: string;
  logger: FastifyBaseLogger;
  rules: readonly ConfiguredRule[];
  alerts: AlertStore;
  ref: RefCache;
  /** For the daily rules' queries (with the projector barrier: they read typed tables). */
  metricCtx: MetricContext;
  /** @default 5000 */
  checkpointMs?: number;
  /** Resolves once commit group `group` is in the typed tables (the projector's `reached`). */
  projected(group: number): Promise<void>;
  /** How far behind the rules' clock the stream rules see events, so that events arriving out of order by up
   *  to this much are judged in event-time order all the same (RXPULSE_RULES_LATENESS_S). @default 0 */
  latenessMs?: number;
}

/** Per rule, for /api/v1/health. */
export interface RuleStats {
  /** Events given to the rule (of its types). */
  events: number;
  /** Hits it reported (each opens an alert or adds evidence to one). */
  alerts: number;
  /** Throws of its code: the event (or tick) is skipped by that rule, the others go on. */
  errors: number;
  /** History lookups (settle) that failed and were retried. */
  lookup_retries: number;
  /** The last commit group judged. */
  last_group: number;
}

interface StreamEntry {
  c: ConfiguredRule;
  rule: StreamRule<never, unknown>;
  ctx: StreamContext;
}

interface Group {
  group: number;
  events: readonly StoredEvent[];
  /** When the group was received (replay: from the log), for the rules' clock. @default now */
  receivedMs?: number;
}

/** Events waiting for the rules' clock (out-of-order arrivals) beyond this are released at once, oldest first. */
const MAX_BUFFERED = 200_000;
/** Backoff of a failing history lookup: doubling from the first to the last, then every last, until it works. */
const RETRY_FIRST_MS = 100;
const RETRY_MAX_MS = 5_000;

/** Event-time order, ties by event_id: the order every stream rule sees, however the events arrived. */
const byTime = (a: StoredEvent, b: StoredEvent): number => a.tsMs - b.tsMs || (a.event_id < b.event_id ? -1 : a.event_id > b.event_id ? 1 : 0);

/** Events fetched per replay query (a commit group holds at most 50,000). */
const REPLAY_PAGE = 100_000;
/** An event stamped further than this ahead of the wall clock does not move the rules' clock. */
const MAX_AHEAD_MS = 86_400_000;

export class RulesEngine {
  private readonly stream: StreamEntry[];
  private readonly daily: { c: ConfiguredRule; rule: DailyRule; dirty: boolean; lastRun: number; day: string; running: boolean }[];
  private readonly byType = new Map<string, StreamEntry[]>();
  private readonly states = new Map<string, unknown>();
  private queue: Group[] = [];
  private draining: Promise<void> | null = null;
  private replaying: Promise<void> = Promise.resolve();
  private throughGroup = 0;
  private checkpointed = -1;
  private watermark = 0;
  private wallAtWatermark = 0;
  private timer: NodeJS.Timeout | undefined;
  private checkpointTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** The replay of the log was cut short by a stop: the groups queued after it are not evaluated (the next
   *  start replays them from the log, after the checkpoint). */
  private replayCut = false;
  private readonly dailyRuns = new Set<Promise<void>>();
  /** Reference reloads and checkpoints running (stop() waits for them). */
  private readonly chores = new Set<Promise<unknown>>();
  private checkpointing: Promise<void> | null = null;
  /** A step is between its first event and its last settle: the state is not a checkpoint then. */
  private inStep = false;
  /** Events of the rules' types not yet given to them (event time after the released clock), sorted. */
  private buffer: StoredEvent[] = [];
  /** A step was cut (stop during a retry): the rules' state holds part of a step, so it is never checkpointed
   *  again; the next start replays from the last good checkpoint. */
  private unclean = false;
  private readonly latenessMs: number;
  readonly stats = { events: 0, hits: 0, steps: 0, lastStepMs: 0, busyMs: 0, checkpoints: 0, replayed: 0, dailyRuns: 0, errors: 0, lookupRetries: 0, buffered: 0 };
  readonly perRule = new Map<string, RuleStats>();

  constructor(private readonly o: EngineOptions) {
    this.latenessMs = o.latenessMs ?? 0;
    for (const c of o.rules) if (c.enabled) this.perRule.set(c.rule.id, { events: 0, alerts: 0, errors: 0, lookup_retries: 0, last_group: 0 });
    this.stream = o.rules
      .filter((c) => c.enabled && c.rule.kind === 'stream')
      .map((c) => ({ c, rule: c.rule as unknown as StreamRule<never, unknown>, ctx: { ref: o.ref, now: 0, tz: o.tz, fire: this.fireFor(c) } }));
    this.daily = o.rules
      .filter((c) => c.enabled && c.rule.kind === 'daily')
      .map((c) => ({ c, rule: c.rule as DailyRule, dirty: true, lastRun: Number.NEGATIVE_INFINITY, day: '', running: false }));
    for (const s of this.stream) {
      this.states.set(s.rule.id, s.rule.init());
      for (const t of s.rule.types) this.byType.set(t, [...(this.byType.get(t) ?? []), s]);
    }
  }

  /** The rules' clock (see the file comment). */
  now(): number {
    const wall = this.o.clock.now();
    return this.watermark === 0 ? wall : this.watermark + Math.max(0, wall - this.wallAtWatermark);
  }

  private fireFor(c: ConfiguredRule): (hit: Hit) => void {
    const stats = this.perRule.get(c.rule.id);
    return (hit) => {
      this.stats.hits++;
      if (stats) stats.alerts++;
      this.o.alerts.fire(c.rule.id, c.rule.severity, hit);
    };
  }

  /** Loads reference data, open alerts and the checkpoint; replays the log after it (in the background). */
  async start(): Promise<void> {
    await this.o.ref.loadAll();
    await this.o.alerts.load();
    const [cp] = await rows<{ through_group: string; body: string }>(
      { storage: this.o.storage },
      `SELECT through_group, body FROM ${this.o.storage.db}.rule_state FINAL WHERE id = 1`,
    );
    if (cp) {
      const saved = stateFromJson(cp.body) as { states: Record<string, unknown>; watermark: number; wallAtWatermark: number; buffer?: StoredEvent[] };
      for (const [id, st] of Object.entries(saved.states)) if (this.states.has(id)) this.states.set(id, st);
      this.watermark = saved.watermark;
      this.wallAtWatermark = saved.wallAtWatermark;
      this.buffer = saved.buffer ?? [];
      this.throughGroup = toInt(cp.through_group);
      this.checkpointed = this.throughGroup;
    } else {
      // First start with rules on an existing log: judge the last two days, not all history.
      this.throughGroup = Math.max(0, (this.o.clock.now() - 2 * 86_400_000) * 1000);
    }
    this.replaying = this.replay().catch((err) => {
      this.stats.errors++;
      this.o.logger.error({ err }, 'rules: replay of the log failed');
    });
    this.timer = setInterval(() => this.onTimer(), 1_000);
    this.timer.unref();
    this.checkpointTimer = setInterval(() => void this.chore(this.checkpoint()).catch((err) => this.o.logger.warn({ err }, 'rules: checkpoint failed')), this.o.checkpointMs ?? 5_000);
    this.checkpointTimer.unref();
  }

  private async replay(): Promise<void> {
    let after = this.throughGroup;
    for (;;) {
      if (this.stopped) return this.cutReplay();
      const list = await rows<{ event_id: string; type: string; stream: string; ms: string; first_paid: number; group_id: string; body: string; recv: string }>(
        { storage: this.o.storage },
        `SELECT event_id, type, stream, toUnixTimestamp64Milli(ts) AS ms, first_paid, group_id, body, toUnixTimestamp64Milli(received_at) AS recv
         FROM ${this.o.storage.db}.events WHERE group_id > {after:UInt64} ORDER BY group_id, ts LIMIT {page:UInt32}`,
        { after, page: REPLAY_PAGE },
      );
      if (list.length === 0) return;
      const full = list.length === REPLAY_PAGE;
      const last = toInt(list[list.length - 1].group_id);
      const groups = new Map<number, StoredEvent[]>();
      const received = new Map<number, number>();
      for (const r of list) {
        const g = toInt(r.group_id);
        if (full && g === last) break; // a group may continue on the next page: take it whole then
        const events = groups.get(g) ?? [];
        received.set(g, toInt(r.recv));
        events.push({ event_id: r.event_id, type: r.type, stream: r.stream, tsMs: toInt(r.ms), firstPaid: r.first_paid ? 1 : 0, body: JSON.parse(r.body) as Record<string, unknown> });
        groups.set(g, events);
      }
      for (const [group, events] of groups) {
        // A stop does not wait for a long catch-up: what is replayed so far is checkpointed, the rest next start.
        if (this.stopped) return this.cutReplay();
        await this.step([{ group, events, receivedMs: received.get(group) }]);
        this.stats.replayed += events.length;
      }
      if (!full) return;
      after = Math.max(...groups.keys());
    }
  }

  private cutReplay(): void {
    this.replayCut = true;
    this.o.logger.info({ throughGroup: this.throughGroup }, 'rules: replay of the log stopped; the next start goes on from the checkpoint');
  }

  /** A durable commit group (writer onCommit): evaluated soon, in order. */
  enqueue(group: number, events: readonly StoredEvent[]): void {
    if (this.stopped || events.length === 0) return;
    this.queue.push({ group, events });
    this.draining ??= this.drain();
  }

  private async drain(): Promise<void> {
    await this.replaying;
    await new Promise((r) => setImmediate(r));
    // After a replay cut short, the groups it did not reach come before these: evaluating these would move the
    // checkpoint past them. They are in the log: the next start replays them all, in order.
    if (this.replayCut) this.queue = [];
    while (this.queue.length > 0) {
      const groups = this.queue;
      this.queue = [];
      try {
        await this.step(groups.filter((g) => g.group > this.throughGroup));
      } catch (err) {
        // Only a stop ends a step early (every other failure is retried inside it): the groups not judged
        // are in the log, and the next start replays them from the last checkpoint.
        this.o.logger.warn({ err }, 'rules: step cut by the stop; the next start replays it');
        this.queue = [];
        break;
      }
    }
    this.draining = null;
  }

  /** Resolves when everything enqueued so far is evaluated and its alerts written. */
  async idle(): Promise<void> {
    await this.replaying;
    while (this.draining) await this.draining;
    await Promise.allSettled(this.dailyRuns);
    await this.o.alerts.flush();
  }

  private async step(groups: Group[]): Promise<void> {
    if (groups.length === 0) return;
    this.inStep = true;
    try {
      await this.evaluate(groups);
    } catch (err) {
      this.unclean = true;
      throw err;
    } finally {
      this.inStep = false;
    }
  }

  private async evaluate(groups: Group[]): Promise<void> {
    const started = performance.now();
    const through = Math.max(this.throughGroup, ...groups.map((g) => g.group));
    let added = false;
    for (const { events, receivedMs } of groups) {
      const wall = receivedMs ?? this.o.clock.now();
      for (const e of events) {
        if (e.tsMs > this.watermark && e.tsMs < wall + MAX_AHEAD_MS) {
          this.watermark = e.tsMs;
          this.wallAtWatermark = wall;
        }
        if (!this.byType.has(e.type)) continue;
        this.buffer.push(e);
        added = true;
      }
    }
    if (added) this.buffer.sort(byTime);
    this.release(this.releasedClock());
    await this.settleAll(through);
    this.throughGroup = through;
    for (const st of this.perRule.values()) st.last_group = through;
    for (const d of this.daily) if (groups.some((g) => g.events.some((e) => d.rule.triggers.includes(e.stream) || d.rule.triggers.includes(e.type)))) d.dirty = true;
    this.stats.steps++;
    this.stats.lastStepMs = performance.now() - started;
    this.stats.busyMs += this.stats.lastStepMs;
    this.o.alerts.scheduleFlush();
  }

  /**
   * Gives the rules every buffered event up to event time `to` (in event-time order), then their deadlines at
   * `to`. An event that arrives after the released clock passed its time (later than the lateness allows) is
   * given at once: judged late, in arrival order.
   */
  private release(to: number): void {
    let n = 0;
    const overflow = this.buffer.length - MAX_BUFFERED;
    while (n < this.buffer.length && (this.buffer[n].tsMs <= to || n < overflow)) {
      const e = this.buffer[n++];
      this.stats.events++;
      for (const s of this.byType.get(e.type)!) {
        const st = this.perRule.get(s.rule.id)!;
        st.events++;
        try {
          s.rule.onEvent(this.states.get(s.rule.id) as never, e, this.contextAt(s, e.tsMs), s.c.params as never);
        } catch (err) {
          // One event a rule cannot read never stops the others (nor that rule's next event).
          st.errors++;
          this.stats.errors++;
          this.o.logger.error({ err, rule: s.rule.id, event_id: e.event_id }, 'rules: a rule failed on an event; skipped by that rule');
        }
      }
    }
    if (n > 0) this.buffer = this.buffer.slice(n);
    this.stats.buffered = this.buffer.length;
    this.tick(to);
  }

  /** The released clock: the rules' clock less the lateness. */
  private releasedClock(): number {
    return this.now() - this.latenessMs;
  }

  /** A rule's context at event time `at` (its deadlines: the released clock). */
  private contextAt(s: StreamEntry, at: number): StreamContext {
    s.ctx.now = at;
    return s.ctx;
  }

  /** The rules' history lookups for the step, each retried with backoff until it works (or the engine stops). */
  private async settleAll(through: number): Promise<void> {
    const history = { storage: this.o.storage, projected: () => this.o.projected(through) };
    for (const s of this.stream) {
      if (!s.rule.settle) continue;
      const st = this.perRule.get(s.rule.id)!;
      for (let wait = RETRY_FIRST_MS; ; wait = Math.min(RETRY_MAX_MS, wait * 2)) {
        if (this.stopped) throw new Error('rules engine stopped during a history lookup');
        try {
          await s.rule.settle(this.states.get(s.rule.id) as never, this.contextAt(s, this.releasedClock()), s.c.params as never, history);
          break;
        } catch (err) {
          st.lookup_retries++;
          this.stats.lookupRetries++;
          this.o.logger.warn({ err, rule: s.rule.id, retryInMs: wait }, 'rules: history lookup failed; the step waits and retries');
          await new Promise((r) => setTimeout(r, wait));
        }
      }
    }
  }

  /** Deadlines of the stream rules at event time `at`. */
  private tick(at: number): void {
    for (const s of this.stream) {
      if (!s.rule.tick) continue;
      try {
        s.rule.tick(this.states.get(s.rule.id) as never, this.contextAt(s, at), s.c.params as never);
      } catch (err) {
        const st = this.perRule.get(s.rule.id)!;
        st.errors++;
        this.stats.errors++;
        this.o.logger.error({ err, rule: s.rule.id }, 'rules: a rule failed on its timer');
      }
    }
  }

  private onTimer(): void {
    if (this.stopped) return;
    if (!this.draining && !this.inStep) {
      this.release(this.releasedClock());
      this.o.alerts.scheduleFlush();
    }
    const today = businessDate(this.o.clock.now(), this.o.tz);
    // Rate limits run on the monotonic clock: the business clock may be pinned (tests) or jump.
    const mono = performance.now();
    for (const d of this.daily) {
      if (d.running) continue;
      if (d.day !== today) d.dirty = true; // start, and the business day's rollover
      if (!d.dirty || mono - d.lastRun < d.rule.minIntervalMs) continue;
      d.dirty = false;
      d.running = true;
      d.lastRun = mono;
      d.day = today;
      const run = this.runDaily(d).finally(() => {
        d.running = false;
        this.dailyRuns.delete(run);
      });
      this.dailyRuns.add(run);
    }
  }

  private async runDaily(d: { c: ConfiguredRule; rule: DailyRule }): Promise<void> {
    try {
      await this.o.metricCtx.barrier?.();
      const hits = await d.rule.evaluate(this.o.metricCtx, d.c.params as never);
      const fire = this.fireFor(d.c);
      for (const h of hits) fire(h);
      this.stats.dailyRuns++;
      this.o.alerts.scheduleFlush();
    } catch (err) {
      this.stats.errors++;
      this.o.logger.warn({ err, rule: d.rule.id }, 'rules: daily rule failed');
    }
  }

  /** Runs the daily rules now (start-up and tests); resolves when their alerts are written. */
  async runDailyNow(): Promise<void> {
    for (const d of this.daily) {
      d.day = businessDate(this.o.clock.now(), this.o.tz);
      d.dirty = false;
      d.lastRun = performance.now();
      await this.runDaily(d);
    }
    await this.o.alerts.flush();
  }

  /** Reference data of `kind` changed: reload it, let the stream rules re-check, wake the daily ones. */
  onReference(kind: string): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return this.chore(this.reloadReference(kind));
  }

  private async reloadReference(kind: string): Promise<void> {
    try {
      await this.o.ref.load(kind);
    } catch (err) {
      this.o.logger.warn({ err, kind }, 'rules: reference reload failed');
      return;
    }
    await this.draining;
    for (const s of this.stream) if (s.rule.onReference) s.rule.onReference(this.states.get(s.rule.id) as never, kind, this.contextAt(s, this.releasedClock()), s.c.params as never);
    for (const d of this.daily) if (d.rule.triggers.includes(`ref.${kind}`)) d.dirty = true;
    this.o.alerts.scheduleFlush();
  }

  /** Writes the alerts raised so far, then the state and the last group it covers (one at a time: a stop's last
   *  checkpoint waits for the timer's). */
  async checkpoint(): Promise<void> {
    while (this.checkpointing) await this.checkpointing.catch(() => undefined);
    const run = (this.checkpointing = this.writeCheckpoint());
    try {
      await run;
    } finally {
      if (this.checkpointing === run) this.checkpointing = null;
    }
  }

  private async writeCheckpoint(): Promise<void> {
    if (this.unclean || this.inStep || this.throughGroup === this.checkpointed) return;
    // Taken synchronously between steps: the state (with the events still waiting for the released clock)
    // covers exactly the groups up to `through`.
    const through = this.throughGroup;
    const body = stateToJson({ states: Object.fromEntries(this.states), watermark: this.watermark, wallAtWatermark: this.wallAtWatermark, buffer: this.buffer });
    await this.o.alerts.flush();
    await this.o.storage.write.insert({
      table: `${this.o.storage.db}.rule_state`,
      format: 'JSONEachRow',
      values: [{ id: 1, through_group: through, body, version: through }],
    });
    this.checkpointed = through;
    this.stats.checkpoints++;
  }

  private chore<T>(p: Promise<T>): Promise<T> {
    this.chores.add(p);
    const done = () => this.chores.delete(p);
    p.then(done, done);
    return p;
  }

  /** At a stop (after the writer's last commit): nothing new starts; the replay stops between two groups;
   *  what was enqueued is evaluated, daily runs and reference reloads finish, and the last checkpoint is
   *  written with the alerts, before storage closes. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    clearInterval(this.checkpointTimer);
    await this.replaying;
    while (this.draining) await this.draining;
    while (this.dailyRuns.size > 0 || this.chores.size > 0) await Promise.allSettled([...this.dailyRuns, ...this.chores]);
    await this.checkpoint().catch((err) => this.o.logger.warn({ err }, 'rules: last checkpoint failed'));
    this.o.alerts.close();
  }
}

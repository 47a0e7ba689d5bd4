// The push hub: a subscription is (metric id, params). Each distinct subscription is computed once per
// update and sent to every socket that holds it (a socket.io room per subscription), so one screen or
// thousands cost the same ClickHouse queries. Projected events mark only the metrics of their streams or event types dirty;
// a short coalescing window folds bursts into one recomputation.
//
// Bounded (THREATS): a socket's requests go through its SocketGuard (guard.ts: schemas, rate, subscription
// cap, replies under the backlog rule); a value computed at a client's request (a new subscription) takes
// one of COLD_COMPUTES slots, so a flood of new subscriptions waits there instead of in front of the walls'
// updates; recomputations take turns per socket (fairOrder), and subscriptions that are no socket's first
// 16 run at most once a second on a resting worker, so a socket holding dozens cannot push a wall back; a
// subscription of a closed past day is computed once, and again only when events dated on or before that day
// arrive (markLate); a subscription nobody holds is dropped at once, and its computation in flight discarded.
import type { FastifyBaseLogger } from 'fastify';
import type { Server, Socket } from 'socket.io';
import type { SnapshotCache } from '../cluster/snapshots.ts';
import { RxpError } from '../errors.ts';
import type { MetricContext, MetricDef } from '../metrics/metric.ts';
import { checkParams, evaluate, metricDef, subscriptionKey } from '../metrics/run.ts';
import { businessDate, dayRange, msToNextMinute } from '../time.ts';
import { diffValue } from './delta.ts';
import { backlogOf, MAX_BACKLOG, SOCKET_LIMITS, SocketGuard, type SocketLimits } from './guard.ts';
import { fanOutHeartbeat, HEARTBEAT_EVENT, type HubBeat } from './heartbeat.ts';
import { Lane } from './lanes.ts';
import { HEARTBEAT_MS, type ClientToServerEvents, type MetricMessage, type MetricValueMessage, type ServerToClientEvents } from './protocol.ts';

export { MAX_BACKLOG, replyError, SOCKET_LIMITS, type SocketLimits } from './guard.ts';

type IoServer = Server<ClientToServerEvents, ServerToClientEvents>;
type IoSocket = Socket<ClientToServerEvents, ServerToClientEvents>;

/** Computations asked for by clients (a subscription's first value) running at once; more wait. @default 2 */
export const COLD_COMPUTES = 2;
/** Of those, waiting for a slot: past it a subscribe is refused with RXP_ERR_SOCKET_RATE (retry later). */
export const COLD_WAITING = 256;
/** Recomputations running at once per lane (lanes.ts): hot counters (memory) and queries. Queries run one at
 *  a time per chDB connection anyway: two keep it busy, and a wall's next query waits behind one at most. */
export const LANE_WORKERS = { hot: 2, query: 2 } as const;
/** A dirty subscription waiting longer than this is served first by one worker (nothing starves). @default 2_000 ms */
export const AGING_MS = 2_000;
/**
 * A socket's first PRIME_PER_SOCKET subscriptions (in the order it took them; a screen shows about 10) are
 * recomputed at every change. One that no socket holds among its first ones (a socket holding dozens of
 * distinct subscriptions) is recomputed at most every SLOW_INTERVAL_MS, by one worker that rests as long as
 * it worked: such a socket cannot take the engine from the walls.
 */
export const PRIME_PER_SOCKET = 16;
/** @default 1_000 ms */
export const SLOW_INTERVAL_MS = 1_000;

/**
 * Metrics whose value for a past day still moves with events dated later (the day's prescriptions followed
 * to their decisions, the day's boxes scanned out afterwards): their subscriptions never close.
 * (Candidates for a field of the metric declaration.)
 */
export const OPEN_DAY_METRICS: ReadonlySet<string> = new Set(['rx.funnel', 'trace.coverage']);

interface Subscription {
  readonly key: string;
  readonly room: string;
  readonly def: MetricDef;
  /** Params as subscribed: a missing `date` means "today" and follows the clock. */
  readonly raw: Record<string, unknown>;
  params: Record<string, unknown>;
  seq: number;
  value: unknown;
  json: string | undefined;
  asOf: number;
  dirty: boolean;
  failing: boolean;
  /** Why the last computation failed, when the failure has a code of its own (a value past 2^53 − 1). */
  failure?: RxpError;
  computing: Promise<void> | null;
  /** End of the subscribed `date` (epoch ms) when it is given and the metric's day can close; else null. */
  readonly closesAt: number | null;
  /** Its day is over: only events dated on or before it (markLate) or a non-event source recompute it. */
  closed: boolean;
  /** performance.now() when its last computation started. */
  lastRun: number;
  /** performance.now() when its last computation succeeded (its value was current then). */
  doneAt: number;
  /** Its next computation must first wait for the projection of what was acknowledged (see refresh). */
  waitProjection: boolean;
}

export interface HubOptions {
  io: IoServer;
  ctx: MetricContext;
  logger: FastifyBaseLogger;
  /** Bursts of commits within this window cause one recomputation. @default 20 ms */
  coalesceMs?: number;
  /**
   * In a fleet (the leader's hub): the snapshot cache every instance reads, written (fenced by the leader's
   * token) before each update goes out, and read to continue a subscription's seq after a leader change.
   * Subscriptions are then kept by `retain` (the fleet's registry of rooms), not by this server's rooms.
   */
  fleet?: { snapshots: SnapshotCache; token(): string | null };
  /** What one socket may do (guard.ts). @default SOCKET_LIMITS */
  limits?: Partial<SocketLimits>;
  /** May display `display` read subscription `key`? (A display token's socket; none given: never.) */
  displayScope?: (display: string, key: string) => boolean;
}

/** A subscription the fleet wants: metric id and params as subscribed. */
export interface WantedSubscription {
  metric: string;
  params: Record<string, unknown>;
}

export class PushHub {
  private readonly subs = new Map<string, Subscription>();
  private flushTimer: NodeJS.Timeout | null = null;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private stopped = false;
  private minuteTimer: NodeJS.Timeout | null = null;
  private readonly coalesceMs: number;
  /** Dirty subscriptions waiting for their recomputation: hot counters and queries apart (lanes.ts). */
  private readonly lanes: { hot: Lane<Subscription>; query: Lane<Subscription>; slow: Lane<Subscription> };
  private slowTimer: NodeJS.Timeout | null = null;
  private readonly cold = new Slots(COLD_COMPUTES, COLD_WAITING);
  readonly limits: Readonly<SocketLimits>;
  /** The metric context without the projection barrier (see refresh). */
  private readonly ctxNoWait: MetricContext;
  /** Counted for tests and health: computations must not grow with the number of sockets. */
  readonly stats = {
    computations: 0,
    updates: 0,
    failures: 0,
    /** Values past 2^53 − 1 held back (server/health.ts reports them). */
    overflows: 0,
    /** Computations whose subscription was dropped meanwhile: their result was not sent. */
    discarded: 0,
    /** Socket messages refused: over the rate, malformed; values refused to a connection with a backlog;
     *  sockets closed by their limits (guard.ts). */
    refusedRate: 0,
    badRequests: 0,
    refusedBacklog: 0,
    disconnects: 0,
    /** Distinct heartbeat payloads at the last heartbeat (one per distinct set of subscriptions). */
    heartbeatPayloads: 0,
  };

  constructor(private readonly opts: HubOptions) {
    this.coalesceMs = opts.coalesceMs ?? 20;
    this.limits = Object.freeze({ ...SOCKET_LIMITS, ...opts.limits });
    this.ctxNoWait = { ...opts.ctx, barrier: undefined };
    // Due when its turn comes: still dirty, not computing already, and still subscribed (else dropped).
    const ready = (sub: Subscription) => !this.stopped && sub.dirty && !sub.computing && this.subs.get(sub.key) === sub;
    const run = (sub: Subscription) => this.refresh(sub);
    this.lanes = {
      hot: new Lane(LANE_WORKERS.hot, AGING_MS, ready, run),
      query: new Lane(LANE_WORKERS.query, AGING_MS, ready, run),
      slow: new Lane(1, Infinity, ready, run, 1),
    };
    // A room empties when its last socket leaves or disconnects: drop the subscription with it. (In a fleet
    // the rooms of other instances count too: see retain.)
    if (!opts.fleet) {
      opts.io.of('/').adapter.on('delete-room', (room: string) => {
        if (room.startsWith('m:')) this.subs.delete(room.slice(2));
      });
    }
  }

  get subscriptionCount(): number {
    return this.subs.size;
  }

  /** Connected sockets (every transport). */
  get socketCount(): number {
    return this.opts.io.engine.clientsCount;
  }

  start(): void {
    this.heartbeatTimer = setInterval(() => this.heartbeat(), HEARTBEAT_MS).unref();
    this.scheduleMinuteTick();
  }

  /** Stops the timers and waits for computations in flight: storage closes after this, not under a query. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of [this.flushTimer, this.minuteTimer, this.slowTimer]) if (t) clearTimeout(t);
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.flushTimer = this.minuteTimer = this.heartbeatTimer = this.slowTimer = null;
    await Promise.allSettled([...this.subs.values()].map((s) => s.computing));
  }

  /** Wires one socket's protocol handlers, each behind the socket's guard (schema, rate, limits). */
  attach(socket: IoSocket): SocketGuard {
    const guard = new SocketGuard(socket, this.limits, this.opts.logger, this.stats);
    guard.on('metric:subscribe', ({ metric, params }) => this.subscribe(socket, guard, metric, params));
    guard.on('metric:snapshot', ({ key }) => {
      const sub = this.subs.get(key);
      if (!sub || !socket.rooms.has(sub.room)) throw new RxpError('RXP_ERR_NOT_FOUND', 'not subscribed');
      return this.snapshotOf(sub);
    });
    guard.on('metric:unsubscribe', ({ key }) => {
      const room = `m:${key}`;
      if (socket.rooms.has(room)) void socket.leave(room);
    });
    return guard;
  }

  /** Joins the socket to the subscription's room (within its cap) and answers its snapshot. */
  private subscribe(socket: IoSocket, guard: SocketGuard, metric: string, rawParams: unknown): Promise<MetricValueMessage> {
    const id = identify(metric, rawParams);
    const room = `m:${id.key}`;
    if (!socket.connected) throw new RxpError('RXP_ERR_NOT_FOUND', 'socket closed');
    const display = (socket.data as { display?: string } | undefined)?.display;
    if (display && !this.opts.displayScope?.(display, id.key)) throw new RxpError('RXP_ERR_AUTH_FORBIDDEN', 'a display reads only what its screens show');
    if (!socket.rooms.has(room) && guard.subscriptions >= this.limits.maxSubscriptions) {
      throw new RxpError('RXP_ERR_SOCKET_LIMIT', `a socket may hold ${this.limits.maxSubscriptions} subscriptions: unsubscribe one first`);
    }
    // Created and joined in one synchronous step: a subscription never exists without its room, and the
    // room's emptying (delete-room) always drops it.
    const sub = this.ensureLocal(id);
    void socket.join(room);
    return this.snapshotOf(sub);
  }

  /** The snapshot of a subscription held by a socket of another instance (fleet): kept until `retain` drops it. */
  async snapshotFor(metric: unknown, rawParams: unknown): Promise<MetricValueMessage> {
    return this.snapshotOf(await this.ensure(metric, rawParams));
  }

  /**
   * The fleet's wanted subscriptions (every instance's rooms): the missing ones are created, the ones no
   * instance holds any more are dropped.
   */
  async retain(wanted: ReadonlyMap<string, WantedSubscription>): Promise<void> {
    for (const [key, w] of wanted) {
      if (this.subs.has(key)) continue;
      try {
        const sub = await this.ensure(w.metric, w.params);
        if (sub.key !== key) this.opts.logger.warn({ key, as: sub.key }, 'fleet subscription key differs from its params');
        this.scheduleFlush();
      } catch (err) {
        this.opts.logger.warn({ err, key }, 'fleet subscription refused');
      }
    }
    for (const key of this.subs.keys()) if (!wanted.has(key)) this.subs.delete(key);
  }

  /** The subscription of (metric, params), created if new. */
  private ensureLocal({ def, raw, key }: Identified): Subscription {
    let sub = this.subs.get(key);
    if (!sub) {
      const { tz, clock } = this.opts.ctx;
      const closesAt = typeof raw.date === 'string' && !OPEN_DAY_METRICS.has(def.id) ? dayRange(raw.date, tz).toMs : null;
      const closed = closesAt !== null && clock.now() >= closesAt;
      sub = { key, room: `m:${key}`, def, raw, params: raw, seq: 0, value: undefined, json: undefined, asOf: 0, dirty: true, failing: false, computing: null, closesAt, closed, lastRun: -Infinity, doneAt: -Infinity, waitProjection: true };
      this.subs.set(key, sub);
    }
    return sub;
  }

  /** Whether a subscription's day is over. When it has just ended, the subscription is computed one last
   *  time (that run waits for everything committed before it: see evaluate's barrier). */
  private closedNow(sub: Subscription, now: number): boolean {
    if (sub.closed) return true;
    if (sub.closesAt === null || now < sub.closesAt) return false;
    sub.closed = true;
    sub.dirty = true;
    sub.waitProjection = true; // everything committed before the day ended
    this.scheduleFlush();
    return true;
  }

  /**
   * In a fleet, a new subscription continues where the last leader stopped: same seq, and the next change is
   * seq + 1 (sent whole: the params it was computed with are not cached, so no patch is made against it).
   */
  private async ensure(metric: unknown, rawParams: unknown): Promise<Subscription> {
    const fleet = this.opts.fleet;
    const id = identify(metric, rawParams);
    if (!fleet || this.subs.has(id.key)) return this.ensureLocal(id);
    const cached = await fleet.snapshots.get(id.key).catch(() => null);
    const fresh = !this.subs.has(id.key);
    const sub = this.ensureLocal(id);
    if (fresh && cached) Object.assign(sub, { seq: cached.seq, json: cached.json, value: JSON.parse(cached.json), asOf: cached.asOf, params: {} });
    return sub;
  }

  /** Marks dirty the subscriptions whose metric reads one of `streams`, then flushes soon. Called once a
   *  projection made new events visible; `streams` holds event streams (`order`, `rx`…) and event types
   *  (`order.paid`…) of the projected events, or reference kinds
   *  (`ref.skus`…). `hotOnly`: at a durable commit, before projection: only metrics kept by hot counters.
   *  `openOnly`: leave subscriptions of closed days alone (for marks by events, which markLate dates). */
  markDirty(streams: ReadonlySet<string>, opts: { hotOnly?: boolean; openOnly?: boolean } = {}): void {
    let any = false;
    const now = this.opts.ctx.clock.now();
    for (const sub of this.subs.values()) {
      if (opts.hotOnly && !sub.def.hot) continue;
      if (opts.openOnly && this.closedNow(sub, now)) continue;
      if (sub.def.streams.some((s) => streams.has(s))) {
        sub.dirty = true;
        any = true;
      }
    }
    if (any) this.scheduleFlush();
  }

  /**
   * Late events for closed days: marks dirty the subscriptions of a closed day whose metric reads the stream
   * or type of an event dated before that day's end. Called at each durable commit with its events (the
   * computation waits for their projection); today's subscriptions are left to markDirty.
   */
  markLate(events: Iterable<{ stream: string; type: string; tsMs: number }>): void {
    const now = this.opts.ctx.clock.now();
    const closed: Subscription[] = [];
    for (const sub of this.subs.values()) if (sub.closesAt !== null && this.closedNow(sub, now)) closed.push(sub);
    if (closed.length === 0) return;
    const earliest = new Map<string, number>();
    for (const e of events) {
      if (!(e.tsMs >= (earliest.get(e.stream) ?? Infinity))) earliest.set(e.stream, e.tsMs);
      if (!(e.tsMs >= (earliest.get(e.type) ?? Infinity))) earliest.set(e.type, e.tsMs);
    }
    let any = false;
    for (const sub of closed) {
      if (sub.def.streams.some((s) => (earliest.get(s) ?? Infinity) < sub.closesAt!)) {
        sub.dirty = true;
        sub.waitProjection = true; // the late events are durable, not yet projected
        any = true;
      }
    }
    if (any) this.scheduleFlush();
  }

  /**
   * A subscription's current value with its seq. A value not computed yet is computed in one of the cold
   * slots; a known value is answered as it is, even while a recomputation is due (its update follows with
   * the next seq), so requests never cause computations of their own.
   */
  private async snapshotOf(sub: Subscription): Promise<MetricValueMessage> {
    // A subscription dropped while it waited for its slot (its socket left) is not computed at all.
    if (sub.json === undefined) await (sub.computing ?? this.cold.run(() => (sub.json === undefined && this.subs.get(sub.key) === sub ? this.refresh(sub, true) : undefined)));
    if (sub.json === undefined) throw sub.failure ?? new RxpError('RXP_ERR_STORAGE_UNAVAILABLE', 'metric could not be computed', {}, 1);
    return this.message(sub, 'snapshot');
  }

  private message(sub: Subscription, type: MetricValueMessage['type']): MetricValueMessage {
    return { type, key: sub.key, metric: sub.def.id, params: sub.params, seq: sub.seq, as_of: new Date(sub.asOf).toISOString(), value: sub.value };
  }

  private scheduleFlush(): void {
    if (this.stopped) return;
    this.flushTimer ??= setTimeout(() => {
      this.flushTimer = null;
      if (!this.stopped) this.flush();
    }, this.coalesceMs);
  }

  /**
   * Queues the dirty subscriptions in a fair order (queue). Hot-counter metrics have their own lane: they
   * need no query and no projection, so they never wait behind one that does. Subscriptions that are no
   * socket's prime ones go to the slow lane, once per SLOW_INTERVAL_MS.
   */
  private flush(): void {
    const due: Record<'hot' | 'query' | 'slow', Subscription[]> = { hot: [], query: [], slow: [] };
    const now = performance.now();
    let wakeAt = Infinity;
    for (const sub of this.subs.values()) {
      if (!sub.dirty || sub.computing) continue;
      if (sub.def.hot) due.hot.push(sub);
      else if (this.isPrime(sub)) due.query.push(sub);
      else if (sub.lastRun + SLOW_INTERVAL_MS <= now) due.slow.push(sub);
      else wakeAt = Math.min(wakeAt, sub.lastRun + SLOW_INTERVAL_MS);
    }
    this.lanes.hot.refill(this.fairOrder(due.hot));
    this.lanes.query.refill(this.fairOrder(due.query));
    this.lanes.slow.refill(due.slow);
    if (wakeAt < Infinity && !this.slowTimer && !this.stopped) {
      this.slowTimer = setTimeout(() => {
        this.slowTimer = null;
        if (!this.stopped) this.flush();
      }, wakeAt - now + 1);
    }
  }

  /**
   * A fair share per socket: a subscription held by one socket ranks by how many of that socket's due ones
   * were computed less recently (0 for its stalest); one shared by several sockets ranks 0 (it serves them
   * all). Rank 0 of every socket goes first, then rank 1, and so on, least recently computed first within a
   * rank: a socket with 16 subscriptions gets one computation per round like a wall with one, and its own
   * take turns.
   */
  private fairOrder(due: Subscription[]): Subscription[] {
    if (due.length < 2) return due;
    const ns = this.opts.io.of('/');
    const rank = new Map<Subscription, number>();
    const bySocket = new Map<string, Subscription[]>();
    for (const sub of due) {
      const ids = ns.adapter.rooms.get(sub.room);
      if (ids?.size !== 1) rank.set(sub, 0);
      else {
        const [id] = ids;
        const list = bySocket.get(id);
        if (list) list.push(sub);
        else bySocket.set(id, [sub]);
      }
    }
    for (const list of bySocket.values()) list.sort((a, b) => a.lastRun - b.lastRun).forEach((sub, i) => rank.set(sub, i));
    return due.sort((a, b) => rank.get(a)! - rank.get(b)! || a.lastRun - b.lastRun);
  }

  /** Whether some socket holding the subscription has it among its first PRIME_PER_SOCKET (in a fleet, where
   *  the leader does not see other instances' sockets, a subscription without a local socket is prime). */
  private isPrime(sub: Subscription): boolean {
    const ns = this.opts.io.of('/');
    const ids = ns.adapter.rooms.get(sub.room);
    if (!ids || ids.size === 0) return true;
    for (const id of ids) {
      const socket = ns.sockets.get(id);
      if (!socket) return true;
      let n = 0;
      for (const room of socket.rooms) {
        if (room === sub.room) return true;
        if (room.startsWith('m:') && ++n >= PRIME_PER_SOCKET) break;
      }
    }
    return false;
  }

  /** Computes a subscription once; a commit arriving meanwhile causes exactly one more run after it. */
  private refresh(sub: Subscription, wait = false): Promise<void> {
    if (sub.computing) return sub.computing;
    // Read-your-writes (evaluate waits for the projection of everything acknowledged before it) where it
    // matters: a first value, a closed day's late events. A recomputation after a projection (markDirty) reads
    // what is projected at once: waiting there would only hold a worker while newer commits arrive, and
    // their own projection marks the subscription again.
    const ctx = wait || sub.waitProjection ? this.opts.ctx : this.ctxNoWait;
    sub.waitProjection = false;
    sub.dirty = false;
    sub.lastRun = performance.now();
    sub.computing = (async () => {
      try {
        const result = await evaluate(sub.def, sub.raw, ctx);
        this.stats.computations++;
        // Dropped while it computed (its last socket left): nobody to send it to.
        if (this.subs.get(sub.key) !== sub) {
          this.stats.discarded++;
          return;
        }
        const json = JSON.stringify(result.value);
        sub.asOf = result.asOf;
        sub.doneAt = performance.now();
        sub.failing = false;
        sub.failure = undefined;
        if (json !== sub.json) {
          // In a fleet the cache gets the value first (a client repairing a gap reads it on any instance);
          // a leader fenced out (its lease passed to another) changes and sends nothing.
          const fleet = this.opts.fleet;
          if (fleet && !(await fleet.snapshots.put(sub.key, { seq: sub.seq + 1, asOf: result.asOf, json }, fleet.token() ?? '').catch(() => false))) {
            throw new RxpError('RXP_ERR_FLEET_UNAVAILABLE', 'not the leader, or Redis unreachable: update not sent');
          }
          const before = sub.value;
          const sameParams = JSON.stringify(result.params) === JSON.stringify(sub.params);
          sub.json = json;
          sub.value = result.value;
          sub.params = result.params;
          sub.seq++;
          this.stats.updates++;
          if (sub.seq > 1) {
            const patch = sameParams ? diffValue(before, result.value) : null;
            const head = { key: sub.key, metric: sub.def.id, params: sub.params, seq: sub.seq, as_of: new Date(sub.asOf).toISOString() };
            const msg: MetricMessage = patch ? { type: 'delta', ...head, patch } : { type: 'update', ...head, value: sub.value };
            // A socket with a backlog skips this update (bounded memory per slow client); it sees the gap in
            // seq, or the heartbeat's seq, and asks for a snapshot.
            this.opts.io.to(sub.room).except(this.laggards(sub.room)).emit('metric:update', msg);
          }
        }
      } catch (err) {
        sub.failing = true;
        sub.failure = err instanceof RxpError && err.code === 'RXP_ERR_UNSAFE_INTEGER' ? err : undefined;
        this.stats.failures++;
        // A value past 2^53 − 1 is never sent rounded (toInt refuses it): counted for /api/v1/health.
        if (err instanceof RxpError && err.code === 'RXP_ERR_UNSAFE_INTEGER') this.stats.overflows++;
        this.opts.logger.warn({ err, metric: sub.def.id }, 'metric computation failed');
      } finally {
        sub.computing = null;
        if (sub.dirty && this.subs.get(sub.key) === sub) this.scheduleFlush();
      }
    })();
    return sub.computing;
  }

  /** Sockets (of a room, or all) whose connection still queues more than MAX_BACKLOG packets: a stalled or
   *  slow client. socket.io's `volatile` would be the stock tool, but it drops a message whenever the
   *  previous one is still being written, i.e. also the second of two updates sent at once to a healthy
   *  screen. The backlog is engine.io's per-connection write buffer. */
  private laggards(room: string): string[] {
    const ns = this.opts.io.of('/');
    const slow: string[] = [];
    for (const id of ns.adapter.rooms.get(room) ?? []) if (backlogOf(ns.sockets.get(id)) > MAX_BACKLOG) slow.push(id);
    return slow;
  }

  /** Each socket gets the seqs of its own subscriptions (heartbeat.ts); in a fleet the other instances get
   *  the whole view and do the same for their sockets (server/plugins/io.ts). */
  private heartbeat(): void {
    try {
      this.beat();
    } catch (err) {
      this.opts.logger.warn({ err }, 'heartbeat failed');
    }
  }

  private beat(): void {
    const beat: HubBeat = { as_of: new Date(this.opts.ctx.clock.now()).toISOString(), seqs: {}, pending: [] };
    const now = performance.now();
    for (const s of this.subs.values()) {
      beat.seqs[s.key] = s.seq;
      // Not confirmed: a failing computation, or a value due for recomputation that was last computed more
      // than a heartbeat ago. A value recomputed within the last heartbeat and due again (a busy stream marks
      // a slow metric dirty faster than it computes) is current to within a heartbeat: confirmed, so a wall
      // shows "data delayed" only when data really is late.
      if (s.failing || ((s.dirty || s.computing) && now - s.doneAt > HEARTBEAT_MS)) beat.pending.push(s.key);
    }
    if (this.opts.fleet) this.opts.io.serverSideEmit(HEARTBEAT_EVENT, beat);
    this.stats.heartbeatPayloads = fanOutHeartbeat(this.opts.io, beat);
  }

  /** At each minute: series "to the current minute" grow, and at midnight "today" becomes a new date. */
  private scheduleMinuteTick(): void {
    const { clock, tz } = this.opts.ctx;
    this.minuteTimer = setTimeout(() => {
      const now = clock.now();
      const today = businessDate(now, tz);
      for (const sub of this.subs.values()) {
        if (this.closedNow(sub, now)) continue; // a past day's value does not move with the clock
        const rollsOver = sub.raw.date === undefined && sub.params.date !== undefined && sub.params.date !== today;
        if (sub.def.tick === 'minute' || rollsOver) sub.dirty = true;
      }
      this.scheduleFlush();
      this.scheduleMinuteTick();
    }, msToNextMinute(clock.now()) + 5).unref();
  }
}

export interface Identified {
  def: MetricDef;
  raw: Record<string, unknown>;
  key: string;
}

/** A subscription's declaration, checked params and key (errors for an unknown metric or a bad param). */
export function identify(metric: unknown, rawParams: unknown): Identified {
  const def = metricDef(String(metric));
  const raw = checkParams(def, rawParams ?? {});
  return { def, raw, key: subscriptionKey(def.id, raw) };
}

/** A bounded pool of slots for computations: `limit` run at once, `maxWaiting` wait, more are refused. */
class Slots {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly limit: number,
    private readonly maxWaiting: number,
  ) {}

  async run<T>(fn: () => Promise<T> | T): Promise<T> {
    if (this.active >= this.limit) {
      if (this.waiting.length >= this.maxWaiting) throw new RxpError('RXP_ERR_SOCKET_RATE', 'too many computations waiting: retry later', {}, 1);
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.active++;
    }
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      if (next) next(); // the slot passes to the next one
      else this.active--;
    }
  }
}

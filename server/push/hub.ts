// The push hub: a subscription is (metric id, params). Each distinct subscription is computed once per
// update and sent to every socket that holds it (a socket.io room per subscription), so one screen or
// thousands cost the same ClickHouse queries. Projected events mark only the metrics of their streams or event types dirty;
// a short coalescing window folds bursts into one recomputation.
import type { FastifyBaseLogger } from 'fastify';
import type { Server, Socket } from 'socket.io';
import type { SnapshotCache } from '../cluster/snapshots.ts';
import { RxpError } from '../errors.ts';
import type { MetricContext, MetricDef } from '../metrics/metric.ts';
import { checkParams, evaluate, metricDef, subscriptionKey } from '../metrics/run.ts';
import { businessDate, msToNextMinute } from '../time.ts';
import { diffValue } from './delta.ts';
import { HEARTBEAT_MS, type ClientToServerEvents, type MetricMessage, type MetricValueMessage, type ServerToClientEvents } from './protocol.ts';

type IoServer = Server<ClientToServerEvents, ServerToClientEvents>;

/** Packets a connection may have queued (not yet taken by its transport) and still get updates. */
export const MAX_BACKLOG = 8;
type IoSocket = Socket<ClientToServerEvents, ServerToClientEvents>;

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
  computing: Promise<void> | null;
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
  /** Counted for tests and health: computations must not grow with the number of sockets. */
  readonly stats = { computations: 0, updates: 0, failures: 0 };

  constructor(private readonly opts: HubOptions) {
    this.coalesceMs = opts.coalesceMs ?? 20;
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
    for (const t of [this.flushTimer, this.minuteTimer]) if (t) clearTimeout(t);
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.flushTimer = this.minuteTimer = this.heartbeatTimer = null;
    await Promise.allSettled([...this.subs.values()].map((s) => s.computing));
  }

  /** Wires one socket's protocol handlers. */
  attach(socket: IoSocket): void {
    socket.on('metric:subscribe', (req, ack) => {
      if (typeof ack !== 'function') return;
      this.subscribe(socket, req?.metric, req?.params).then(ack, (err) => ack(replyError(err)));
    });
    socket.on('metric:snapshot', (req, ack) => {
      if (typeof ack !== 'function') return;
      const sub = this.subs.get(String(req?.key));
      if (!sub || !socket.rooms.has(sub.room)) return ack(replyError(new RxpError('RXP_ERR_NOT_FOUND', 'not subscribed')));
      this.snapshotOf(sub).then(ack, (err) => ack(replyError(err)));
    });
    socket.on('metric:unsubscribe', (req) => {
      const sub = this.subs.get(String(req?.key));
      if (sub) void socket.leave(sub.room);
    });
  }

  async subscribe(socket: IoSocket, metric: unknown, rawParams: unknown): Promise<MetricValueMessage> {
    const sub = this.ensureLocal(identify(metric, rawParams));
    await socket.join(sub.room);
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
      sub = { key, room: `m:${key}`, def, raw, params: raw, seq: 0, value: undefined, json: undefined, asOf: 0, dirty: true, failing: false, computing: null };
      this.subs.set(key, sub);
    }
    return sub;
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
   *  (`ref.skus`…). `hotOnly`: at a durable commit, before projection: only metrics kept by hot counters. */
  markDirty(streams: ReadonlySet<string>, opts: { hotOnly?: boolean } = {}): void {
    let any = false;
    for (const sub of this.subs.values()) {
      if (opts.hotOnly && !sub.def.hot) continue;
      if (sub.def.streams.some((s) => streams.has(s))) {
        sub.dirty = true;
        any = true;
      }
    }
    if (any) this.scheduleFlush();
  }

  private async snapshotOf(sub: Subscription): Promise<MetricValueMessage> {
    if (sub.json === undefined || sub.dirty) await this.refresh(sub);
    if (sub.json === undefined) throw new RxpError('RXP_ERR_STORAGE_UNAVAILABLE', 'metric could not be computed', {}, 1);
    return this.message(sub, 'snapshot');
  }

  private message(sub: Subscription, type: MetricValueMessage['type']): MetricValueMessage {
    return { type, key: sub.key, metric: sub.def.id, params: sub.params, seq: sub.seq, as_of: new Date(sub.asOf).toISOString(), value: sub.value };
  }

  private scheduleFlush(): void {
    if (this.stopped) return;
    this.flushTimer ??= setTimeout(() => {
      this.flushTimer = null;
      void this.flush();
    }, this.coalesceMs);
  }

  private async flush(): Promise<void> {
    // Sequential on purpose: chDB runs one query at a time per connection anyway. Hot-counter metrics first:
    // they need no query and no projection, so they never wait behind one that does.
    const dirty = [...this.subs.values()].filter((s) => s.dirty);
    for (const sub of [...dirty.filter((s) => s.def.hot), ...dirty.filter((s) => !s.def.hot)]) if (sub.dirty) await this.refresh(sub);
  }

  /** Computes a subscription once; a commit arriving meanwhile causes exactly one more run after it. */
  private refresh(sub: Subscription): Promise<void> {
    if (sub.computing) return sub.computing;
    sub.dirty = false;
    sub.computing = (async () => {
      try {
        const result = await evaluate(sub.def, sub.raw, this.opts.ctx);
        this.stats.computations++;
        const json = JSON.stringify(result.value);
        sub.asOf = result.asOf;
        sub.failing = false;
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
        this.stats.failures++;
        this.opts.logger.warn({ err, metric: sub.def.id }, 'metric computation failed');
      } finally {
        sub.computing = null;
        if (sub.dirty && this.subs.has(sub.key)) this.scheduleFlush();
      }
    })();
    return sub.computing;
  }

  /** Sockets (of a room, or all) whose connection still queues more than MAX_BACKLOG packets: a stalled or
   *  slow client. socket.io's `volatile` would be the stock tool, but it drops a message whenever the
   *  previous one is still being written, i.e. also the second of two updates sent at once to a healthy
   *  screen. The backlog is engine.io's per-connection write buffer. */
  private laggards(room?: string): string[] {
    const ns = this.opts.io.of('/');
    const ids = room ? (ns.adapter.rooms.get(room) ?? new Set<string>()) : ns.sockets.keys();
    const slow: string[] = [];
    for (const id of ids) {
      const conn = ns.sockets.get(id)?.conn as unknown as { writeBuffer?: unknown[] } | undefined;
      if ((conn?.writeBuffer?.length ?? 0) > MAX_BACKLOG) slow.push(id);
    }
    return slow;
  }

  private heartbeat(): void {
    const subs = [...this.subs.values()];
    const pending = subs.filter((s) => s.dirty || s.failing || s.computing).map((s) => s.key);
    const seqs = Object.fromEntries(subs.map((s) => [s.key, s.seq]));
    this.opts.io.except(this.laggards()).emit('hub:heartbeat', { as_of: new Date(this.opts.ctx.clock.now()).toISOString(), seqs, pending });
  }

  /** At each minute: series "to the current minute" grow, and at midnight "today" becomes a new date. */
  private scheduleMinuteTick(): void {
    const { clock, tz } = this.opts.ctx;
    this.minuteTimer = setTimeout(() => {
      const today = businessDate(clock.now(), tz);
      for (const sub of this.subs.values()) {
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

/** A socket.io error reply (the ack of a refused subscribe or snapshot). */
export function replyError(err: unknown) {
  const e = err instanceof RxpError ? err : new RxpError('RXP_ERR_INTERNAL');
  return { error: e.code.slice('RXP_ERR_'.length).toLowerCase(), code: e.code, message: e.message, ...(e.body as { param?: string }) };
}

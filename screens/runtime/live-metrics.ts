// The screen runtime's connection: it owns the socket, the subscriptions and their freshness; widgets only
// get values (STYLE: "the screen runtime, not widgets, owns the socket"). Protocol: server/push/protocol.ts.
import { io, type Socket } from 'socket.io-client';
import { applyPatch } from '../../server/push/delta.ts';
import {
  HEARTBEAT_MS,
  isErrorReply,
  type ClientToServerEvents,
  type MetricMessage,
  type ServerToClientEvents,
  type SubscribeReply,
} from '../../server/push/protocol.ts';

export const FRESHNESS = { loading: 'loading', live: 'live', stale: 'stale' } as const;
export type Freshness = (typeof FRESHNESS)[keyof typeof FRESHNESS];
export const LINK = { connecting: 'connecting', live: 'live', down: 'down' } as const;
export type Link = (typeof LINK)[keyof typeof LINK];

/** A value older than this without an update or heartbeat is shown as stale. */
export const STALE_AFTER_MS = 2 * HEARTBEAT_MS;

/** Refusals that mean "not now" (server/errors.ts): the subscription is asked again after a pause. */
const RETRY_LATER: ReadonlySet<string> = new Set(['RXP_ERR_SOCKET_RATE', 'RXP_ERR_SOCKET_BACKLOG', 'RXP_ERR_STORAGE_UNAVAILABLE', 'RXP_ERR_FLEET_UNAVAILABLE', 'RXP_ERR_SHUTTING_DOWN']);
/** First pause before asking again (doubling per refusal of the same subscription, jittered). @default 1_000 ms */
export const RETRY_MIN_MS = 1_000;
/** @default 30_000 ms */
export const RETRY_MAX_MS = 30_000;

export interface MetricState {
  metric: string;
  params: Record<string, unknown>;
  key: string | null;
  seq: number;
  value: unknown;
  asOf: string | null;
  /** performance.now() of the last confirmation (local clock: a wrong wall-PC clock cannot fake freshness). */
  confirmedAt: number;
  error: string | null;
  freshness: Freshness;
}

export class LiveMetrics extends EventTarget {
  /** Public for diagnostics and protocol tests only; widgets never touch it. */
  readonly socket: Socket<ServerToClientEvents, ClientToServerEvents>;
  private readonly states = new Map<string, MetricState>();
  private timer: number | undefined;
  link: Link = LINK.connecting;
  /** Counted for diagnostics: gaps seen in update sequences, behind a heartbeat's seq, or subscriptions the
   *  heartbeat no longer names (each answered by a
   *  snapshot request). */
  gaps = 0;
  /** Server clock minus this machine's clock (ms), from the heartbeats: a wall PC whose clock drifted still
   *  shows the server's time. */
  clockSkewMs = 0;
  private readonly resyncing = new Set<string>();
  /** Local ids with a subscribe in flight or a retry scheduled, and how many times each was refused. */
  private readonly subscribing = new Set<string>();
  private readonly retries = new Map<string, number>();
  private readonly retryTimers = new Set<ReturnType<typeof setTimeout>>();

  constructor(url: string, token: string) {
    super();
    this.socket = io(url, { auth: { token }, transports: ['websocket', 'polling'], reconnectionDelayMax: 5_000 });
    this.socket.on('connect', () => {
      this.link = LINK.live;
      // A new socket has no subscriptions on the server: resubscribe everything (resync without reload).
      for (const id of this.states.keys()) void this.subscribe(id);
      this.changed();
    });
    // Down means every value is stale at once, not after the freshness window.
    this.socket.on('disconnect', (reason) => {
      this.link = LINK.down;
      this.refreshFreshness(true);
      // A server that shuts down gracefully disconnects its sockets, which socket.io does not retry by
      // itself: a wall display must come back on its own when the server does.
      if (reason === 'io server disconnect') setTimeout(() => this.socket.connect(), 1_000 + Math.random() * 2_000);
    });
    this.socket.on('connect_error', () => {
      this.link = LINK.down;
      this.refreshFreshness(true);
    });
    this.socket.on('metric:update', (m) => this.onMessage(m));
    this.socket.on('screen:changed', ({ id }) => this.dispatchEvent(new CustomEvent('screen-changed', { detail: id })));
    this.socket.on('hub:heartbeat', (hb) => {
      this.clockSkewMs = Date.parse(hb.as_of) - Date.now();
      const pending = new Set(hb.pending);
      const seqs = hb.seqs ?? {};
      const t = performance.now();
      for (const [id, s] of this.states) {
        if (!s.key || s.seq === 0) continue;
        const current = Object.hasOwn(seqs, s.key) ? seqs[s.key] : undefined;
        // The heartbeat lists this socket's own subscriptions only: one it does not name at all is not held
        // for this socket on the server (any more): subscribe again, unconfirmed meanwhile.
        if (current === undefined && !pending.has(s.key)) {
          this.gaps++;
          void this.subscribe(id);
        }
        // Behind the server (an update skipped while this client was busy): fetch the value, unconfirmed.
        else if (current !== undefined && current > s.seq) {
          if (!this.resyncing.has(s.key)) this.gaps++;
          void this.resync(s);
        } else if (!pending.has(s.key)) s.confirmedAt = t;
      }
      this.refreshFreshness();
    });
    // globalThis, not window: the same runtime runs in Node for protocol tests.
    this.timer = setInterval(() => this.refreshFreshness(), 1_000) as unknown as number;
  }

  /** Registers a metric subscription under a local id (a widget id); returns its live state. */
  watch(id: string, metric: string, params: Record<string, unknown> = {}): MetricState {
    const state: MetricState = { metric, params, key: null, seq: 0, value: undefined, asOf: null, confirmedAt: 0, error: null, freshness: FRESHNESS.loading };
    this.states.set(id, state);
    if (this.socket.connected) void this.subscribe(id);
    return state;
  }

  /** Drops a local subscription; the server one goes when no other local id holds the same key. */
  unwatch(id: string): void {
    const s = this.states.get(id);
    this.states.delete(id);
    this.retries.delete(id);
    // Kept on the server while another id holds the key, or is still waiting for the subscribe reply that
    // will carry the same key (same metric and params).
    const sameParams = (o: MetricState) => o.metric === s?.metric && JSON.stringify(o.params) === JSON.stringify(s?.params);
    if (s?.key && ![...this.states.values()].some((o) => o.key === s.key || (o.key === null && sameParams(o)))) this.socket.emit('metric:unsubscribe', { key: s.key });
  }

  get(id: string): MetricState | undefined {
    return this.states.get(id);
  }

  close(): void {
    clearInterval(this.timer);
    for (const t of this.retryTimers) clearTimeout(t);
    this.retryTimers.clear();
    this.socket.close();
  }

  private async subscribe(id: string): Promise<void> {
    const s = this.states.get(id);
    if (!s || this.subscribing.has(id)) return;
    this.subscribing.add(id);
    let retry = false;
    try {
      const reply: SubscribeReply = await this.socket.timeout(15_000).emitWithAck('metric:subscribe', { metric: s.metric, params: s.params });
      if (this.states.get(id) !== s) return; // unwatched meanwhile
      if (isErrorReply(reply)) {
        // "Not now" (rate, backlog, storage): asked again after a pause; anything else stays shown.
        retry = RETRY_LATER.has(reply.code);
        if (!retry) {
          s.error = reply.code;
          this.changed();
        }
        return;
      }
      this.retries.delete(id);
      s.error = null;
      s.key = reply.key;
      s.seq = 0; // a new subscription on the server may restart its sequence
      this.onMessage(reply);
    } catch {
      // Timed out (server busy) or disconnected: asked again after a pause while connected (the reconnect
      // handler subscribes everything again anyway).
      retry = true;
    } finally {
      this.subscribing.delete(id);
      if (retry) this.retryLater(id);
    }
  }

  private retryLater(id: string): void {
    const n = (this.retries.get(id) ?? 0) + 1;
    this.retries.set(id, n);
    const delay = Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** (n - 1)) * (0.5 + Math.random());
    this.subscribing.add(id); // one retry at a time
    const timer = setTimeout(() => {
      this.retryTimers.delete(timer);
      this.subscribing.delete(id);
      if (this.states.has(id) && this.socket.connected) void this.subscribe(id);
    }, delay);
    this.retryTimers.add(timer);
  }

  private onMessage(m: MetricMessage): void {
    for (const s of this.states.values()) {
      if (s.key !== m.key || m.seq <= s.seq) continue;
      if (m.type === 'delta') {
        // A patch applies on top of seq − 1 only; after a gap the whole value is fetched instead.
        if (s.seq !== m.seq - 1) {
          this.gaps++;
          void this.resync(s);
          continue;
        }
        s.value = applyPatch(s.value, m.patch);
      } else {
        if (m.type === 'update' && s.seq > 0 && m.seq > s.seq + 1) this.gaps++; // a whole value repairs it
        s.value = m.value;
      }
      s.seq = m.seq;
      s.asOf = m.as_of;
      s.confirmedAt = performance.now();
    }
    this.refreshFreshness(true);
  }

  private async resync(s: MetricState): Promise<void> {
    const key = s.key;
    if (!key || this.resyncing.has(key)) return;
    this.resyncing.add(key);
    try {
      const reply = await this.socket.timeout(15_000).emitWithAck('metric:snapshot', { key });
      if (!isErrorReply(reply)) this.onMessage(reply);
    } catch {
      /* the next heartbeat, update or reconnect repairs it */
    } finally {
      this.resyncing.delete(key);
    }
  }

  private refreshFreshness(force = false): void {
    const t = performance.now();
    let moved = force;
    for (const s of this.states.values()) {
      const f: Freshness = s.seq === 0 ? FRESHNESS.loading : this.link !== LINK.live || t - s.confirmedAt > STALE_AFTER_MS ? FRESHNESS.stale : FRESHNESS.live;
      if (f !== s.freshness) {
        s.freshness = f;
        moved = true;
      }
    }
    if (moved) this.changed();
  }

  private changed(): void {
    this.dispatchEvent(new Event('change'));
  }
}

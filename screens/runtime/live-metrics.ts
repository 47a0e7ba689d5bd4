// The screen runtime's connection: it owns the socket, the subscriptions and their freshness; widgets only
// get values (STYLE: "the screen runtime, not widgets, owns the socket"). Protocol: server/push/protocol.ts.
import { io, type Socket } from 'socket.io-client';
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
  private readonly socket: Socket<ServerToClientEvents, ClientToServerEvents>;
  private readonly states = new Map<string, MetricState>();
  private timer: number | undefined;
  link: Link = LINK.connecting;
  /** Counted for diagnostics: gaps seen in update sequences (each answered by a snapshot request). */
  gaps = 0;

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
    this.socket.on('disconnect', () => {
      this.link = LINK.down;
      this.refreshFreshness(true);
    });
    this.socket.on('connect_error', () => {
      this.link = LINK.down;
      this.refreshFreshness(true);
    });
    this.socket.on('metric:update', (m) => this.onMessage(m));
    this.socket.on('hub:heartbeat', (hb) => {
      const pending = new Set(hb.pending);
      const t = performance.now();
      for (const s of this.states.values()) if (s.key && !pending.has(s.key) && s.seq > 0) s.confirmedAt = t;
      this.refreshFreshness();
    });
    this.timer = window.setInterval(() => this.refreshFreshness(), 1_000);
  }

  /** Registers a metric subscription under a local id (a widget id); returns its live state. */
  watch(id: string, metric: string, params: Record<string, unknown> = {}): MetricState {
    const state: MetricState = { metric, params, key: null, seq: 0, value: undefined, asOf: null, confirmedAt: 0, error: null, freshness: FRESHNESS.loading };
    this.states.set(id, state);
    if (this.socket.connected) void this.subscribe(id);
    return state;
  }

  get(id: string): MetricState | undefined {
    return this.states.get(id);
  }

  close(): void {
    window.clearInterval(this.timer);
    this.socket.close();
  }

  private async subscribe(id: string): Promise<void> {
    const s = this.states.get(id);
    if (!s) return;
    try {
      const reply: SubscribeReply = await this.socket.timeout(15_000).emitWithAck('metric:subscribe', { metric: s.metric, params: s.params });
      if (isErrorReply(reply)) {
        s.error = reply.code;
        this.changed();
        return;
      }
      s.error = null;
      s.key = reply.key;
      s.seq = 0; // a new subscription on the server may restart its sequence
      this.onMessage(reply);
    } catch {
      // Timed out (server busy or gone): the reconnect handler subscribes again.
    }
  }

  private onMessage(m: MetricMessage): void {
    for (const s of this.states.values()) {
      if (s.key !== m.key || m.seq <= s.seq) continue;
      if (m.type === 'update' && s.seq > 0 && m.seq > s.seq + 1) {
        this.gaps++;
        void this.resync(s);
      }
      s.seq = m.seq;
      s.value = m.value;
      s.asOf = m.as_of;
      s.confirmedAt = performance.now();
    }
    this.refreshFreshness(true);
  }

  private async resync(s: MetricState): Promise<void> {
    if (!s.key) return;
    try {
      const reply = await this.socket.timeout(15_000).emitWithAck('metric:snapshot', { key: s.key });
      if (!isErrorReply(reply)) this.onMessage(reply);
    } catch {
      /* the next update or reconnect repairs it */
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

// The socket.io wire protocol, shared by the server and the screen runtime (types only: safe to import in
// the browser bundle). Event names are `noun:verb`. Messages about a metric are a union on `type`.
//
// Per subscription (metric id + params, identified by `key`): the client gets a snapshot with `seq` and
// `as_of` in the ack of `metric:subscribe`; then a `metric:update` message with seq + 1 for each change: the
// whole value (`type: 'update'`) or, for long values such as a day of minutes, a patch on the previous value
// (`type: 'delta'`, see delta.ts), applicable only on top of seq − 1. A client that sees a gap asks
// `metric:snapshot`; after a reconnect it subscribes again (the runtime does this by itself).
// A socket whose connection has a backlog (a slow or stalled client) skips updates and heartbeats instead of
// queueing them on the server, and repairs by snapshot when it notices the gap (hub.ts, MAX_BACKLOG).
// `hub:heartbeat` every HEARTBEAT_MS gives the current seq of each of the socket's own subscriptions (and of
// no other) and confirms that every value not listed in `pending` is current as of `as_of`: a client behind
// that seq asks for a snapshot; a subscription missing from both means the server does not hold it for this
// socket (subscribe again). A screen shows a value as stale when neither an update nor a heartbeat confirmed
// it for 2 × HEARTBEAT_MS, or when the socket is down.
//
// Limits (server/push/guard.ts, connections.ts): payloads are checked against requests.ts (else
// RXP_ERR_BAD_REQUEST); a socket holds at most 64 subscriptions (RXP_ERR_SOCKET_LIMIT) and sends at most 20
// messages/s, burst 100 (RXP_ERR_SOCKET_RATE; a socket that keeps on is disconnected); a reply with a value
// to a connection with a backlog is RXP_ERR_SOCKET_BACKLOG. Rate and backlog errors say "retry later".
import type { PatchOp } from './delta.ts';

export type { PatchOp } from './delta.ts';

export const HEARTBEAT_MS = 5_000;

interface MetricMessageBase {
  key: string;
  metric: string;
  /** Resolved params (e.g. `date` filled with today). */
  params: Record<string, unknown>;
  seq: number;
  /** RFC 3339 instant at which the value was computed. */
  as_of: string;
}

export interface MetricValueMessage extends MetricMessageBase {
  type: 'snapshot' | 'update';
  value: unknown;
}

export interface MetricDeltaMessage extends MetricMessageBase {
  type: 'delta';
  /** Turns the value of seq − 1 into this seq's value. */
  patch: PatchOp[];
}

export type MetricMessage = MetricValueMessage | MetricDeltaMessage;

export interface ErrorReply {
  error: string;
  code: string;
  message: string;
  param?: string;
}

export type SubscribeReply = MetricValueMessage | ErrorReply;

export interface Heartbeat {
  as_of: string;
  /** Current seq of each of this socket's subscriptions (key → seq). */
  seqs: Record<string, number>;
  /** Keys whose recomputation is due or failing: their values are not confirmed by this heartbeat. */
  pending: string[];
}

export interface ServerToClientEvents {
  'metric:update': (msg: MetricMessage) => void;
  'hub:heartbeat': (hb: Heartbeat) => void;
  /** A screen definition was added, replaced or removed (admin API): open pages of it reload the layout. */
  'screen:changed': (info: { id: string }) => void;
  /** Sent before a graceful shutdown: the client reconnects (to another instance or after restart). */
  'server:shutdown': (info: { reason: string }) => void;
  /** To a paired wall: its screen or playlist changed (it fetches GET /api/v1/displays/self again). */
  'display:changed': (info: { display_id: string }) => void;
  /** To a paired wall: reload the page (POST /api/v1/displays/{id}/reload). */
  'display:reload': (info: { display_id: string }) => void;
}

/** What a paired wall reports every 30 s. */
export interface DisplayReport {
  version: string;
  screen_size: { width: number; height: number };
  uptime_s: number;
  heap_bytes: number | null;
  /** Frames per second over the last minute. */
  fps: number | null;
  /** Seconds since the oldest value on screen was confirmed current. */
  data_age_s: number | null;
  screen_id: string | null;
}

/** Request payloads: their schemas (what the server accepts) are in requests.ts. */
export interface ClientToServerEvents {
  'metric:subscribe': (req: { metric: string; params?: Record<string, unknown> }, ack: (reply: SubscribeReply) => void) => void;
  'metric:unsubscribe': (req: { key: string }) => void;
  'metric:snapshot': (req: { key: string }, ack: (reply: SubscribeReply) => void) => void;
  'display:report': (report: DisplayReport) => void;
}

export function isErrorReply(r: SubscribeReply): r is ErrorReply {
  return 'error' in r;
}

// The socket.io wire protocol, shared by the server and the screen runtime (types only: safe to import in
// the browser bundle). Event names are `noun:verb`. Messages about a metric are a union on `type`.
//
// Per subscription (metric id + params, identified by `key`): the client gets a snapshot with `seq` and
// `as_of` in the ack of `metric:subscribe`; then `metric:update` messages with seq + 1 each. Whole values
// for now (deltas for long series come with the push engine work). A client that sees a gap asks
// `metric:snapshot`; after a reconnect it subscribes again (the runtime does this by itself).
// `hub:heartbeat` every HEARTBEAT_MS confirms that every value not listed in `pending` is current as of
// `as_of`: a screen shows a value as stale when neither an update nor a heartbeat came for 2 × HEARTBEAT_MS,
// or when the socket is down.

export const HEARTBEAT_MS = 5_000;

export interface MetricMessage {
  type: 'snapshot' | 'update';
  key: string;
  metric: string;
  /** Resolved params (e.g. `date` filled with today). */
  params: Record<string, unknown>;
  seq: number;
  /** RFC 3339 instant at which the value was computed. */
  as_of: string;
  value: unknown;
}

export interface ErrorReply {
  error: string;
  code: string;
  message: string;
  param?: string;
}

export type SubscribeReply = MetricMessage | ErrorReply;

export interface Heartbeat {
  as_of: string;
  /** Keys whose recomputation is due or failing: their values are not confirmed by this heartbeat. */
  pending: string[];
}

export interface ServerToClientEvents {
  'metric:update': (msg: MetricMessage) => void;
  'hub:heartbeat': (hb: Heartbeat) => void;
  /** Sent before a graceful shutdown: the client reconnects (to another instance or after restart). */
  'server:shutdown': (info: { reason: string }) => void;
}

export interface ClientToServerEvents {
  'metric:subscribe': (req: { metric: string; params?: Record<string, unknown> }, ack: (reply: SubscribeReply) => void) => void;
  'metric:unsubscribe': (req: { key: string }) => void;
  'metric:snapshot': (req: { key: string }, ack: (reply: SubscribeReply) => void) => void;
}

export function isErrorReply(r: SubscribeReply): r is ErrorReply {
  return 'error' in r;
}

// The bounded socket surface (THREATS "a compromised or buggy client"): what one socket may send and be sent.
// - Every incoming message spends a token of the socket's bucket (SOCKET_LIMITS): past it the message is
//   refused with RXP_ERR_SOCKET_RATE; a socket that keeps sending while refused is disconnected. Unknown
//   event names spend tokens too, and go no further.
// - Every handler's payload is checked against its schema (requests.ts) and every handler runs inside a
//   catch: a bad payload gets a coded error ack, and nothing a client sends can throw into the process.
// - Replies (acks) follow the update rule: a connection with more than MAX_BACKLOG packets queued gets a
//   small RXP_ERR_SOCKET_BACKLOG instead of a value, and one past HARD_BACKLOG is disconnected, so a client
//   that stopped reading holds a bounded amount of the server's memory.
import type { FastifyBaseLogger } from 'fastify';
import type { Socket } from 'socket.io';
import type { Static } from 'typebox';
import { RxpError } from '../errors.ts';
import type { ClientToServerEvents, ErrorReply, ServerToClientEvents } from './protocol.ts';
import { REQUESTS, requestValidator, type RequestName } from './requests.ts';

type IoSocket = Socket<ClientToServerEvents, ServerToClientEvents>;

/** Packets a connection may have queued (not yet taken by its transport) and still get updates and replies. */
export const MAX_BACKLOG = 8;
/** Past this many queued packets the connection is closed: its client has stopped reading. */
export const HARD_BACKLOG = 64;

/** Set on an engine.io connection closed by its socket's limits: its address pays for it (connections.ts). */
export const CLOSED_BY_LIMITS = Symbol('rxpulse.closedByLimits');

export interface SocketLimits {
  /** Distinct subscriptions one socket may hold. @default 64 */
  maxSubscriptions: number;
  /** Messages per second one socket may send, sustained (token bucket refill). @default 20 /s */
  messagesPerSecond: number;
  /** Messages one socket may send at once (bucket size). @default 100 */
  messageBurst: number;
  /** Messages refused for rate within about 10 s past which the socket is disconnected (the count drains by a
   *  tenth of it a second: a socket that keeps exceeding its rate is closed, a burst now and then is not). @default 100 */
  refusedBeforeDisconnect: number;
  /** Requests of one socket waiting for their reply (a subscribe or snapshot whose value is computing). @default 100 */
  maxPendingReplies: number;
}

export const SOCKET_LIMITS: Readonly<SocketLimits> = Object.freeze({
  maxSubscriptions: 64,
  messagesPerSecond: 20,
  messageBurst: 100,
  refusedBeforeDisconnect: 100,
  maxPendingReplies: 100,
});

/** Packets queued on a socket's connection (engine.io's write buffer) and not yet taken by its transport. */
export function backlogOf(socket: { conn: unknown } | undefined): number {
  return (socket?.conn as { writeBuffer?: unknown[] } | undefined)?.writeBuffer?.length ?? 0;
}

/** Closes a socket's connection for its limits, dropping what is queued for it (its client is not reading,
 *  or floods), and marks it so that its address pays for it (connections.ts). */
export function closeForLimits(socket: { conn: unknown; disconnect(close: boolean): unknown }): void {
  const conn = socket.conn as { [CLOSED_BY_LIMITS]?: boolean; close?(discard: boolean): void };
  conn[CLOSED_BY_LIMITS] = true;
  socket.disconnect(true);
  conn.close?.(true);
}

/** A socket.io error reply (the ack of a refused request). */
export function replyError(err: unknown): ErrorReply {
  const e = err instanceof RxpError ? err : new RxpError('RXP_ERR_INTERNAL');
  const extra = e.body as { param?: unknown };
  return { error: e.code.slice('RXP_ERR_'.length).toLowerCase(), code: e.code, message: e.message, ...(typeof extra.param === 'string' ? { param: extra.param } : {}) };
}

/** A token bucket: `rate` tokens a second up to `burst`; time from `now` (ms). */
export class TokenBucket {
  private tokens: number;
  private at: number;

  constructor(
    private readonly rate: number,
    private readonly burst: number,
    now: number,
  ) {
    this.tokens = burst;
    this.at = now;
  }

  take(now: number): boolean {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.at) / 1000) * this.rate);
    this.at = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Takes `n` tokens now, into debt if need be (the next `take` waits until it is paid back). */
  penalize(n: number, now: number): void {
    this.take(now);
    this.tokens = this.tokens + 1 - n;
  }

  /** True when the bucket would be full at `now` (its state can be forgotten). */
  full(now: number): boolean {
    return this.tokens + ((now - this.at) / 1000) * this.rate >= this.burst;
  }
}

type Ack = (reply: unknown) => void;
type Loose = { on(ev: string, fn: (...args: unknown[]) => void): void; use(fn: (packet: unknown[], next: (err?: Error) => void) => void): void };

/** Counted for tests and health (summed over sockets by whoever owns the guards). */
export interface GuardStats {
  refusedRate: number;
  refusedBacklog: number;
  badRequests: number;
  disconnects: number;
}

export class SocketGuard {
  private readonly bucket: TokenBucket;
  /** Messages refused for rate, draining by a tenth of refusedBeforeDisconnect a second. */
  private debt = 0;
  private debtAt = Date.now();
  private pending = 0;

  constructor(
    readonly socket: IoSocket,
    readonly limits: Readonly<SocketLimits>,
    private readonly logger: FastifyBaseLogger,
    private readonly stats: GuardStats = { refusedRate: 0, refusedBacklog: 0, badRequests: 0, disconnects: 0 },
  ) {
    this.bucket = new TokenBucket(limits.messagesPerSecond, limits.messageBurst, Date.now());
    // A client may send an event named "error": without a listener, Node's emitter would throw it.
    socket.on('error' as never, (() => undefined) as never);
    (socket as unknown as Loose).use((packet, next) => {
      try {
        if (this.admit(packet)) next();
      } catch (err) {
        this.logger.warn({ err }, 'socket guard failed');
      }
    });
  }

  /** Distinct subscriptions the socket holds (its `m:` rooms). */
  get subscriptions(): number {
    let n = 0;
    for (const room of this.socket.rooms) if (room.startsWith('m:')) n++;
    return n;
  }

  /**
   * Registers the handler of a request event. It gets the checked payload; what it returns (or throws) is
   * the ack. Events without an ack in the protocol ignore a returned value; requests that expect an ack and
   * come without one are dropped (there is nobody to answer).
   */
  on<N extends RequestName>(name: N, handler: (req: Static<(typeof REQUESTS)[N]['schema']>) => unknown): void {
    const { ack: wantsAck } = REQUESTS[name];
    const check = requestValidator(name);
    (this.socket as unknown as Loose).on(name, (...args: unknown[]) => {
      const last = args[args.length - 1];
      const ack = typeof last === 'function' ? (last as Ack) : null;
      if (wantsAck && !ack) return;
      try {
        const payload = ack ? args.slice(0, -1) : args;
        if (payload.length !== 1 || !check.Check(payload[0])) {
          this.stats.badRequests++;
          ack?.(replyError(new RxpError('RXP_ERR_BAD_REQUEST', `${name}: ${describe(check, payload)}`)));
          return;
        }
        if (!ack) {
          handler(payload[0] as Static<(typeof REQUESTS)[N]['schema']>);
          return;
        }
        if (this.pending >= this.limits.maxPendingReplies) {
          this.stats.refusedRate++;
          ack(replyError(new RxpError('RXP_ERR_SOCKET_RATE', `more than ${this.limits.maxPendingReplies} requests of this socket are waiting for their reply`)));
          return;
        }
        let result: unknown;
        try {
          result = handler(payload[0] as Static<(typeof REQUESTS)[N]['schema']>);
        } catch (err) {
          this.reply(ack, replyError(err));
          return;
        }
        if (!(result instanceof Promise)) {
          this.reply(ack, result);
          return;
        }
        this.pending++;
        result
          .then(
            (value) => this.reply(ack, value),
            (err) => this.reply(ack, replyError(err)),
          )
          .finally(() => this.pending--)
          .catch((err) => this.logger.warn({ err, event: name }, 'socket reply failed'));
      } catch (err) {
        // Synchronous throws of a handler (and of anything above) end here, never in socket.io's emitter.
        this.safeAck(ack, replyError(err));
      }
    });
  }

  /** An ack subject to the backlog rule: a value is refused to a connection that is not reading. */
  private reply(ack: Ack, value: unknown): void {
    const isError = typeof value === 'object' && value !== null && 'code' in value && 'error' in value;
    if (!isError && backlogOf(this.socket) > MAX_BACKLOG) {
      this.stats.refusedBacklog++;
      value = replyError(new RxpError('RXP_ERR_SOCKET_BACKLOG', `more than ${MAX_BACKLOG} messages are queued for this connection: read them, then ask again`, {}, 1));
    }
    this.safeAck(ack, value);
  }

  private safeAck(ack: Ack | null, value: unknown): void {
    if (!ack) return;
    try {
      ack(value);
    } catch (err) {
      this.logger.warn({ err }, 'socket ack failed');
    }
  }

  /** The socket middleware: every incoming event spends a token; false drops the message. */
  private admit(packet: unknown[]): boolean {
    // Packets decoded before a disconnect still come through (socket.io defers each to a tick): drop them.
    if (!this.socket.connected) return false;
    if (backlogOf(this.socket) > HARD_BACKLOG) {
      this.disconnect('backlog');
      return false;
    }
    const now = Date.now();
    if (this.bucket.take(now)) return true;
    this.stats.refusedRate++;
    this.debt = Math.max(0, this.debt - ((now - this.debtAt) / 1000) * (this.limits.refusedBeforeDisconnect / 10)) + 1;
    this.debtAt = now;
    if (this.debt > this.limits.refusedBeforeDisconnect) {
      this.disconnect('rate');
      return false;
    }
    const last = packet[packet.length - 1];
    if (typeof last === 'function') {
      this.safeAck(last as Ack, replyError(new RxpError('RXP_ERR_SOCKET_RATE', `more than ${this.limits.messagesPerSecond} messages/s (burst ${this.limits.messageBurst}) on this socket`, {}, 1)));
    }
    return false;
  }

  private disconnect(why: 'rate' | 'backlog'): void {
    if (!this.socket.connected) return;
    this.stats.disconnects++;
    this.logger.info({ socket: this.socket.id, why }, 'socket disconnected by its limits');
    closeForLimits(this.socket);
  }
}

/** The first schema error of a payload, for the error message (never the payload itself). */
function describe(check: { Errors(v: unknown): Iterable<{ instancePath: string; message: string }> }, payload: unknown[]): string {
  if (payload.length !== 1) return `expected one payload argument, got ${payload.length}`;
  for (const e of check.Errors(payload[0])) return `${e.instancePath || '/'} ${e.message}`.slice(0, 200);
  return 'invalid payload';
}

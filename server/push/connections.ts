// Who may open a socket, and how many (THREATS: "connections and unauthenticated sessions per IP"). Checked in
// engine.io's `allowRequest`, i.e. at each new session's handshake (polling or websocket), before any state is
// kept for it:
// - a browser page may connect only from the server's own origin (the Host header's) or a configured one; a
//   request without Origin (a non-browser client: socket.io-client in Node, a TV app) is allowed, the token
//   decides for it;
// - per client address: at most `maxPerAddress` open connections, of which at most `maxUnauthenticated` not
//   yet authenticated (a session that never sends a valid token holds its slot until connectTimeoutMs
//   closes it), and new sessions at `handshakesPerSecond` (burst `handshakeBurst`); a socket closed by its
//   limits (a flood, a client that stopped reading) costs its address `closePenalty` handshakes, so that a
//   flooder cannot come straight back with a fresh budget (its address's other connections stay).
// The address is the TCP peer's. Many walls behind one NAT share it, so the defaults are generous but finite;
// behind a reverse proxy every client has the proxy's address: raise the limits there (or put them in the proxy).
import type { IncomingMessage } from 'node:http';
import type { ErrorCode } from '../errors.ts';
import { CLOSED_BY_LIMITS, TokenBucket } from './guard.ts';

export interface ConnectionLimits {
  /** Open connections (any transport, authenticated or not) per client address. @default 200 */
  maxPerAddress: number;
  /** Connections per address not yet authenticated (handshaking, or refused by the token check). @default 50 */
  maxUnauthenticated: number;
  /** New sessions per second per address, sustained. @default 10 /s */
  handshakesPerSecond: number;
  /** New sessions per address at once (a NAT of walls after a power cut). @default 200 */
  handshakeBurst: number;
  /** Handshakes a socket closed by its limits costs its address (at 10/s: its next session waits ≈ 5 s). @default 50 */
  closePenalty: number;
  /** A connection that has not authenticated within this is closed (socket.io `connectTimeout`). @default 10_000 ms */
  connectTimeoutMs: number;
  /** Largest message (or polling request body) a client may send (engine.io `maxHttpBufferSize`). @default 65_536 bytes */
  maxMessageBytes: number;
}

export const CONNECTION_LIMITS: Readonly<ConnectionLimits> = Object.freeze({
  maxPerAddress: 200,
  maxUnauthenticated: 50,
  handshakesPerSecond: 10,
  handshakeBurst: 200,
  closePenalty: 50,
  connectTimeoutMs: 10_000,
  maxMessageBytes: 64 * 1024,
});

interface Address {
  open: number;
  unauthenticated: number;
  handshakes: TokenBucket;
}

/** An engine.io connection as this module sees it. */
interface RawConnection {
  remoteAddress?: string;
  once(ev: 'close', fn: () => void): unknown;
  [CLOSED_BY_LIMITS]?: boolean;
}

export class ConnectionLimiter {
  private readonly addresses = new Map<string, Address>();
  private readonly authed = new WeakSet<object>();
  private lastSweep = Date.now();
  /** Counted for tests and health. */
  readonly stats = { refusedOrigin: 0, refusedAddress: 0 };

  constructor(
    readonly limits: Readonly<ConnectionLimits>,
    private readonly allowedOrigins: readonly string[] = [],
  ) {}

  /** engine.io `allowRequest`: null to accept the new session, else the code it is refused with. */
  admit(req: IncomingMessage): ErrorCode | null {
    if (!originAllowed(req, this.allowedOrigins)) {
      this.stats.refusedOrigin++;
      return 'RXP_ERR_AUTH_FORBIDDEN';
    }
    const now = Date.now();
    this.sweep(now);
    const a = this.address(addressOf(req.socket?.remoteAddress), now);
    if (a.open >= this.limits.maxPerAddress || a.unauthenticated >= this.limits.maxUnauthenticated || !a.handshakes.take(now)) {
      this.stats.refusedAddress++;
      return 'RXP_ERR_SOCKET_LIMIT';
    }
    return null;
  }

  /** A new engine.io connection (io.engine 'connection'): counted until it closes. */
  opened(conn: RawConnection): void {
    const a = this.address(addressOf(conn.remoteAddress), Date.now());
    a.open++;
    a.unauthenticated++;
    conn.once('close', () => {
      a.open--;
      if (!this.authed.has(conn)) a.unauthenticated--;
      if (conn[CLOSED_BY_LIMITS]) a.handshakes.penalize(this.limits.closePenalty, Date.now());
    });
  }

  /** The connection passed the token check (a socket.io socket connected on it). */
  authenticated(conn: RawConnection): void {
    if (this.authed.has(conn)) return;
    this.authed.add(conn);
    const a = this.addresses.get(addressOf(conn.remoteAddress));
    if (a) a.unauthenticated--;
  }

  /** Open connections of an address (tests). */
  openFrom(address: string): number {
    return this.addresses.get(addressOf(address))?.open ?? 0;
  }

  private address(key: string, now: number): Address {
    let a = this.addresses.get(key);
    if (!a) {
      a = { open: 0, unauthenticated: 0, handshakes: new TokenBucket(this.limits.handshakesPerSecond, this.limits.handshakeBurst, now) };
      this.addresses.set(key, a);
    }
    return a;
  }

  /** Forgets addresses with nothing open whose handshake bucket has refilled (at most once a minute). */
  private sweep(now: number): void {
    if (now - this.lastSweep < 60_000) return;
    this.lastSweep = now;
    for (const [key, a] of this.addresses) if (a.open <= 0 && a.handshakes.full(now)) this.addresses.delete(key);
  }
}

/** IPv4 peers on a dual-stack socket come as `::ffff:a.b.c.d`: one address either way. */
function addressOf(remote: string | undefined): string {
  if (!remote) return 'unknown';
  return remote.startsWith('::ffff:') ? remote.slice(7) : remote;
}

/**
 * A browser sends Origin on a cross-origin request and on every websocket handshake. Allowed: none at all (not
 * a browser), the server's own origin (same host and port as the Host header the browser sent), or one of
 * `allowed` (exact origins such as `https://wall.example.com`).
 */
export function originAllowed(req: Pick<IncomingMessage, 'headers'>, allowed: readonly string[]): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  if (typeof origin !== 'string' || origin.length > 2_048) return false;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false; // "null" (a sandboxed frame, file://) and anything unparsable
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  if (allowed.includes(url.origin)) return true;
  const host = req.headers.host;
  return typeof host === 'string' && url.host === host.toLowerCase();
}

// socket.io as a Fastify plugin: attached to the app's HTTP server, sessions admitted by origin and per
// client address (server/push/connections.ts), sockets authenticated once in middleware, told before a
// graceful shutdown, closed with the app.
import fp from 'fastify-plugin';
import { Server, type ServerOptions } from 'socket.io';
import type { Config } from '../config.ts';
import { can, principalOf, type DisplayTokens } from '../auth/tokens.ts';
import { CONNECTION_LIMITS, ConnectionLimiter, type ConnectionLimits } from '../push/connections.ts';
import { fanOutHeartbeat, HEARTBEAT_EVENT, type HubBeat } from '../push/heartbeat.ts';
import type { ClientToServerEvents, ServerToClientEvents } from '../push/protocol.ts';

export type IoServer = Server<ClientToServerEvents, ServerToClientEvents>;

declare module 'fastify' {
  interface FastifyInstance {
    io: IoServer;
  }
}

/** How long a dropped connection keeps its rooms and missed packets in a fleet (connection state recovery). */
export const RECOVERY_MS = 60_000;

declare module 'fastify' {
  interface FastifyInstance {
    /** Per-address connection counts and refusals of the socket server (tests, health). */
    ioLimiter: ConnectionLimiter;
  }
}

export interface IoPluginOptions {
  config: Config;
  adapter?: ServerOptions['adapter'];
  /** Connections per client address, handshake time, message size. @default CONNECTION_LIMITS */
  limits?: Partial<ConnectionLimits>;
  /** Display tokens (paired walls): such a socket joins `display:<id>` and reads only its screens' metrics. */
  displays?: DisplayTokens;
}

/** The room of a display's sockets (revoke, move, reload reach it on every instance). */
export const displayRoom = (id: string): string => `display:${id}`;

export const ioPlugin = fp<IoPluginOptions>(
  async (app, { config, adapter, limits, displays }) => {
    // In a fleet (an adapter given): packets reach every instance's sockets, and a client that reconnects to
    // any instance within RECOVERY_MS gets its rooms back and what it missed.
    const fleet: Partial<ServerOptions> = adapter ? { adapter, connectionStateRecovery: { maxDisconnectionDuration: RECOVERY_MS, skipMiddlewares: false } } : {};
    const { maxPerAddress, maxUnauthenticated, handshakesPerSecond } = config.sockets;
    const configured = { maxPerAddress, maxUnauthenticated, handshakesPerSecond, handshakeBurst: Math.max(CONNECTION_LIMITS.handshakeBurst, handshakesPerSecond * 20) };
    const limiter = new ConnectionLimiter(Object.freeze({ ...CONNECTION_LIMITS, ...configured, ...limits }), config.allowedOrigins ?? []);
    const io: IoServer = new Server(app.server, {
      serveClient: false,
      transports: ['websocket', 'polling'],
      // Checked at each new session's handshake: origin, then the address's connection limits.
      allowRequest: (req, callback) => {
        let refused: string | null;
        try {
          refused = limiter.admit(req);
        } catch {
          refused = 'RXP_ERR_INTERNAL';
        }
        callback(refused, refused === null);
      },
      connectTimeout: limiter.limits.connectTimeoutMs,
      maxHttpBufferSize: limiter.limits.maxMessageBytes,
      ...fleet,
    });
    io.use((socket, next) => {
      const token = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
      const principal = principalOf(config, typeof token === 'string' ? token : undefined, displays);
      if (!principal) return next(new Error('RXP_ERR_AUTH_MISSING'));
      if (!can(principal.role, 'read')) return next(new Error('RXP_ERR_AUTH_FORBIDDEN'));
      socket.data = { display: principal.display };
      next();
    });
    // Each connection would keep its handshake request (headers, socket…) alive for its whole life: tens of
    // MB over thousands of wall displays. Nothing reads it after the middleware above.
    io.engine.on('connection', (rawSocket: { request: unknown; remoteAddress?: string; once(ev: 'close', fn: () => void): unknown }) => {
      rawSocket.request = null;
      limiter.opened(rawSocket);
    });
    io.on('connection', (socket) => {
      limiter.authenticated(socket.conn as unknown as { once(ev: 'close', fn: () => void): unknown });
      const display = (socket.data as { display?: string } | undefined)?.display;
      if (display) void socket.join(displayRoom(display));
      // A client may send an event named "error": without a listener Node's emitter would throw it.
      socket.on('error' as never, (() => undefined) as never);
    });
    // In a fleet the leader's hub sends its heartbeat to every instance: each gives its own sockets their part.
    if (adapter) {
      io.on(HEARTBEAT_EVENT, (beat: HubBeat) => {
        try {
          if (typeof beat === 'object' && beat !== null && typeof beat.as_of === 'string') fanOutHeartbeat(io, beat);
        } catch (err) {
          app.log.warn({ err }, 'fleet heartbeat failed');
        }
      });
    }
    app.decorate('io', io);
    app.decorate('ioLimiter', limiter);
    app.addHook('preClose', async () => {
      // From here a new socket is refused (its client retries, and finds the next server): no handler of the
      // hub starts work on a server that is stopping.
      io.use((_socket, next) => next(new Error('RXP_ERR_SHUTTING_DOWN')));
      io.emit('server:shutdown', { reason: 'server is restarting' });
      io.disconnectSockets(true);
      // Connections with no socket (still handshaking, or never authenticated) are closed too: the HTTP server
      // stops only when its last connection has (main.ts cuts those whose client does not answer). `clients` is
      // engine.io's documented map of connections; its typings mark it protected.
      const conns = (io.engine as unknown as { clients: Record<string, { readyState: string; close(): void }> }).clients;
      for (const conn of Object.values(conns)) if (conn.readyState === 'open') conn.close();
    });
    app.addHook('onClose', async () => {
      // io.close() would close the HTTP server too, which Fastify already does: close the engine only.
      io.engine.close();
    });
  },
  { name: 'rxpulse-io' },
);

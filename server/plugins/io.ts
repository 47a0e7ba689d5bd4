// socket.io as a Fastify plugin: attached to the app's HTTP server, sockets authenticated once in
// middleware, told before a graceful shutdown, closed with the app.
import fp from 'fastify-plugin';
import { Server, type ServerOptions } from 'socket.io';
import type { Config } from '../config.ts';
import { roleOf, can } from '../auth/tokens.ts';
import type { ClientToServerEvents, ServerToClientEvents } from '../push/protocol.ts';

export type IoServer = Server<ClientToServerEvents, ServerToClientEvents>;

declare module 'fastify' {
  interface FastifyInstance {
    io: IoServer;
  }
}

/** How long a dropped connection keeps its rooms and missed packets in a fleet (connection state recovery). */
export const RECOVERY_MS = 60_000;

export const ioPlugin = fp<{ config: Config; adapter?: ServerOptions['adapter'] }>(
  async (app, { config, adapter }) => {
    // In a fleet (an adapter given): packets reach every instance's sockets, and a client that reconnects to
    // any instance within RECOVERY_MS gets its rooms back and what it missed.
    const fleet: Partial<ServerOptions> = adapter ? { adapter, connectionStateRecovery: { maxDisconnectionDuration: RECOVERY_MS, skipMiddlewares: false } } : {};
    const io: IoServer = new Server(app.server, { serveClient: false, transports: ['websocket', 'polling'], ...fleet });
    io.use((socket, next) => {
      const token = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
      const role = roleOf(config, typeof token === 'string' ? token : undefined);
      if (!role) return next(new Error('RXP_ERR_AUTH_MISSING'));
      if (!can(role, 'read')) return next(new Error('RXP_ERR_AUTH_FORBIDDEN'));
      next();
    });
    // Each connection would keep its handshake request (headers, socket…) alive for its whole life: tens of
    // MB over thousands of wall displays. Nothing reads it after the middleware above.
    io.engine.on('connection', (rawSocket: { request: unknown }) => {
      rawSocket.request = null;
    });
    app.decorate('io', io);
    app.addHook('preClose', async () => {
      io.emit('server:shutdown', { reason: 'server is restarting' });
      io.disconnectSockets(true);
    });
    app.addHook('onClose', async () => {
      // io.close() would close the HTTP server too, which Fastify already does: close the engine only.
      io.engine.close();
    });
  },
  { name: 'rxpulse-io' },
);

// A real socket.io client for tests, typed with the shared protocol.
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, MetricMessage, MetricValueMessage, ServerToClientEvents, SubscribeReply } from '../../server/push/protocol.ts';

export type TestSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface ConnectOptions {
  /** Source address of the TCP connection (127.0.0.x): the server's per-address limits count by it. */
  localAddress?: string;
  /** An Origin header, as a browser page would send it. */
  origin?: string;
}

export function connect(url: string, token: string | null, opts: ConnectOptions = {}): Promise<TestSocket> {
  const socket: TestSocket = io(url, {
    auth: token ? { token } : {},
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
    ...(opts.localAddress ? { localAddress: opts.localAddress } : {}),
    ...(opts.origin ? { extraHeaders: { origin: opts.origin } } : {}),
  } as Parameters<typeof io>[1]);
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => {
      socket.close();
      reject(err);
    });
  });
}

export function subscribe(socket: TestSocket, metric: string, params: Record<string, unknown> = {}): Promise<SubscribeReply> {
  return socket.timeout(10_000).emitWithAck('metric:subscribe', { metric, params });
}

/** Resolves with the first whole-value update of `key` that satisfies `pred` (deltas are skipped: use the
 *  screen runtime, LiveMetrics, to follow a long value). */
export function nextUpdate(socket: TestSocket, key: string, pred: (m: MetricValueMessage) => boolean = () => true, timeoutMs = 10_000): Promise<MetricValueMessage> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.off('metric:update', on);
      reject(new Error(`no matching update for ${key} within ${timeoutMs} ms`));
    }, timeoutMs);
    const on = (m: MetricMessage) => {
      if (m.key === key && m.type !== 'delta' && pred(m)) {
        clearTimeout(timer);
        socket.off('metric:update', on);
        resolve(m);
      }
    };
    socket.on('metric:update', on);
  });
}

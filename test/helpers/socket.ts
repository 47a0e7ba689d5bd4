// A real socket.io client for tests, typed with the shared protocol.
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, MetricMessage, ServerToClientEvents, SubscribeReply } from '../../server/push/protocol.ts';

export type TestSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export function connect(url: string, token: string | null): Promise<TestSocket> {
  const socket: TestSocket = io(url, { auth: token ? { token } : {}, transports: ['websocket'], forceNew: true, reconnection: false });
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

/** Resolves with the first update of `key` that satisfies `pred`. */
export function nextUpdate(socket: TestSocket, key: string, pred: (m: MetricMessage) => boolean = () => true, timeoutMs = 10_000): Promise<MetricMessage> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.off('metric:update', on);
      reject(new Error(`no matching update for ${key} within ${timeoutMs} ms`));
    }, timeoutMs);
    const on = (m: MetricMessage) => {
      if (m.key === key && pred(m)) {
        clearTimeout(timer);
        socket.off('metric:update', on);
        resolve(m);
      }
    };
    socket.on('metric:update', on);
  });
}

// Redis connections (ioredis) for the fleet's shared state. Commands fail fast when Redis is unreachable (no
// offline queue, a command timeout) so that a request depending on Redis can answer 503 within 2 s instead
// of hanging; the connection keeps reconnecting by itself and everything resumes when Redis is back.
import { Redis } from 'ioredis';

export interface RedisOptions {
  /** Shown by CLIENT LIST, for operators. */
  name: string;
  /** Blocking reads (XREADGROUP … BLOCK) need a connection without a command timeout. @default false */
  blocking?: boolean;
  /**
   * Commands wait while disconnected instead of failing: for a client that loops on a blocking read and
   * would spin on instant failures (socket.io's Redis adapter). @default false
   */
  waitWhileOffline?: boolean;
  /** Told of connection errors (ioredis reconnects by itself; without a listener it prints each one). */
  onError?: (err: Error) => void;
}

/** A command gets this long before it fails (the 503 budget is 2 s). */
export const REDIS_COMMAND_TIMEOUT_MS = 1_000;

export function connectRedis(url: string, opts: RedisOptions): Redis {
  const redis = new Redis(url, {
    connectionName: opts.name,
    enableOfflineQueue: opts.waitWhileOffline ?? false,
    maxRetriesPerRequest: opts.waitWhileOffline ? null : 0,
    ...(opts.blocking ? {} : { commandTimeout: REDIS_COMMAND_TIMEOUT_MS }),
    // Reconnect forever, at most a second apart.
    retryStrategy: (times) => Math.min(100 * times, 1_000),
  });
  redis.on('error', opts.onError ?? (() => undefined));
  return redis;
}

/** Resolves once the connection is ready (or rejects after `timeoutMs`). */
export function redisReady(redis: Redis, timeoutMs = 5_000): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      redis.off('ready', onReady);
      reject(new Error(`Redis not ready after ${timeoutMs} ms`));
    }, timeoutMs);
    const onReady = (): void => {
      clearTimeout(timer);
      resolve();
    };
    redis.once('ready', onReady);
  });
}

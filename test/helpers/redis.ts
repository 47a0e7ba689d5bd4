// One real redis-server for a test file (test/helpers/redis-server.ts starts it).
import { afterAll, beforeAll } from 'vitest';
import { startRedis, type RedisServer } from './redis-server.ts';

export { freePort, startRedis, type RedisServer } from './redis-server.ts';

/** One redis-server for the whole test file. */
export function useRedis(): () => RedisServer {
  let r: RedisServer | undefined;
  beforeAll(async () => {
    r = await startRedis();
  });
  afterAll(async () => {
    await r?.close();
  });
  return () => r!;
}

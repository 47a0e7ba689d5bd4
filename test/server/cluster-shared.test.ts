// The shared-state contracts of a fleet (leadership, snapshot cache): the in-process and the Redis
// implementations pass the same suite; the Redis one then also shows what only a fleet has (several members,
// a crashed leader, Redis going away). Real redis-server, started by the test.
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalLeadership, RedisLeadership, type Leadership } from '../../server/cluster/lease.ts';
import { LocalSnapshotCache, RedisSnapshotCache, type SnapshotCache } from '../../server/cluster/snapshots.ts';
import { connectRedis, redisReady } from '../../server/plugins/redis.ts';
import { useRedis } from '../helpers/redis.ts';

const redisServer = useRedis();
const opened: Redis[] = [];
const members: Leadership[] = [];

afterEach(async () => {
  for (const m of members.splice(0)) await m.stop();
  for (const r of opened.splice(0)) r.disconnect();
});

async function redis(): Promise<Redis> {
  const r = connectRedis(redisServer().url, { name: 'test' });
  opened.push(r);
  await redisReady(r);
  return r;
}

interface Variant {
  name: string;
  /** A member of a fleet sharing `fleet` (a key prefix), with its snapshot cache. */
  member(fleet: string, leaseMs?: number): Promise<{ leadership: Leadership; cache: SnapshotCache }>;
}

const variants: Variant[] = [
  {
    name: 'in-process',
    async member() {
      const leadership = new LocalLeadership();
      members.push(leadership);
      return { leadership, cache: new LocalSnapshotCache(leadership) };
    },
  },
  {
    name: 'Redis',
    async member(fleet, leaseMs = 600) {
      const r = await redis();
      const leadership = new RedisLeadership({ redis: r, prefix: fleet, leaseMs });
      members.push(leadership);
      return { leadership, cache: new RedisSnapshotCache(r, leadership.leaderKey, fleet) };
    },
  },
];

const until = async (what: () => boolean, timeoutMs: number): Promise<number> => {
  const t0 = performance.now();
  while (!what()) {
    if (performance.now() - t0 > timeoutMs) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return performance.now() - t0;
};

for (const v of variants) {
  describe(`shared state, ${v.name}`, () => {
    it('a started member leads, with a positive fence and a token naming it, and tells its listeners', async () => {
      const { leadership } = await v.member(`t:${randomUUID()}:`);
      const changes: Array<[boolean, number]> = [];
      leadership.onChange((leader, fence) => changes.push([leader, fence]));
      expect(leadership.isLeader).toBe(false);
      expect(leadership.token).toBeNull();
      await leadership.start();
      expect(leadership.isLeader).toBe(true);
      expect(leadership.fence).toBeGreaterThan(0);
      expect(leadership.token).toBe(`${leadership.instanceId}:${leadership.fence}`);
      expect(changes).toEqual([[true, leadership.fence]]);
      await leadership.stop();
      expect(leadership.isLeader).toBe(false);
      expect(leadership.token).toBeNull();
      expect(changes).toEqual([[true, changes[0][1]], [false, 0]]);
    });

    it('the leader stores snapshots and everyone reads them; a token that does not lead writes nothing', async () => {
      const { leadership, cache } = await v.member(`t:${randomUUID()}:`);
      await leadership.start();
      const token = leadership.token!;
      expect(await cache.get('sales.gmv|{}')).toBeNull();
      expect(await cache.put('sales.gmv|{}', { seq: 7, asOf: 1_700_000_000_000, json: '{"gmv_fen":123|4}' }, token)).toBe(true);
      expect(await cache.get('sales.gmv|{}')).toEqual({ seq: 7, asOf: 1_700_000_000_000, json: '{"gmv_fen":123|4}' });
      expect(await cache.put('sales.gmv|{}', { seq: 8, asOf: 1, json: '{}' }, `${token}x`)).toBe(false);
      await leadership.stop();
      // The tenure is over: its token no longer writes.
      expect(await cache.put('sales.gmv|{}', { seq: 9, asOf: 2, json: '{}' }, token)).toBe(false);
      expect((await cache.get('sales.gmv|{}'))?.seq).toBe(7);
      await cache.delete('sales.gmv|{}');
      expect(await cache.get('sales.gmv|{}')).toBeNull();
    });

    it('every new tenure gets a larger fence', async () => {
      const fleet = `t:${randomUUID()}:`;
      const a = await v.member(fleet);
      await a.leadership.start();
      const first = a.leadership.fence;
      await a.leadership.stop();
      const b = await v.member(fleet);
      await b.leadership.start();
      expect(b.leadership.isLeader).toBe(true);
      expect(b.leadership.fence).toBeGreaterThan(first);
    });
  });
}

describe('a fleet on Redis', () => {
  const variant = variants[1];

  it('of three members exactly one leads; after a graceful stop another leads within a renewal', async () => {
    const fleet = `t:${randomUUID()}:`;
    const m = await Promise.all([variant.member(fleet), variant.member(fleet), variant.member(fleet)]);
    await Promise.all(m.map((x) => x.leadership.start()));
    await new Promise((r) => setTimeout(r, 500));
    const leaders = m.filter((x) => x.leadership.isLeader);
    expect(leaders).toHaveLength(1);
    const old = leaders[0].leadership;
    const fence = old.fence;
    await old.stop();
    const ms = await until(() => m.some((x) => x.leadership.isLeader), 1_000);
    expect(ms).toBeLessThan(1_000);
    expect(m.filter((x) => x.leadership.isLeader)).toHaveLength(1);
    expect(m.find((x) => x.leadership.isLeader)!.leadership.fence).toBeGreaterThan(fence);
  });

  it('a leader that goes silent (its connection cut) steps down, and another leads within 5 s at the default lease', async () => {
    const fleet = `t:${randomUUID()}:`;
    const a = await variant.member(fleet, 3_000);
    await a.leadership.start();
    const token = a.leadership.token!;
    const b = await variant.member(fleet, 3_000);
    await b.leadership.start();
    expect(b.leadership.isLeader).toBe(false);
    // A crash as the fleet sees it: no renewal, no release.
    opened[0].disconnect();
    const t0 = performance.now();
    await until(() => !a.leadership.isLeader, 3_000);
    const stepDownMs = performance.now() - t0;
    const takeoverMs = await until(() => b.leadership.isLeader, 5_000) + stepDownMs;
    expect(stepDownMs).toBeLessThan(3_000);
    expect(takeoverMs).toBeLessThan(5_000);
    // The old tenure is fenced out, even if its process wakes up later with its token.
    expect(await b.cache.put('k', { seq: 1, asOf: 1, json: '1' }, token)).toBe(false);
    expect(await b.cache.put('k', { seq: 1, asOf: 1, json: '1' }, b.leadership.token!)).toBe(true);
  }, 15_000);

  it('Redis stopped: the leader steps down within its lease; Redis back: one member leads again by itself', async () => {
    const fleet = `t:${randomUUID()}:`;
    const m = await Promise.all([variant.member(fleet), variant.member(fleet)]);
    await Promise.all(m.map((x) => x.leadership.start()));
    await until(() => m.some((x) => x.leadership.isLeader), 1_000);
    await redisServer().stop({ kill: true });
    try {
      await until(() => m.every((x) => !x.leadership.isLeader), 1_000);
    } finally {
      await redisServer().start();
    }
    await until(() => m.filter((x) => x.leadership.isLeader).length === 1, 5_000);
    await new Promise((r) => setTimeout(r, 300));
    expect(m.filter((x) => x.leadership.isLeader)).toHaveLength(1);
  }, 15_000);
});

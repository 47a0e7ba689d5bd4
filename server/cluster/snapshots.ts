// The latest value of every subscription, where every instance can read it: a socket subscribing on any
// instance gets its snapshot from here, and a new leader continues each subscription's sequence from here
// (seq + 1), so clients see no gap they cannot repair. Written only by the leader, fenced by its token.
// One small contract, two implementations: a Map (single instance) and a Redis hash.
import type { Redis } from 'ioredis';
import { FENCE_CHECK, type Leadership } from './lease.ts';

export interface Snapshot {
  seq: number;
  /** Epoch ms the value is current as of. */
  asOf: number;
  /** The value, JSON-encoded once by the leader. */
  json: string;
}

export interface SnapshotCache {
  /** Stores the value of `key` if `token` still leads; false when fenced out (nothing written). */
  put(key: string, snap: Snapshot, token: string): Promise<boolean>;
  get(key: string): Promise<Snapshot | null>;
  delete(key: string): Promise<void>;
}

/** In one process: the leadership is local, so the token is checked against it. */
export class LocalSnapshotCache implements SnapshotCache {
  private readonly map = new Map<string, Snapshot>();
  constructor(private readonly leadership: Leadership) {}

  async put(key: string, snap: Snapshot, token: string): Promise<boolean> {
    if (this.leadership.token !== token) return false;
    this.map.set(key, snap);
    return true;
  }
  async get(key: string): Promise<Snapshot | null> {
    return this.map.get(key) ?? null;
  }
  async delete(key: string): Promise<void> {
    this.map.delete(key);
  }
}

// KEYS[1] leader key, KEYS[2] the hash; ARGV[1] token, ARGV[2] field, ARGV[3] value.
const PUT = `${FENCE_CHECK}redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
return 1`;

/** A Redis hash `<prefix>snapshots`: field = subscription key, value = `seq|asOf|json`. */
export class RedisSnapshotCache implements SnapshotCache {
  private readonly hash: string;
  constructor(
    private readonly redis: Redis,
    private readonly leaderKey: string,
    prefix = 'rxpulse:',
  ) {
    this.hash = `${prefix}snapshots`;
  }

  async put(key: string, snap: Snapshot, token: string): Promise<boolean> {
    const ok = await this.redis.eval(PUT, 2, this.leaderKey, this.hash, token, key, `${snap.seq}|${snap.asOf}|${snap.json}`);
    return ok === 1;
  }
  async get(key: string): Promise<Snapshot | null> {
    const raw = await this.redis.hget(this.hash, key);
    if (raw === null) return null;
    const a = raw.indexOf('|');
    const b = raw.indexOf('|', a + 1);
    return { seq: Number(raw.slice(0, a)), asOf: Number(raw.slice(a + 1, b)), json: raw.slice(b + 1) };
  }
  async delete(key: string): Promise<void> {
    await this.redis.hdel(this.hash, key);
  }
}

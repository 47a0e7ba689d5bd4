// Leadership: which instance computes the fleet's shared work (subscriptions, projection, rules). One small
// contract, two implementations: in-process (a single instance always leads) and Redis (a lease on one key,
// renewed, with a fencing token from a counter). Whoever holds token T may write fenced state only while the
// leader key still holds T (see fencedScript): an instance paused past its lease cannot overwrite its
// successor's work when it wakes up.
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

export interface Leadership {
  /** True while this instance holds the lease. */
  readonly isLeader: boolean;
  /** The fencing token of the current tenure (`<instance>:<fence>`), or null when not leading. */
  readonly token: string | null;
  /** Monotonic across the fleet: every new tenure gets a larger fence. 0 when not leading. */
  readonly fence: number;
  readonly instanceId: string;
  /** Called on every change of tenure (true with the new fence; false when it ends). */
  onChange(fn: (leader: boolean, fence: number) => void): void;
  start(): Promise<void>;
  /** Ends the tenure (releases the lease at once) and stops trying. */
  stop(): Promise<void>;
}

type Listener = (leader: boolean, fence: number) => void;

abstract class BaseLeadership implements Leadership {
  protected leader = false;
  protected currentFence = 0;
  private readonly listeners: Listener[] = [];
  constructor(readonly instanceId: string) {}

  get isLeader(): boolean {
    return this.leader;
  }
  get fence(): number {
    return this.leader ? this.currentFence : 0;
  }
  get token(): string | null {
    return this.leader ? `${this.instanceId}:${this.currentFence}` : null;
  }
  onChange(fn: Listener): void {
    this.listeners.push(fn);
  }
  protected become(leader: boolean, fence: number): void {
    if (leader === this.leader && (!leader || fence === this.currentFence)) return;
    this.leader = leader;
    if (leader) this.currentFence = fence;
    for (const fn of this.listeners) fn(leader, this.fence);
  }
  abstract start(): Promise<void>;
  abstract stop(): Promise<void>;
}

/** A single instance: it leads from start to stop. Fences count the tenures of this process. */
export class LocalLeadership extends BaseLeadership {
  private static tenures = 0;
  constructor(instanceId = 'local') {
    super(instanceId);
  }
  async start(): Promise<void> {
    this.become(true, ++LocalLeadership.tenures);
  }
  async stop(): Promise<void> {
    this.become(false, 0);
  }
}

export interface RedisLeadershipOptions {
  redis: Redis;
  /** Key prefix shared by the fleet. @default 'rxpulse:' */
  prefix?: string;
  /** Lease length: after a crash, another instance leads at most this + renewMs later. @default 3_000 ms */
  leaseMs?: number;
  /** Renewal by the leader. @default leaseMs / 3 */
  renewMs?: number;
  /** Acquisition attempts by the others (one EVAL each): a dead leader is replaced this soon after its lease. @default 250 ms */
  acquireMs?: number;
  instanceId?: string;
}

// KEYS[1] leader key, KEYS[2] fence counter; ARGV[1] instance id, ARGV[2] lease ms. Returns the new fence or 0.
const ACQUIRE = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local fence = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], ARGV[1] .. ':' .. fence, 'PX', ARGV[2])
return fence`;
// KEYS[1] leader key; ARGV[1] token, ARGV[2] lease ms. 1 when renewed, 0 when the lease is someone else's.
const RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`;
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/**
 * The Lua prologue of a fenced write: KEYS[1] must be the leader key and ARGV[1] the writer's token; the
 * script goes on only while that token still holds the lease.
 */
export const FENCE_CHECK = `if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end\n`;

export class RedisLeadership extends BaseLeadership {
  private readonly redis: Redis;
  readonly leaderKey: string;
  private readonly fenceKey: string;
  private readonly leaseMs: number;
  private readonly renewMs: number;
  private readonly acquireMs: number;
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  /** When the last renewal (or the acquisition) was confirmed, by this process's monotonic clock. */
  private confirmedAt = 0;
  private tick: Promise<void> = Promise.resolve();

  constructor(opts: RedisLeadershipOptions) {
    super(opts.instanceId ?? randomUUID());
    this.redis = opts.redis;
    const prefix = opts.prefix ?? 'rxpulse:';
    this.leaderKey = `${prefix}leader`;
    this.fenceKey = `${prefix}leader:fence`;
    this.leaseMs = opts.leaseMs ?? 3_000;
    this.renewMs = opts.renewMs ?? Math.max(50, Math.floor(this.leaseMs / 3));
    this.acquireMs = Math.min(this.renewMs, opts.acquireMs ?? 250);
  }

  async start(): Promise<void> {
    this.running = true;
    await this.step();
    this.schedule();
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.tick;
    const token = this.token;
    this.become(false, 0);
    if (token) await this.redis.eval(RELEASE, 1, this.leaderKey, token).catch(() => undefined);
  }

  private schedule(): void {
    if (!this.running) return;
    this.timer = setTimeout(() => {
      this.tick = this.step().finally(() => this.schedule());
    }, this.leader ? this.renewMs : this.acquireMs);
    this.timer.unref();
  }

  private async step(): Promise<void> {
    const now = performance.now();
    try {
      if (this.leader) {
        const token = this.token!;
        const ok = (await this.redis.eval(RENEW, 1, this.leaderKey, token, String(this.leaseMs))) as number;
        if (ok === 1) this.confirmedAt = now;
        else this.become(false, 0);
      } else {
        const fence = (await this.redis.eval(ACQUIRE, 2, this.leaderKey, this.fenceKey, this.instanceId, String(this.leaseMs))) as number;
        if (fence > 0 && this.running) {
          this.confirmedAt = now;
          this.become(true, fence);
        }
      }
    } catch {
      // Redis unreachable: a leader steps down before its lease can have expired on the Redis side (it was
      // renewed at confirmedAt at the latest), so two instances never believe they lead at once.
    }
    if (this.leader && performance.now() - this.confirmedAt > this.leaseMs - this.renewMs) this.become(false, 0);
  }
}

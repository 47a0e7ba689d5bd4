// Displays in a fleet (REDIS_URL). The leader's core owns the displays (they live in storage, which only it
// opens); every front must still admit a wall's socket, check its subscriptions and hear its reports. So:
// - the core publishes the directory in Redis (`<prefix>displays`: token hash → display id and the
//   subscription keys it may read) at start and after every change, then tells every instance, which reads
//   it again at once (and every 2 s anyway): a revoke or a move holds on every instance within a second;
// - fronts record what they hear from walls (`<prefix>display-presence`: id → last seen and last report),
//   which the core reads for GET /api/v1/displays and DISPLAY_OFFLINE;
// - pairing codes are held in Redis (pairing.ts RedisCodes), and the token reaches the waiting socket on
//   whichever instance holds it through the socket.io adapter.
import type { Redis } from 'ioredis';
import type { FastifyBaseLogger } from 'fastify';
import type { DisplayTokens } from '../auth/tokens.ts';
import type { DisplayReport } from '../push/protocol.ts';
import { tokenHash, type DisplayStore } from './store.ts';

interface DirectoryEntry {
  id: string;
  keys: string[];
}

const directoryKey = (prefix: string) => `${prefix}displays`;
const presenceKey = (prefix: string) => `${prefix}display-presence`;

/** The core: writes every display's token hash, id and scope (replacing what was there). */
export async function publishDirectory(redis: Redis, prefix: string, store: DisplayStore): Promise<void> {
  const entries = store.directory();
  const tx = redis.multi().del(directoryKey(prefix));
  if (entries.length) tx.hset(directoryKey(prefix), Object.fromEntries(entries.map((e) => [e.token_hash, JSON.stringify({ id: e.display_id, keys: e.keys } satisfies DirectoryEntry)])));
  await tx.exec();
}

/** A front's copy of the directory: admits display sockets and checks their subscriptions. */
export class DisplayDirectory implements DisplayTokens {
  private byHash = new Map<string, DirectoryEntry>();
  private scopes = new Map<string, Set<string>>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly log: FastifyBaseLogger,
  ) {}

  async refresh(): Promise<void> {
    const all = await this.redis.hgetall(directoryKey(this.prefix));
    const byHash = new Map<string, DirectoryEntry>();
    const scopes = new Map<string, Set<string>>();
    for (const [hash, json] of Object.entries(all)) {
      const e = JSON.parse(json) as DirectoryEntry;
      byHash.set(hash, e);
      scopes.set(e.id, new Set(e.keys));
    }
    this.byHash = byHash;
    this.scopes = scopes;
  }

  start(): void {
    this.timer = setInterval(() => void this.refresh().catch((err) => this.log.warn({ err }, 'displays: directory refresh failed')), 2_000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  byToken(token: string): { display_id: string } | undefined {
    const e = this.byHash.get(tokenHash(token));
    return e ? { display_id: e.id } : undefined;
  }

  allows(id: string, key: string): boolean {
    return this.scopes.get(id)?.has(key) ?? false;
  }
}

interface PresenceRecord {
  lastSeen: number;
  report: DisplayReport | null;
}

/** A front: records that it heard from a wall (a connection, a report, a disconnection). */
export async function recordPresence(redis: Redis, prefix: string, id: string, at: number, report?: DisplayReport): Promise<void> {
  const key = presenceKey(prefix);
  const before = report ? null : await redis.hget(key, id);
  const kept = before ? (JSON.parse(before) as PresenceRecord).report : null;
  await redis.hset(key, id, JSON.stringify({ lastSeen: at, report: report ?? kept } satisfies PresenceRecord));
}

/** The core: what the fronts heard from every wall. */
export async function readPresence(redis: Redis, prefix: string): Promise<Map<string, PresenceRecord>> {
  const all = await redis.hgetall(presenceKey(prefix));
  return new Map(Object.entries(all).map(([id, json]) => [id, JSON.parse(json) as PresenceRecord]));
}

export async function forgetPresence(redis: Redis, prefix: string, id: string): Promise<void> {
  await redis.hdel(presenceKey(prefix), id);
}

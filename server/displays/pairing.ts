// Pairing a wall by code (CONTRACT "Displays"). A wall with no token connects to the `/pair` namespace (no
// token needed; the per-address limits of unauthenticated connections apply, server/push/connections.ts): it
// gets a code of 6 characters from PAIRING_ALPHABET, valid 10 minutes and renewed before it runs out, and
// waits. An admin's POST /api/v1/displays with that code makes the display; its token goes to the sockets in
// the code's room (on any instance of a fleet: the adapter carries room emits) and nowhere else.
import { randomInt } from 'node:crypto';
import type { Namespace } from 'socket.io';
import type { Redis } from 'ioredis';
import type { FastifyBaseLogger } from 'fastify';
import type { IoServer } from '../plugins/io.ts';
import type { Clock } from '../time.ts';

export const PAIRING_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
export const CODE_LENGTH = 6;
export const CODE_TTL_MS = 10 * 60_000;
/** A code is replaced this long before it runs out (a wall never shows a code about to expire). */
const RENEW_BEFORE_MS = 30_000;
export const PAIR_NAMESPACE = '/pair';
const room = (code: string) => `pair:${code}`;

/** What the wall gets once paired (its token, once, over its own socket). */
export interface PairedMessage {
  token: string;
  display_id: string;
}

export interface PairServerEvents {
  'pair:code': (m: { code: string; expires_at: string }) => void;
  'pair:token': (m: PairedMessage) => void;
}

export function newCode(): string {
  let code = '';
  for (let i = 0; i < CODE_LENGTH; i++) code += PAIRING_ALPHABET[randomInt(PAIRING_ALPHABET.length)];
  return code;
}

/** The codes handed out and not yet used or expired: in memory, or in Redis for a fleet. */
export interface CodeRegistry {
  /** Holds `code` until `expiresAt`; false when it is held already (another wall has it). */
  hold(code: string, expiresAt: number): Promise<boolean>;
  /** Takes a held, unexpired code (once): true if it was. */
  take(code: string): Promise<boolean>;
  release(code: string): Promise<void>;
}

export class MemoryCodes implements CodeRegistry {
  private readonly codes = new Map<string, number>();
  constructor(private readonly clock: Clock) {}

  async hold(code: string, expiresAt: number): Promise<boolean> {
    const now = this.clock.now();
    for (const [c, at] of this.codes) if (at <= now) this.codes.delete(c);
    if (this.codes.has(code)) return false;
    this.codes.set(code, expiresAt);
    return true;
  }

  async take(code: string): Promise<boolean> {
    const at = this.codes.get(code);
    this.codes.delete(code);
    return at !== undefined && at > this.clock.now();
  }

  async release(code: string): Promise<void> {
    this.codes.delete(code);
  }
}

export class RedisCodes implements CodeRegistry {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly clock: Clock,
  ) {}

  async hold(code: string, expiresAt: number): Promise<boolean> {
    return (await this.redis.set(`${this.prefix}pair:${code}`, '1', 'PX', Math.max(1, expiresAt - this.clock.now()), 'NX')) === 'OK';
  }

  async take(code: string): Promise<boolean> {
    return (await this.redis.del(`${this.prefix}pair:${code}`)) === 1;
  }

  async release(code: string): Promise<void> {
    await this.redis.del(`${this.prefix}pair:${code}`);
  }
}

/** Serves `/pair`: each socket gets a code (renewed) until it is paired or leaves. */
export function servePairing(io: IoServer, codes: CodeRegistry, clock: Clock, log: FastifyBaseLogger): Namespace {
  const ns = io.of(PAIR_NAMESPACE) as unknown as Namespace<Record<string, never>, PairServerEvents>;
  ns.on('connection', (socket) => {
    let code: string | null = null;
    let timer: NodeJS.Timeout | undefined;
    const issue = async (): Promise<void> => {
      if (code) {
        await codes.release(code);
        void socket.leave(room(code));
      }
      for (let attempt = 0; attempt < 20; attempt++) {
        const candidate = newCode();
        const expiresAt = clock.now() + CODE_TTL_MS;
        if (!(await codes.hold(candidate, expiresAt))) continue;
        if (!socket.connected) return void codes.release(candidate);
        code = candidate;
        void socket.join(room(candidate));
        socket.emit('pair:code', { code: candidate, expires_at: new Date(expiresAt).toISOString() });
        timer = setTimeout(() => void issue().catch((err) => log.warn({ err }, 'pairing: renewing a code failed')), CODE_TTL_MS - RENEW_BEFORE_MS);
        timer.unref();
        return;
      }
      socket.disconnect(true);
    };
    void issue().catch((err) => {
      log.warn({ err }, 'pairing: no code could be issued');
      socket.disconnect(true);
    });
    socket.on('disconnect', () => {
      clearTimeout(timer);
      if (code) void codes.release(code).catch(() => undefined);
    });
  });
  return ns as unknown as Namespace;
}

/** Sends a new display's token to the wall waiting with `code` (whichever instance holds its socket). */
export function deliverToken(io: IoServer, code: string, message: PairedMessage): void {
  (io.of(PAIR_NAMESPACE) as unknown as Namespace<Record<string, never>, PairServerEvents>).to(room(code)).emit('pair:token', message);
}

// Bearer tokens and rights (CONTRACT "Auth"). The ingest token may write events and reference data; the admin
// token may do everything. (Display tokens of paired screens come with the screens work.)
import { timingSafeEqual, createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from '../config.ts';
import { RxpError } from '../errors.ts';

export type Right = 'public' | 'ingest' | 'read' | 'admin';
export type Role = 'ingest' | 'admin';

const RIGHTS: Record<Role, readonly Right[]> = {
  ingest: ['public', 'ingest'],
  admin: ['public', 'ingest', 'read', 'admin'],
};

declare module 'fastify' {
  interface FastifyContextConfig {
    /** What a route needs; every /api/ route but health must say. @default 'admin' */
    right?: Right;
  }
}

// Hashing first makes the comparison constant-time whatever the lengths.
const digest = (s: string) => createHash('sha256').update(s).digest();

export function roleOf(config: Config, token: string | undefined): Role | null {
  if (!token) return null;
  const d = digest(token);
  if (timingSafeEqual(d, digest(config.tokens.admin))) return 'admin';
  if (timingSafeEqual(d, digest(config.tokens.ingest))) return 'ingest';
  return null;
}

export function can(role: Role, right: Right): boolean {
  return RIGHTS[role].includes(right);
}

function bearer(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization;
  const m = h ? /^Bearer\s+(\S+)$/i.exec(h) : null;
  return m?.[1];
}

/** onRequest hook: every /api/ route needs a token with its right, except those declared public. */
export function registerAuth(app: FastifyInstance, config: Config): void {
  app.addHook('onRequest', async (req) => {
    if (!req.url.startsWith('/api/')) return;
    const right = req.routeOptions.config?.right ?? 'admin';
    if (right === 'public') return;
    const role = roleOf(config, bearer(req));
    if (!role) throw new RxpError('RXP_ERR_AUTH_MISSING');
    if (!can(role, right)) throw new RxpError('RXP_ERR_AUTH_FORBIDDEN', `the ${role} token may not do this (needs ${right})`);
  });
}

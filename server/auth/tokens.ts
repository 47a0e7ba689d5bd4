// Bearer tokens and rights (CONTRACT "Auth", "Displays"). The ingest token may write events and reference data;
// the admin token may do everything; a display token (a paired wall, server/displays/) reads only what its
// screens show, on the routes that opt in (`config.display`) and check its scope, and writes nothing.
//
// One gate, deny by default (THREATS "Rules that follow"): the right is read from the route the router
// matched (`routeOptions.config.right`), never from the raw URL, so every spelling of a path that reaches a
// route (percent-encoded, `//`, `.`) meets the same check. A route that declares no right is admin-only; a
// request that matches no route gets the coded 404 before any handler. The socket.io handshake uses the same
// `roleOf`/`can` (server/plugins/io.ts).
import { timingSafeEqual, createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from '../config.ts';
import { RxpError } from '../errors.ts';

export type Right = 'public' | 'ingest' | 'read' | 'admin';
export type Role = 'ingest' | 'admin' | 'display';

const RIGHTS: Record<Role, readonly Right[]> = {
  ingest: ['public', 'ingest'],
  admin: ['public', 'ingest', 'read', 'admin'],
  display: ['public', 'read'],
};

/** Who a request or socket is: a role, and for a display token the display. */
export interface Principal {
  role: Role;
  display?: string;
}

/** Display tokens (server/displays/store.ts), looked up by the token's hash. */
export interface DisplayTokens {
  byToken(token: string): { display_id: string } | undefined;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** What a route needs. Routes that declare nothing are admin-only (deny by default). @default 'admin' */
    right?: Right;
    /** A display token may call this route (which then checks the display's scope itself). @default false */
    display?: boolean;
  }
  interface FastifyRequest {
    /** Who sent it (set by the gate; null on public routes without a token). */
    principal: Principal | null;
  }
}

/** The window of config.authFailMax (failed authentications per client address). @default 60_000 ms */
export const AUTH_FAIL_WINDOW_MS = 60_000;

// Hashing first makes the comparison constant-time whatever the lengths.
const digest = (s: string) => createHash('sha256').update(s).digest();

export function roleOf(config: Config, token: string | undefined): Role | null {
  if (!token) return null;
  const d = digest(token);
  if (timingSafeEqual(d, digest(config.tokens.admin))) return 'admin';
  if (timingSafeEqual(d, digest(config.tokens.ingest))) return 'ingest';
  return null;
}

/** A token's principal: the static tokens first, then the displays' (none: null). */
export function principalOf(config: Config, token: string | undefined, displays?: DisplayTokens): Principal | null {
  const role = roleOf(config, token);
  if (role) return { role };
  const d = token && displays ? displays.byToken(token) : undefined;
  return d ? { role: 'display', display: d.display_id } : null;
}

export function can(role: Role, right: Right): boolean {
  return RIGHTS[role].includes(right);
}

/** The right a request needs: its matched route's declaration, admin where it declares none. */
export function rightOf(req: FastifyRequest): Right {
  const right = req.routeOptions.config?.right;
  return right === 'public' || right === 'ingest' || right === 'read' ? right : 'admin';
}

/** The bearer token of a request's Authorization header, if any. */
export function bearerToken(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization;
  const m = h ? /^Bearer\s+(\S+)$/i.exec(h) : null;
  return m?.[1];
}

export interface RouteEntry {
  readonly method: string;
  readonly url: string;
  readonly right: Right;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route of the app with the right it needs (the gate's table; tests walk it). */
    routeTable: RouteEntry[];
  }
}

/** Records every route registered from now on with its right (call right after creating the app). */
export function trackRoutes(app: FastifyInstance): void {
  const table: RouteEntry[] = [];
  app.decorate('routeTable', table);
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    // Read when asked: onRoute hooks of inner scopes (publicScope) run after this one and may still set it.
    for (const method of methods) {
      table.push({
        method,
        url: route.url,
        get right(): Right {
          const right = route.config?.right;
          return right === 'public' || right === 'ingest' || right === 'read' ? right : 'admin';
        },
      });
    }
  });
}

/** Makes every route registered in `scope` (and its children) public: static files, pages. */
export function publicScope(scope: FastifyInstance): void {
  scope.addHook('onRoute', (route) => {
    route.config = { ...(route.config ?? {}), right: 'public' };
  });
}

/**
 * The gate (an onRequest hook on the root instance, so it runs for every route of every plugin). Failed
 * authentications count per IP (@fastify/rate-limit's store); past config.authFailMax in a window the client
 * gets 429 with Retry-After instead of another try.
 */
export function registerAuth(app: FastifyInstance, config: Config, displays?: DisplayTokens): void {
  const failures = app.createRateLimit({ max: config.authFailMax, timeWindow: AUTH_FAIL_WINDOW_MS, keyGenerator: (req) => `auth-fail:${req.ip}` });
  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (req) => {
    // No route matched: the not-found handler answers 404 (nothing to protect, nothing runs).
    if (req.is404) return;
    const right = rightOf(req);
    if (right === 'public') return;
    const principal = principalOf(config, bearerToken(req), displays);
    const role = principal?.role;
    if (!role) {
      const limit = await failures(req);
      if (!limit.isAllowed && limit.isExceeded) {
        throw new RxpError('RXP_ERR_AUTH_RATE_LIMITED', `more than ${config.authFailMax} failed authentications from this address in ${AUTH_FAIL_WINDOW_MS / 1000} s`, {}, limit.ttlInSeconds || 1);
      }
      throw new RxpError('RXP_ERR_AUTH_MISSING');
    }
    if (!can(role, right)) throw new RxpError('RXP_ERR_AUTH_FORBIDDEN', `the ${role} token may not do this (needs ${right})`);
    if (role === 'display' && req.routeOptions.config?.display !== true) throw new RxpError('RXP_ERR_AUTH_FORBIDDEN', 'a display token reads only what its screens show');
    req.principal = principal;
  });
}

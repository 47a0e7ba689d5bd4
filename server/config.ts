// The only reader of process.env. Validates, documents each default with its unit, and returns a frozen
// object that is passed to everything else (STYLE §6).
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { DateTime } from 'luxon';
import { RxpError } from './errors.ts';

export interface Config {
  /** TCP port. @default 3000 */
  readonly port: number;
  /** Listen address. @default '127.0.0.1' */
  readonly host: string;
  /** chDB data and local state. @default './data' */
  readonly dataDir: string;
  /** An extra folder of screen files (JSON or YAML), besides screens/builtin and screens/custom. */
  readonly screensDir: string | null;
  /** Parameters of the compliance rules for this deployment (JSON or YAML, server/rules/index.ts). */
  readonly rulesFile: string | null;
  /** RXPULSE_SETTINGS_FILE: business terms (commission, settlement days per channel); see server/settings.ts. */
  readonly settingsFile: string | null;
  /** A ClickHouse server (HTTP) instead of chDB; unset means embedded chDB at dataDir. */
  readonly clickhouse: null | {
    readonly url: string;
    readonly username: string;
    readonly password: string;
    readonly database: string;
    /** CLICKHOUSE_CLUSTER: create the schema ON CLUSTER as Replicated + Distributed tables (cluster-schema.ts). */
    readonly cluster: string | null;
  };
  /** Database name used on chDB (on a server, `clickhouse.database`). @default 'rxpulse' */
  readonly database: string;
  /** Shares work between instances; unset means single-instance in-process equivalents. */
  readonly redisUrl: string | null;
  /** Prefix of every Redis key of this fleet (several fleets may share one Redis). @default 'rxpulse:' */
  readonly redisPrefix: string;
  /**
   * In a fleet: the address this instance's core listens on while it leads, where the other instances
   * forward requests (an ephemeral port on it). Must be reachable from them. @default '127.0.0.1'
   */
  readonly internalHost: string;
  /** IANA zone of the business day. @default 'Asia/Shanghai' */
  readonly tzBusiness: string;
  /** Built-in demo stream. @default false here; `npm start` turns it on */
  readonly demo: boolean;
  /** Demo seed: the same seed replays the same events (so a restart double-counts nothing). @default 'rxpulse' */
  readonly demoSeed: string;
  /** Demo average paid orders per second over a whole day. @default 3 */
  readonly demoRate: number;
  readonly tokens: {
    readonly ingest: string;
    readonly admin: string;
    /** Tokens generated at start because their variable was unset; main.ts prints them once. */
    readonly generated: readonly ('ingest' | 'admin')[];
  };
  /** pino level. @default 'info' */
  readonly logLevel: string;
  /** RXPULSE_BUSINESS_HOURS: when a wall going offline raises DISPLAY_OFFLINE ("HH:MM-HH:MM" in TZ_BUSINESS). */
  readonly businessHours: string;
  /** RXPULSE_RULES_LATENESS_S: how far behind the newest event time the stream rules judge, so that events
   *  arriving out of order by up to this much (feeds from separate systems) are judged in event-time order. */
  readonly rulesLatenessS: number;
  /** RXPULSE_ID_FILTER_MB: memory each in-memory id filter of the ingest writer may take (event ids, paid
   *  orders; 2 bytes an id). Past it duplicates stay exact but more ids are verified in storage. */
  readonly idFilterMb: number;
  /** RXPULSE_REQUEST_TIMEOUT_MS: a request (headers and body) must arrive within this, or its connection is
   *  closed (a stalled body is cut within this + 5 s). @default 30_000 ms */
  readonly requestTimeoutMs: number;
  /** RXPULSE_KEEP_ALIVE_TIMEOUT_MS: an idle keep-alive connection is closed after this. @default 10_000 ms */
  readonly keepAliveTimeoutMs: number;
  /** RXPULSE_AUTH_FAIL_MAX: failed authentications allowed per client address per minute; past it, 429.
   *  Tokens are 24 random bytes, so this is about floods and log noise, not guessing. @default 600 */
  readonly authFailMax: number;
  /** Socket bounds (server/push/guard.ts, connections.ts). Behind a reverse proxy every wall shares the
   *  proxy's address: raise the per-address ones there. */
  readonly sockets: {
    /** RXPULSE_SOCKET_SUBSCRIPTIONS: distinct subscriptions one socket may hold. @default 64 */
    readonly maxSubscriptions: number;
    /** RXPULSE_SOCKET_MESSAGES_PER_S: messages a second one socket may send (burst 5×). @default 20 */
    readonly messagesPerSecond: number;
    /** RXPULSE_SOCKETS_PER_ADDRESS: open socket connections per client address. @default 200 */
    readonly maxPerAddress: number;
    /** RXPULSE_UNAUTHENTICATED_PER_ADDRESS: connections per address not yet authenticated. @default 50 */
    readonly maxUnauthenticated: number;
    /** RXPULSE_HANDSHAKES_PER_S: new connections a second per address (burst 20×). @default 10 */
    readonly handshakesPerSecond: number;
  };
  /** RXPULSE_FRAME_ANCESTORS: origins (space-separated) allowed to embed pages in a frame; none by default. */
  readonly frameAncestors: readonly string[];
  /** RXPULSE_ALLOWED_ORIGINS: browser origins (space-separated) besides the server's own that may open a
   *  socket (a wall served through another host name). @default none */
  readonly allowedOrigins: readonly string[];
}

type Env = Record<string, string | undefined>;

function intVar(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new RxpError('RXP_ERR_CONFIG_INVALID', `${name} must be an integer in [${min}, ${max}], got "${raw}"`);
  }
  return n;
}

function onOff(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (['on', 'true', '1', 'yes'].includes(raw)) return true;
  if (['off', 'false', '0', 'no'].includes(raw)) return false;
  throw new RxpError('RXP_ERR_CONFIG_INVALID', `${name} must be on or off, got "${raw}"`);
}

/** A space- or comma-separated list of origins (`https://wall.example.com`). */
function originList(env: Env, name: string): string[] {
  const raw = env[name];
  if (!raw) return [];
  const list = raw.split(/[\s,]+/).filter(Boolean);
  for (const o of list) {
    let ok = false;
    try {
      const u = new URL(o);
      ok = (u.protocol === 'http:' || u.protocol === 'https:') && u.origin === o.replace(/\/$/, '');
    } catch {
      ok = false;
    }
    if (!ok) throw new RxpError('RXP_ERR_CONFIG_INVALID', `${name} must list origins like https://wall.example.com, got "${o}"`);
  }
  return list.map((o) => o.replace(/\/$/, ''));
}

/** Builds the config from an environment (process.env in main.ts, a literal object in tests); `defaults`
 *  stand where a variable is unset (main.ts turns the demo on by default for `npm start`). */
function businessHours(v: string): string {
  if (!/^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-4]):[0-5]\d$/.test(v)) throw new RxpError('RXP_ERR_CONFIG_INVALID', `RXPULSE_BUSINESS_HOURS must be HH:MM-HH:MM (e.g. 08:00-22:00), not "${v}"`);
  return v;
}

export function loadConfig(source: Env = process.env, defaults: Env = {}): Config {
  const env: Env = { ...defaults };
  for (const [k, v] of Object.entries(source)) if (v !== undefined && v !== '') env[k] = v;
  const tz = env.TZ_BUSINESS || 'Asia/Shanghai';
  if (!DateTime.now().setZone(tz).isValid) {
    throw new RxpError('RXP_ERR_CONFIG_INVALID', `TZ_BUSINESS is not an IANA time zone: "${tz}"`);
  }
  const generated: ('ingest' | 'admin')[] = [];
  const token = (name: string, role: 'ingest' | 'admin'): string => {
    const value = env[name];
    if (value) {
      if (value.length < 16) throw new RxpError('RXP_ERR_CONFIG_INVALID', `${name} must be at least 16 characters`);
      return value;
    }
    generated.push(role);
    return randomBytes(24).toString('base64url');
  };
  const ingest = token('RXPULSE_INGEST_TOKEN', 'ingest');
  const admin = token('RXPULSE_ADMIN_TOKEN', 'admin');
  const database = env.CLICKHOUSE_DATABASE || 'rxpulse';
  const demoRate = Number(env.RXPULSE_DEMO_RATE ?? 3);
  if (!(demoRate > 0 && demoRate <= 1000)) {
    throw new RxpError('RXP_ERR_CONFIG_INVALID', `RXPULSE_DEMO_RATE must be in (0, 1000], got "${env.RXPULSE_DEMO_RATE}"`);
  }
  return Object.freeze({
    port: intVar(env, 'PORT', 3000, 0, 65535),
    host: env.HOST || '127.0.0.1',
    dataDir: resolve(env.RXPULSE_DATA_DIR || './data'),
    screensDir: env.RXPULSE_SCREENS_DIR ? resolve(env.RXPULSE_SCREENS_DIR) : null,
    rulesFile: env.RXPULSE_RULES_FILE ? resolve(env.RXPULSE_RULES_FILE) : null,
    settingsFile: env.RXPULSE_SETTINGS_FILE ? resolve(env.RXPULSE_SETTINGS_FILE) : null,
    clickhouse: env.CLICKHOUSE_URL
      ? Object.freeze({
          url: env.CLICKHOUSE_URL,
          username: env.CLICKHOUSE_USER || 'default',
          password: env.CLICKHOUSE_PASSWORD || '',
          database,
          cluster: env.CLICKHOUSE_CLUSTER || null,
        })
      : null,
    database,
    redisUrl: env.REDIS_URL || null,
    redisPrefix: env.RXPULSE_REDIS_PREFIX || 'rxpulse:',
    internalHost: env.RXPULSE_INTERNAL_HOST || '127.0.0.1',
    tzBusiness: tz,
    demo: onOff(env, 'RXPULSE_DEMO', false),
    demoSeed: env.RXPULSE_DEMO_SEED || 'rxpulse',
    demoRate,
    tokens: Object.freeze({ ingest, admin, generated: Object.freeze(generated) }),
    logLevel: env.LOG_LEVEL || 'info',
    businessHours: businessHours(env.RXPULSE_BUSINESS_HOURS ?? '08:00-22:00'),
    rulesLatenessS: intVar(env, 'RXPULSE_RULES_LATENESS_S', 0, 0, 3_600),
    idFilterMb: intVar(env, 'RXPULSE_ID_FILTER_MB', 256, 4, 16_384),
    requestTimeoutMs: intVar(env, 'RXPULSE_REQUEST_TIMEOUT_MS', 30_000, 1_000, 60_000),
    keepAliveTimeoutMs: intVar(env, 'RXPULSE_KEEP_ALIVE_TIMEOUT_MS', 10_000, 1_000, 120_000),
    authFailMax: intVar(env, 'RXPULSE_AUTH_FAIL_MAX', 600, 1, 1_000_000),
    sockets: Object.freeze({
      maxSubscriptions: intVar(env, 'RXPULSE_SOCKET_SUBSCRIPTIONS', 64, 1, 10_000),
      messagesPerSecond: intVar(env, 'RXPULSE_SOCKET_MESSAGES_PER_S', 20, 1, 100_000),
      maxPerAddress: intVar(env, 'RXPULSE_SOCKETS_PER_ADDRESS', 200, 1, 1_000_000),
      maxUnauthenticated: intVar(env, 'RXPULSE_UNAUTHENTICATED_PER_ADDRESS', 50, 1, 1_000_000),
      handshakesPerSecond: intVar(env, 'RXPULSE_HANDSHAKES_PER_S', 10, 1, 1_000_000),
    }),
    frameAncestors: Object.freeze(originList(env, 'RXPULSE_FRAME_ANCESTORS')),
    allowedOrigins: Object.freeze(originList(env, 'RXPULSE_ALLOWED_ORIGINS')),
  });
}

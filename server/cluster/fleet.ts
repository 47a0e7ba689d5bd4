// Several RxPulse instances over Redis (REDIS_URL). Every instance is a *front*: it takes ingest, serves the
// screens' sockets and the HTTP API. One instance at a time is the *leader* (a Redis lease, fenced: lease.ts)
// and runs the *core*: the whole single-instance server of app.ts (storage, writer, projector, hot counters,
// rules, push hub, demo), built when the lease is won and closed when it is lost. So there is exactly one
// writer, one projection, one rules engine and one computation per subscription in the fleet, and a leader
// change is what a restart of a single instance already is (the core recovers from storage), on another process.
//
// - Ingest: fronts put validated events in a Redis Stream; the leader's core writes them and answers
//   (ingest-queue.ts). Redis down: 503 + Retry-After at once.
// - Storage: chDB allows one process per data path, so the leader opens it (all instances share
//   RXPULSE_DATA_DIR on one host; after a kill -9 the next leader opens it) and closes it when it steps down.
//   With CLICKHOUSE_URL the core talks to a ClickHouse server or cluster instead; nothing else changes.
// - HTTP: everything but ingest is forwarded to the leader's core, which listens on RXPULSE_INTERNAL_HOST
//   (its address is published in Redis, fenced by its token).
// - Sockets: socket.io runs on @socket.io/redis-streams-adapter with connection state recovery, so what the
//   leader's hub sends to a room reaches that room's sockets on every instance. A front answers its sockets'
//   subscribe with the leader's snapshot (or the snapshot cache when there is no leader), joins them to the
//   room locally, and lists the subscriptions its sockets hold in Redis; the leader's hub keeps exactly those
//   (hub.retain) and continues their seqs from the snapshot cache after a leader change.
import { randomUUID } from 'node:crypto';
import replyFrom from '@fastify/reply-from';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply } from 'fastify';
import type { Redis } from 'ioredis';
import { buildApp, DISPLAYS_CHANGED, fastifyOptions, installErrorHandlers, installSecurity, socketLimits, PROJECT_ROOT, screenDirs, type AppDeps } from '../app.ts';
import { registerAuth, trackRoutes } from '../auth/tokens.ts';
import type { Config } from '../config.ts';
import { errorBody, RxpError } from '../errors.ts';
import { ingestRoutes } from '../ingest/route.ts';
import { openStorage, type Storage } from '../plugins/clickhouse.ts';
import { ioPlugin } from '../plugins/io.ts';
import { backlogOf, closeForLimits, HARD_BACKLOG, SOCKET_LIMITS, SocketGuard } from '../push/guard.ts';
import { connectRedis, redisReady } from '../plugins/redis.ts';
import { identify, type WantedSubscription } from '../push/hub.ts';
import type { DisplayReport, MetricValueMessage } from '../push/protocol.ts';
import { DisplayDirectory, recordPresence } from '../displays/fleet.ts';
import { RedisCodes, servePairing } from '../displays/pairing.ts';
import { loadRulesFile } from '../rules/index.ts';
import { loadScreenFiles } from '../screens.ts';
import { StreamConsumer, StreamIngest, streamNames } from './ingest-queue.ts';
import { FENCE_CHECK, RedisLeadership } from './lease.ts';
import { RedisSnapshotCache } from './snapshots.ts';
import { systemClock } from '../time.ts';

export interface FleetDeps {
  logger?: AppDeps['logger'];
  clock?: AppDeps['clock'];
  /** Leader lease. @default 3_000 ms */
  leaseMs?: number;
}

/** What an instance tells about itself (GET /api/v1/fleet, tests). */
export interface FleetMember {
  readonly instanceId: string;
  readonly leading: boolean;
  /** The leader's core while this instance leads and its core runs. */
  readonly core: FastifyInstance | null;
  readonly fence: number;
}

declare module 'fastify' {
  interface FastifyInstance {
    fleet: FleetMember;
  }
}

/** The subscriptions held by this instance's sockets, listed in Redis for the leader (`<prefix>subs:<id>`). */
class HeldSubscriptions {
  private readonly held = new Map<string, WantedSubscription>();
  private readonly key: string;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    instanceId: string,
  ) {
    this.key = `${prefix}subs:${instanceId}`;
    // Rewritten every few seconds with a short expiry: a crashed instance's list goes away by itself, and
    // one lost while Redis was down comes back.
    this.timer = setInterval(() => void this.write(), 5_000).unref();
  }

  get(key: string): WantedSubscription | undefined {
    return this.held.get(key);
  }

  hold(key: string, want: WantedSubscription): void {
    if (this.held.has(key)) return;
    this.held.set(key, want);
    void this.write();
  }

  drop(key: string): void {
    if (this.held.delete(key)) void this.write();
  }

  private async write(): Promise<void> {
    const tx = this.redis.multi().del(this.key);
    if (this.held.size > 0) tx.hset(this.key, Object.fromEntries([...this.held].map(([k, w]) => [k, JSON.stringify(w)]))).pexpire(this.key, 15_000);
    await tx.exec().catch(() => undefined);
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.redis.del(this.key).catch(() => undefined);
  }
}

/** Every instance's held subscriptions: what the leader's hub keeps. */
async function wantedByFleet(redis: Redis, prefix: string): Promise<Map<string, WantedSubscription>> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}subs:*`, 'COUNT', 200);
    keys.push(...batch);
    cursor = next;
  } while (cursor !== '0');
  const wanted = new Map<string, WantedSubscription>();
  for (const k of keys) for (const [key, v] of Object.entries(await redis.hgetall(k))) wanted.set(key, JSON.parse(v) as WantedSubscription);
  return wanted;
}

// KEYS[1] leader key, KEYS[2] address key; ARGV[1] token, ARGV[2] URL.
const PUBLISH_ADDRESS = `${FENCE_CHECK}redis.call('SET', KEYS[2], ARGV[1] .. '|' .. ARGV[2])
return 1`;

/** Where the current leader's core listens: published by the leader (fenced), valid only with its lease. */
class LeaderAddress {
  private readonly addrKey: string;
  constructor(
    private readonly redis: Redis,
    private readonly leaderKey: string,
    prefix: string,
  ) {
    this.addrKey = `${prefix}leader:addr`;
  }
  async publish(token: string, url: string): Promise<boolean> {
    return (await this.redis.eval(PUBLISH_ADDRESS, 2, this.leaderKey, this.addrKey, token, url)) === 1;
  }
  /** The leader's core URL, or null when no leader serves yet (none elected, or its core is starting). */
  async url(): Promise<string | null> {
    const [lease, addr] = await this.redis.mget(this.leaderKey, this.addrKey);
    if (!lease || !addr?.startsWith(`${lease}|`)) return null;
    return addr.slice(lease.length + 1);
  }
}

/** The metric and params of a subscription key (`<metric id><params as sorted JSON>`, run.ts subscriptionKey). */
function fromKey(key: string): WantedSubscription | null {
  const brace = key.indexOf('{');
  if (brace <= 0) return null;
  try {
    return { metric: key.slice(0, brace), params: JSON.parse(key.slice(brace)) as Record<string, unknown> };
  } catch {
    return null;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const noLeader = (detail: string) => new RxpError('RXP_ERR_FLEET_UNAVAILABLE', detail, {}, 1);

export async function buildFleetApp(config: Config, deps: FleetDeps = {}): Promise<FastifyInstance> {
  const redisUrl = config.redisUrl;
  if (!redisUrl) throw new RxpError('RXP_ERR_CONFIG_INVALID', 'a fleet needs REDIS_URL');
  // A bad screen or rules file stops the start here too, not only when this instance first leads.
  loadScreenFiles(screenDirs(config), PROJECT_ROOT);
  loadRulesFile(config.rulesFile);
  const prefix = config.redisPrefix;
  const instanceId = randomUUID();
  const app = Fastify(fastifyOptions(config, deps.logger));
  trackRoutes(app);
  installErrorHandlers(app);
  await installSecurity(app, config);

  // Commands fail fast; subscriber and stream readers block, each on its own connection. Connection errors
  // are logged at most every 10 s (each connection retries every second while Redis is away).
  let errorLoggedAt = 0;
  const onError = (err: Error): void => {
    if (Date.now() - errorLoggedAt < 10_000) return;
    errorLoggedAt = Date.now();
    app.log.warn({ err: err.message }, 'fleet: Redis connection error (retrying)');
  };
  const redis = connectRedis(redisUrl, { name: `rxpulse:${instanceId}`, onError });
  const subscriber = connectRedis(redisUrl, { name: `rxpulse-replies:${instanceId}`, blocking: true, onError });
  // The adapter reads on a duplicate of this connection in a loop: failing at once while Redis is away would
  // make that loop spin, so its commands wait for the connection instead.
  const ioConn = connectRedis(redisUrl, { name: `rxpulse-io:${instanceId}`, blocking: true, waitWhileOffline: true, onError });
  const consumerConn = connectRedis(redisUrl, { name: `rxpulse-writer:${instanceId}`, blocking: true, onError });
  const conns = [redis, subscriber, ioConn, consumerConn];
  try {
    await Promise.all(conns.map((c) => redisReady(c, 10_000)));
  } catch (err) {
    for (const c of conns) c.disconnect();
    throw new RxpError('RXP_ERR_CONFIG_INVALID', `REDIS_URL: ${(err as Error).message}`);
  }

  // Walls: display tokens and their scopes from the directory the leader's core publishes; pairing codes in
  // Redis; what walls report goes to Redis for the core (server/displays/fleet.ts).
  const directory = new DisplayDirectory(redis, prefix, app.log);
  await directory.refresh().catch((err) => app.log.warn({ err }, 'displays: directory not read yet'));
  directory.start();
  await app.register(ioPlugin, { config, adapter: createAdapter(ioConn, { streamName: `${prefix}socket.io`, sessionKeyPrefix: `${prefix}sio:session:` }), displays: directory });
  registerAuth(app, config, directory);
  const clock = deps.clock ?? systemClock;
  servePairing(app.io, new RedisCodes(redis, prefix, clock), clock, app.log);
  (app.io as unknown as { on(ev: string, fn: () => void): void }).on(DISPLAYS_CHANGED, () => void directory.refresh().catch(() => undefined));
  const heard = (id: string, report?: DisplayReport) => void recordPresence(redis, prefix, id, clock.now(), report).catch(() => undefined);

  const leadership = new RedisLeadership({ redis, prefix, instanceId, leaseMs: deps.leaseMs });
  const snapshots = new RedisSnapshotCache(redis, leadership.leaderKey, prefix);
  const names = streamNames(prefix);
  const ingest = new StreamIngest({ redis, subscriber, instanceId, names, logger: app.log });
  await ingest.start();
  await app.register(ingestRoutes, { writer: ingest, clock: deps.clock ?? systemClock });
  const held = new HeldSubscriptions(redis, prefix, instanceId);
  const leader = new LeaderAddress(redis, leadership.leaderKey, prefix);

  // ---- the leader's core ----
  let core: FastifyInstance | null = null;
  let consumer: StreamConsumer | null = null;
  let sweep: NodeJS.Timeout | undefined;
  let transition: Promise<void> = Promise.resolve();
  let stopping = false;
  app.decorate('fleet', {
    instanceId,
    get leading() {
      return leadership.isLeader;
    },
    get core() {
      return core;
    },
    get fence() {
      return leadership.fence;
    },
  } satisfies FleetMember);

  const syncSubscriptions = async (): Promise<void> => {
    const c = core;
    if (!c) return;
    // Redis unreachable: keep what is held rather than drop everything.
    const wanted = await wantedByFleet(redis, prefix).catch(() => null);
    if (wanted && core === c) await c.hub.retain(wanted);
  };

  /** chDB stays locked while the last leader closes it (or until its process is gone): retried while leading. */
  const openWhileLeading = async (token: string, log: FastifyBaseLogger): Promise<Storage | null> => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await openStorage(config);
      } catch (err) {
        if (leadership.token !== token || stopping) return null;
        if (attempt % 10 === 1) log.warn({ err }, 'fleet: storage not available yet (the last leader may still hold it); retrying');
        await sleep(200);
      }
    }
  };

  const lead = async (): Promise<void> => {
    const token = leadership.token;
    if (!token || stopping || core) return;
    const t0 = performance.now();
    const log = app.log.child({ fence: leadership.fence });
    const storage = await openWhileLeading(token, log);
    if (!storage) return;
    let c: FastifyInstance | null = null;
    try {
      c = await buildApp(config, { logger: log, clock: deps.clock, storage, fleet: { io: app.io, snapshots, token: () => leadership.token, redis, prefix, displaysChanged: () => directory.refresh() } });
      await c.listen({ host: config.internalHost, port: 0 });
      core = c;
      consumer = new StreamConsumer({ blocking: consumerConn, redis, consumer: instanceId, names, writer: c.writer, logger: log });
      consumer.start();
      await syncSubscriptions();
      sweep = setInterval(() => void syncSubscriptions().catch((err) => log.warn({ err }, 'fleet: subscription sync failed')), 2_000).unref();
      const { port } = c.server.address() as { port: number };
      const host = config.internalHost.includes(':') ? `[${config.internalHost}]` : config.internalHost;
      if (!(await leader.publish(token, `http://${host}:${port}`))) throw new Error('lease lost before the core was published');
      log.info({ ms: Math.round(performance.now() - t0) }, 'fleet: leading');
    } catch (err) {
      log.error({ err }, 'fleet: could not start the core; giving up the lease');
      if (c === null) await storage.close();
      else if (core !== c) await c.close();
      await follow();
      // Let another instance try; this one tries again after a pause.
      await leadership.stop();
      if (!stopping) setTimeout(() => void leadership.start(), 2_000).unref();
    }
  };

  const follow = async (): Promise<void> => {
    clearInterval(sweep);
    sweep = undefined;
    const c = core;
    core = null;
    await consumer?.stop();
    consumer = null;
    if (c) {
      // Everything the core acknowledged is written before its storage closes (app.ts onClose).
      await c.close();
      app.log.info('fleet: stepped down');
    }
  };

  leadership.onChange((leading) => {
    transition = transition.then(() => (leading ? lead() : follow())).catch((err) => app.log.error({ err }, 'fleet: role change failed'));
  });

  // ---- sockets ----
  const snapshot = async (key: string): Promise<MetricValueMessage> => {
    const want = held.get(key);
    if (!want) throw new RxpError('RXP_ERR_NOT_FOUND', 'not subscribed');
    const base = await leader.url().catch(() => null);
    if (base) {
      try {
        const res = await fetch(`${base}/api/v1/_fleet/snapshot`, {
          method: 'POST',
          headers: { authorization: `Bearer ${config.tokens.admin}`, 'content-type': 'application/json' },
          body: JSON.stringify(want),
          signal: AbortSignal.timeout(5_000),
        });
        if (res.ok) return (await res.json()) as MetricValueMessage;
      } catch {
        // the leader just went away: the cache below still has the last value
      }
    }
    const cached = await snapshots.get(key).catch(() => null);
    if (!cached) throw noLeader('no leader has computed this metric yet');
    return { type: 'snapshot', key, metric: want.metric, params: want.params, seq: cached.seq, as_of: new Date(cached.asOf).toISOString(), value: JSON.parse(cached.json) };
  };

  const limits = Object.freeze({ ...SOCKET_LIMITS, ...socketLimits(config) });
  app.io.on('connection', (socket) => {
    // A connection recovered from another instance (connection state recovery) comes back in its rooms:
    // list them here, or the leader would stop computing them once the other instance forgets them.
    if (socket.recovered) {
      for (const room of socket.rooms) {
        const want = room.startsWith('m:') ? fromKey(room.slice(2)) : null;
        if (want) held.hold(room.slice(2), want);
      }
    }
    // The same guard as a single server's hub: schema-checked payloads, a rate limit, the subscription cap,
    // replies under the backlog rule; nothing a client sends can throw into the process.
    const guard = new SocketGuard(socket, limits, app.log);
    const display = (socket.data as { display?: string } | undefined)?.display;
    if (display) {
      heard(display);
      guard.on('display:report', (report) => heard(display, report));
      socket.on('disconnect', () => heard(display));
    }
    guard.on('metric:subscribe', async ({ metric, params }) => {
      const { def, raw, key } = identify(metric, params);
      if (display && !directory.allows(display, key)) throw new RxpError('RXP_ERR_AUTH_FORBIDDEN', 'a display reads only what its screens show');
      if (!socket.rooms.has(`m:${key}`) && guard.subscriptions >= limits.maxSubscriptions) {
        throw new RxpError('RXP_ERR_SOCKET_LIMIT', `a socket may hold ${limits.maxSubscriptions} subscriptions: unsubscribe one first`);
      }
      await socket.join(`m:${key}`);
      held.hold(key, { metric: def.id, params: raw });
      return snapshot(key);
    });
    guard.on('metric:snapshot', ({ key }) => {
      if (!socket.rooms.has(`m:${key}`)) throw new RxpError('RXP_ERR_NOT_FOUND', 'not subscribed');
      return snapshot(key);
    });
    guard.on('metric:unsubscribe', ({ key }) => void socket.leave(`m:${key}`));
  });
  app.io.of('/').adapter.on('delete-room', (room: string) => {
    if (room.startsWith('m:')) held.drop(room.slice(2));
  });
  // Updates reach this instance's sockets from the leader through the adapter: a socket that stopped reading
  // would queue them without bound here. Past the guard's hard backlog it is closed as a single server's hub
  // closes it (guard.ts); its screen reconnects and resubscribes.
  const slowGuard = setInterval(() => {
    for (const s of app.io.of('/').sockets.values()) if (backlogOf(s) > HARD_BACKLOG) closeForLimits(s);
  }, 2_000).unref();

  // ---- HTTP: this instance's own view, then everything else at the leader ----
  app.get('/api/v1/fleet', { config: { right: 'read' } }, async () => ({
    instance: instanceId,
    leading: leadership.isLeader,
    fence: leadership.fence,
    leader: await leader.url().catch(() => null),
    redis: redis.status,
    sockets: app.io.engine.clientsCount,
    ingest_waiting: ingest.waiting,
  }));
  await app.register(replyFrom, { disableRequestLogging: true, undici: { connections: 64, headersTimeout: 30_000, bodyTimeout: 30_000 } });
  await app.register(async (scope) => {
    // Bodies go through untouched (the request stream is the body reply-from pipes to the leader), whatever
    // their type.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_req, payload, done) => done(null, payload));
    const forward = async (req: { url: string }, reply: FastifyReply) => {
      const base = await leader.url().catch(() => null);
      if (!base) throw noLeader('no leader serves yet (a leader change takes up to ~5 s)');
      return reply.from(`${base}${req.url}`, {
        onError: (r, { error }) => {
          r.code(503).header('retry-after', '1').send(errorBody(noLeader(`the leader did not answer: ${error.message}`)));
        },
      });
    };
    scope.all('/', { config: { right: 'public' } }, forward);
    scope.all('/*', { config: { right: 'public' } }, forward);
  });

  app.addHook('onReady', async () => {
    await leadership.start();
  });
  app.addHook('preClose', async () => {
    stopping = true;
    clearInterval(slowGuard);
    // Give the lease up first, so that another instance leads at once rather than after it expires.
    await leadership.stop();
    await transition;
    await follow();
    ingest.close();
    await held.close();
  });
  app.addHook('onClose', async () => {
    directory.stop();
    for (const c of conns) c.disconnect();
  });
  return app;
}

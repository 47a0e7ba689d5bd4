// buildApp(config, deps): the whole server, not yet listening (STYLE §1). Only main.ts reads the
// environment and listens; tests build it with their own config, clock and data directory.
import { fileURLToPath } from 'node:url';
import type { Server as HttpServer } from 'node:http';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyHttpOptions, type FastifyInstance, type FastifyReply, type FastifyServerOptions } from 'fastify';
import fastifyStatic from '@fastify/static';
import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import type { Redis } from 'ioredis';
import type { Config } from './config.ts';
import { RxpError, errorBody } from './errors.ts';
import { publicScope, registerAuth, trackRoutes } from './auth/tokens.ts';
import { clickhousePlugin, openStorage, type Storage } from './plugins/clickhouse.ts';
import { ioPlugin, type IoServer } from './plugins/io.ts';
import type { SnapshotCache } from './cluster/snapshots.ts';
import { ingestRoutes } from './ingest/route.ts';
import { IngestWriter, type Commit } from './ingest/writer.ts';
import { Projector } from './ingest/projector.ts';
import { HotSales } from './metrics/hot.ts';
import type { MetricContext } from './metrics/metric.ts';
import { salesDayTotals } from './metrics/sales/rollup.ts';
import { metricRoutes } from './metrics/routes.ts';
import { referenceRoutes } from './reference/route.ts';
import { ReferenceStore } from './reference/store.ts';
import { PushHub } from './push/hub.ts';
import { SOCKET_LIMITS, type SocketLimits } from './push/guard.ts';
import { healthRoutes, StreamFreshness } from './health.ts';
import { loadScreenFiles, ScreenStore, screenRoutes } from './screens.ts';
import { startDemo, type Demo } from './demo.ts';
import { loadRulesFile } from './rules/index.ts';
import { loadSettingsFile } from './settings.ts';
import { AlertStore } from './rules/alerts.ts';
import { RulesEngine } from './rules/engine.ts';
import { RefCache } from './rules/reference.ts';
import { alertRoutes } from './rules/routes.ts';
import { DisplayStore } from './displays/store.ts';
import { DisplayPresence } from './displays/presence.ts';
import { MemoryCodes, RedisCodes, servePairing } from './displays/pairing.ts';
import { forgetPresence, publishDirectory, readPresence } from './displays/fleet.ts';
import { displayRoutes } from './displays/routes.ts';
import { systemClock, type Clock } from './time.ts';

export interface AppDeps {
  clock?: Clock;
  /** Fastify logger option (tests pass false), or a logger to use as it is (a fleet's core logs through
   *  its front's). @default pino at config.logLevel */
  logger?: FastifyServerOptions['logger'] | FastifyBaseLogger;
  storage?: Storage;
  /**
   * The leader's core in a fleet (server/cluster/fleet.ts): pushes go out on the front's socket.io server
   * (Redis adapter, every instance's sockets), which also takes the sockets' requests; the hub keeps the
   * fleet's snapshot cache, and answers other instances' subscriptions at POST /api/v1/_fleet/snapshot.
   */
  fleet?: {
    io: IoServer;
    snapshots: SnapshotCache;
    token(): string | null;
    /** The fleet's Redis and key prefix: displays' directory, presence and pairing codes (displays/fleet.ts). */
    redis: Redis;
    prefix: string;
    /** The leader's own front reads the display directory again (the other instances hear serverSideEmit). */
    displaysChanged(): Promise<void>;
  };
}

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PUBLIC_DIR = `${ROOT}public`;
const BUILD_DIR = `${ROOT}public/build`;
/** Screen files: the built-in ones, then a deployment's own (JSON or YAML), then RXPULSE_SCREENS_DIR. */
export const screenDirs = (config: Config): string[] => [`${ROOT}screens/builtin`, `${ROOT}screens/custom`, ...(config.screensDir ? [config.screensDir] : [])];
export const PROJECT_ROOT = ROOT;

/** Query strings may carry a screen token (`?token=`): it never reaches a log line, however its name is
 *  spelled (`%74oken`, `TOKEN`, `token[]`). Anything that cannot be decoded is redacted whole. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const hash = url.indexOf('#', q);
  const query = url.slice(q + 1, hash < 0 ? undefined : hash);
  const pairs = query.split('&').map((pair) => {
    const eq = pair.indexOf('=');
    const rawName = eq < 0 ? pair : pair.slice(0, eq);
    let name: string;
    try {
      name = decodeURIComponent(rawName.replace(/\+/g, ' '));
    } catch {
      return '[redacted]';
    }
    return /^\s*token\b/i.test(name) ? `${rawName}=[redacted]` : pair;
  });
  return `${url.slice(0, q)}?${pairs.join('&')}`;
}

/** Content Security Policy of pages and API: scripts and connections to this origin only, no eval, no
 *  framing (RXPULSE_FRAME_ANCESTORS allows named origins to embed a wall), images from data:/blob: (G2
 *  exports), inline styles (the page's critical CSS and G2's tooltips). */
function contentSecurityPolicy(config: Config) {
  return {
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:', 'blob:'],
      fontSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
      workerSrc: ["'self'", 'blob:'],
      objectSrc: ["'none'"],
      baseUri: ["'none'"],
      formAction: ["'self'"],
      frameAncestors: config.frameAncestors.length > 0 ? [...config.frameAncestors] : ["'none'"],
      upgradeInsecureRequests: null,
    },
  };
}

declare module 'fastify' {
  interface FastifyInstance {
    hub: PushHub;
    writer: IngestWriter;
    projector: Projector;
    hot: HotSales;
    rules: RulesEngine;
    alerts: AlertStore;
    /** Values refused because they are past 2^53 − 1 (read API; the hub counts its own). */
    integrity: { unsafeIntegers: number; listenerErrors: Record<string, number> };
  }
}

/** What one socket may hold and send (config → server/push/guard.ts); shared by the fleet's front. */
/** One commit listener made of several, each called on its own: a throw is logged and counted (health
 *  `errors.commit_listeners`) and the next listener still runs. */
export function isolated(log: FastifyBaseLogger, integrity: { listenerErrors: Record<string, number> }, listeners: Record<string, (commit: Commit) => void>): (commit: Commit) => void {
  const named = Object.entries(listeners);
  return (commit) => {
    for (const [name, listener] of named) {
      try {
        listener(commit);
      } catch (err) {
        integrity.listenerErrors[name] = (integrity.listenerErrors[name] ?? 0) + 1;
        log.error({ err, listener: name, group: commit.group }, 'a commit listener failed; the others still ran');
      }
    }
  };
}

export function socketLimits(config: Config): Partial<SocketLimits> {
  const { maxSubscriptions, messagesPerSecond } = config.sockets;
  return { maxSubscriptions, messagesPerSecond, messageBurst: Math.max(SOCKET_LIMITS.messageBurst, messagesPerSecond * 5) };
}

/** Fastify's options: pino at LOG_LEVEL with tokens redacted from URLs; shared by the fleet's front. */
export function fastifyOptions(config: Config, logger?: AppDeps['logger']): FastifyHttpOptions<HttpServer> {
  const instance = typeof logger === 'object' && logger !== null && 'child' in logger && typeof logger.child === 'function';
  return {
    ...(instance ? { loggerInstance: logger as FastifyBaseLogger } : {}),
    logger: instance ? undefined : (logger as FastifyServerOptions['logger']) ?? {
      level: config.logLevel,
      serializers: {
        req: (req) => ({ method: req.method, url: redactUrl(req.url), remoteAddress: req.ip }),
      },
    },
    // One log line per request is noise at 双11 rates; errors are logged, and LOG_LEVEL=debug brings them back.
    logController: new LogController({ disableRequestLogging: config.logLevel !== 'debug' && config.logLevel !== 'trace' }),
    bodyLimit: 1024 * 1024,
    return503OnClosing: true,
    // A client that sends its headers or body slowly (or never) is cut off: the whole request must arrive
    // within requestTimeoutMs (Node checks every connectionsCheckingInterval), idle keep-alive connections
    // close after keepAliveTimeoutMs. Upgraded sockets (socket.io) are not affected.
    requestTimeout: config.requestTimeoutMs,
    keepAliveTimeout: config.keepAliveTimeoutMs,
    http: { headersTimeout: Math.min(config.requestTimeoutMs, 20_000), connectionsCheckingInterval: Math.min(5_000, config.requestTimeoutMs) },
    // Long enough for any path a client can send (the header limit bounds it): a metric id too long for the
    // router would miss the route, and so its auth (404 before 401); the route's schema refuses it instead.
    routerOptions: { maxParamLength: 16_384 },
    // A URL that cannot be decoded (`%ff`) or a malformed content type, before any route: the catalogue's 400.
    frameworkErrors: (err, _req, reply) => {
      const e = isClientError(err) ? foreignClientError(err as Error & { statusCode: number }) : new RxpError('RXP_ERR_BAD_REQUEST', err.message);
      void (reply as FastifyReply).status(e.statusCode).send(errorBody(e));
    },
  };
}

/** Security headers (CSP, nosniff, framing, referrer policy) on every answer, pages and API alike; shared by
 *  the fleet's front. */
export async function installSecurity(app: FastifyInstance, config: Config): Promise<void> {
  await app.register(fastifyHelmet, {
    global: true,
    contentSecurityPolicy: contentSecurityPolicy(config),
    referrerPolicy: { policy: 'no-referrer' },
    // Old browsers read X-Frame-Options; it can only say DENY or SAMEORIGIN, so embedding by named origins
    // relies on CSP frame-ancestors alone.
    xFrameOptions: config.frameAncestors.length > 0 ? false : { action: 'deny' },
    crossOriginEmbedderPolicy: false,
    // HSTS only makes sense behind TLS, which a proxy in front terminates: it sets it there.
    strictTransportSecurity: false,
  });
  // The store of failed authentications (server/auth/tokens.ts); no global limit on other requests.
  await app.register(fastifyRateLimit, { global: false });
}

const isClientError = (err: unknown): boolean => {
  const status = (err as { statusCode?: unknown }).statusCode;
  return typeof status === 'number' && status >= 400 && status < 500;
};

/** A framework or plugin's 4xx in the catalogue: a path outside the static root (traversal, `//`, `/./`) is
 *  a plain 404 (it names nothing that exists); anything else the client sent wrong is a 400. */
function foreignClientError(err: Error & { statusCode: number }): RxpError {
  if (err.statusCode === 403 || err.statusCode === 404) return new RxpError('RXP_ERR_NOT_FOUND');
  if (err.statusCode === 413) return new RxpError('RXP_ERR_INGEST_TOO_LARGE', 'request body too large');
  if (err.statusCode === 415) return new RxpError('RXP_ERR_INGEST_MEDIA_TYPE');
  return new RxpError('RXP_ERR_BAD_REQUEST', err.message);
}

/** Errors as the CONTRACT shapes them (code, status, Retry-After), and a coded 404; shared by the fleet's front. */
export function installErrorHandlers(app: FastifyInstance): void {
  app.decorate('integrity', { unsafeIntegers: 0, listenerErrors: {} });
  app.setErrorHandler((err, req, reply) => {
    let e: RxpError;
    if (err instanceof RxpError) e = err;
    else if ((err as { code?: string }).code === 'FST_ERR_CTP_BODY_TOO_LARGE') e = new RxpError('RXP_ERR_INGEST_TOO_LARGE', 'request body exceeds 8 MiB');
    else if ((err as { code?: string }).code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') e = new RxpError('RXP_ERR_INGEST_MEDIA_TYPE');
    else if (isClientError(err)) e = foreignClientError(err as Error & { statusCode: number });
    else {
      req.log.error({ err }, 'unhandled error');
      e = new RxpError('RXP_ERR_INTERNAL');
    }
    if (e.code === 'RXP_ERR_UNSAFE_INTEGER') {
      app.integrity.unsafeIntegers++;
      req.log.error({ err: e, route: req.routeOptions.url }, 'metric value past 2^53 - 1 refused');
    }
    if (e.retryAfter !== undefined) reply.header('retry-after', String(e.retryAfter));
    return reply.status(e.statusCode).send(errorBody(e));
  });
  app.setNotFoundHandler((req, reply) => {
    reply.status(404).send(errorBody(new RxpError('RXP_ERR_NOT_FOUND', `no route ${req.method} ${redactUrl(req.url)}`)));
  });
}

/** Told to every instance of a fleet when displays or playlists changed (each reloads them). */
export const DISPLAYS_CHANGED = 'rxpulse:displays-changed';

export async function buildApp(config: Config, deps: AppDeps = {}): Promise<FastifyInstance> {
  const clock = deps.clock ?? systemClock;
  // Before anything opens: a bad screen file stops the start with its file, path and reason.
  const screenFiles = loadScreenFiles(screenDirs(config), ROOT);
  // So does a bad rules file (unknown rule or parameter, a value out of range).
  const rules = loadRulesFile(config.rulesFile);
  const settings = loadSettingsFile(config.settingsFile, rules);
  const app = Fastify(fastifyOptions(config, deps.logger));
  trackRoutes(app);

  installErrorHandlers(app);
  await installSecurity(app, config);

  const storage = deps.storage ?? (await openStorage(config));
  await app.register(clickhousePlugin, { storage });
  // Screens and paired walls first: the gate and the socket handshake know display tokens.
  let displays: DisplayStore | null = null;
  const screens = new ScreenStore(screenFiles, storage, (id) => {
    app.io.emit('screen:changed', { id });
    displays?.screensChanged();
    // A screen's widgets are its walls' scope: a fleet's fronts get the new directory.
    if (deps.fleet && displays) {
      void publishDirectory(deps.fleet.redis, deps.fleet.prefix, displays)
        .then(async () => {
          await deps.fleet?.displaysChanged();
          app.io.serverSideEmit(DISPLAYS_CHANGED as never);
        })
        .catch((err) => app.log.warn({ err }, 'displays: directory not published'));
    }
  });
  await screens.load(app.log);
  displays = new DisplayStore(storage, screens, clock);
  await displays.load();
  const presence = new DisplayPresence(clock);
  if (deps.fleet) app.decorate('io', deps.fleet.io);
  else await app.register(ioPlugin, { config, displays });
  registerAuth(app, config, displays);

  let hub: PushHub | null = null;
  let hot: HotSales | null = null;
  const projector = new Projector({
    storage,
    logger: app.log,
    onProjected: (streams, to) => {
      hot?.projectedUpTo(to);
      hub?.markDirty(streams, { openOnly: true }); // closed days: markLate, by the events' dates
    },
  });
  // Metric reads wait until what was acknowledged before them is projected (read-your-writes); the hot
  // counters include every acknowledged payment at once.
  const baseCtx: MetricContext = { storage, tz: config.tzBusiness, clock, settings, barrier: () => projector.barrier(), projectionLag: () => projector.lag() };
  hot = new HotSales({ tz: config.tzBusiness, logger: app.log, query: (date) => salesDayTotals(baseCtx, date), exclusive: (fn) => projector.exclusive(fn) });
  const ctx: MetricContext = { ...baseCtx, hot };
  hub = new PushHub({ io: app.io, ctx, logger: app.log, limits: socketLimits(config), displayScope: (display, key) => displays.allows(display, key), fleet: deps.fleet && { snapshots: deps.fleet.snapshots, token: deps.fleet.token } });
  const freshness = new StreamFreshness(clock);
  const alerts = new AlertStore(storage, clock, app.log, () => hub!.markDirty(new Set(['alerts'])));
  const engine = new RulesEngine({
    storage, clock, tz: config.tzBusiness, logger: app.log, rules, alerts, ref: new RefCache(storage), metricCtx: baseCtx,
    projected: (group) => projector.reached(group),
    latenessMs: config.rulesLatenessS * 1000,
  });
  const writer = new IngestWriter({
    storage,
    maxFilterBytes: config.idFilterMb * 1024 * 1024,
    logger: app.log,
    clock,
    projector,
    // Each listener on its own: one that throws never keeps the others (the rules above all) from the group.
    onCommit: isolated(app.log, app.integrity, {
      freshness: (commit) => freshness.record(commit),
      hot: (commit) => hot!.commit(commit.group, commit.payments),
      hub: (commit) => {
        hub!.markDirty(commit.types, { hotOnly: true, openOnly: true });
        hub!.markLate(commit.events);
      },
      rules: (commit) => engine.enqueue(commit.group, commit.events),
    }),
  });
  app.decorate('hub', hub);
  app.decorate('writer', writer);
  app.decorate('projector', projector);
  app.decorate('hot', hot);
  app.decorate('rules', engine);
  app.decorate('alerts', alerts);
  if (!deps.fleet) {
    app.io.on('connection', (socket) => {
      const guard = hub!.attach(socket);
      const display = (socket.data as { display?: string } | undefined)?.display;
      if (!display) return;
      presence.connected(display);
      guard.on('display:report', (report) => presence.report(display, report));
      socket.on('disconnect', () => presence.disconnected(display));
    });
  }
  else {
    app.post('/api/v1/_fleet/snapshot', async (req) => {
      const { metric, params } = (req.body ?? {}) as { metric?: unknown; params?: unknown };
      return hub!.snapshotFor(metric, params);
    });
  }

  await app.register(ingestRoutes, { writer, clock });
  const reference = new ReferenceStore(storage, clock, (kind) => {
    hub!.markDirty(new Set([`ref.${kind}`]));
    void engine.onReference(kind);
  });
  await app.register(referenceRoutes, { store: reference });
  await app.register(metricRoutes, { ctx, hub, displayScope: (display, key) => displays.allows(display, key) });
  await app.register(alertRoutes, { alerts, engine, rules, tz: config.tzBusiness });
  await app.register(healthRoutes, { config, storage, writer, projector, hub: hub!, hot, freshness, clock, rules: engine, alerts });
  await app.register(screenRoutes, { store: screens, displays, buildDir: BUILD_DIR, tz: config.tzBusiness });
  // Walls: pairing by code (socket namespace /pair), the display API, presence and DISPLAY_OFFLINE.
  // In a fleet the fronts serve /pair and hold the walls' sockets (server/cluster/fleet.ts): this core owns
  // the displays, publishes their directory and reads what the fronts heard (displays/fleet.ts).
  const fleet = deps.fleet;
  const codes = fleet ? new RedisCodes(fleet.redis, fleet.prefix, clock) : new MemoryCodes(clock);
  if (!fleet) servePairing(app.io, codes, clock, app.log);
  // A single server holds every wall itself; in a fleet the directory goes to Redis and every front reads it.
  const changed = async (): Promise<void> => {
    if (!fleet) return;
    await publishDirectory(fleet.redis, fleet.prefix, displays);
    await fleet.displaysChanged();
    app.io.serverSideEmit(DISPLAYS_CHANGED as never);
  };
  if (fleet) await publishDirectory(fleet.redis, fleet.prefix, displays);
  const refreshPresence = fleet
    ? async () => {
        for (const [id, r] of await readPresence(fleet.redis, fleet.prefix)) presence.absorb(id, r.lastSeen, r.report);
      }
    : undefined;
  const forgetRemote = fleet ? (id: string) => forgetPresence(fleet.redis, fleet.prefix, id) : undefined;
  await app.register(displayRoutes, { store: displays, presence, codes, io: app.io, alerts, clock, tz: config.tzBusiness, businessHours: config.businessHours, changed, refreshPresence, forgetPresence: forgetRemote });
  // Static files are public: the built screens app and public/ assets hold no data.
  await app.register(async (scope) => {
    publicScope(scope);
    await scope.register(fastifyStatic, { root: PUBLIC_DIR, prefix: '/', index: false, wildcard: true });
  });

  let demo: Demo | null = null;
  let reconcileTimer: NodeJS.Timeout | undefined;
  app.addHook('onReady', async () => {
    await writer.init();
    await engine.start();
    hub!.start();
    // The hot counters are checked against ClickHouse twice a minute (a difference is an error in the log
    // and in /api/v1/health, and ClickHouse wins).
    reconcileTimer = setInterval(() => hot!.reconcile().catch((err) => app.log.warn({ err }, 'hot counter reconciliation failed')), 30_000).unref();
    if (config.demo) demo = startDemo({ config, writer, storage, reference, clock, logger: app.log });
  });
  // The stop, in the order work flows; storage never closes under a query (issue 15, item 8):
  // - preClose: the sockets are told and disconnected (io plugin, whose hook runs first); the hub stops pushing
  //   (nobody is left to push to), the hot counters' reconciliation and the demo stop; the HTTP server then
  //   waits for the requests in flight (ingests finish and are acknowledged; a new request gets 503);
  // - onClose: the writer commits what it holds, the rules evaluate it and write their last checkpoint, the
  //   projector fans it out, the hot counters finish a seed or a reconciliation; storage closes last (its
  //   plugin's hook runs after this one): it waits for the queries running in the engine and refuses the rest
  //   (e.g. a metric read whose client went away) with RXP_ERR_SHUTTING_DOWN.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
    clearInterval(reconcileTimer);
    await Promise.all([hub!.stop(), demo?.stop()]);
  });
  // A keep-alive connection whose request was in flight when the stop began would hold the server open:
  // answers given while stopping close their connection.
  app.addHook('onSend', async (_req, reply) => {
    if (closing) reply.header('connection', 'close');
  });
  app.addHook('onClose', async () => {
    await writer.close();
    await engine.stop();
    await projector.close();
    await hot!.close();
  });
  return app;
}

// buildApp(config, deps): the whole server, not yet listening (STYLE §1). Only main.ts reads the
// environment and listens; tests build it with their own config, clock and data directory.
import { fileURLToPath } from 'node:url';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import fastifyStatic from '@fastify/static';
import type { Config } from './config.ts';
import { RxpError, errorBody } from './errors.ts';
import { registerAuth } from './auth/tokens.ts';
import { clickhousePlugin, openStorage, type Storage } from './plugins/clickhouse.ts';
import { ioPlugin, type IoServer } from './plugins/io.ts';
import type { SnapshotCache } from './cluster/snapshots.ts';
import { ingestRoutes } from './ingest/route.ts';
import { IngestWriter } from './ingest/writer.ts';
import { Projector } from './ingest/projector.ts';
import { HotSales } from './metrics/hot.ts';
import type { MetricContext } from './metrics/metric.ts';
import { salesDayTotals } from './metrics/sales/rollup.ts';
import { metricRoutes } from './metrics/routes.ts';
import { referenceRoutes } from './reference/route.ts';
import { ReferenceStore } from './reference/store.ts';
import { PushHub } from './push/hub.ts';
import { healthRoutes, StreamFreshness } from './health.ts';
import { loadScreenFiles, ScreenStore, screenRoutes } from './screens.ts';
import { startDemo, type Demo } from './demo.ts';
import { loadRulesFile } from './rules/index.ts';
import { AlertStore } from './rules/alerts.ts';
import { RulesEngine } from './rules/engine.ts';
import { RefCache } from './rules/reference.ts';
import { alertRoutes } from './rules/routes.ts';
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
  fleet?: { io: IoServer; snapshots: SnapshotCache; token(): string | null };
}

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PUBLIC_DIR = `${ROOT}public`;
const BUILD_DIR = `${ROOT}public/build`;
/** Screen files: the built-in ones, then a deployment's own (JSON or YAML), then RXPULSE_SCREENS_DIR. */
export const screenDirs = (config: Config): string[] => [`${ROOT}screens/builtin`, `${ROOT}screens/custom`, ...(config.screensDir ? [config.screensDir] : [])];
export const PROJECT_ROOT = ROOT;

/** Query strings may carry a screen token (`?token=`): it never reaches a log line. */
export function redactUrl(url: string): string {
  return url.replace(/([?&]token=)[^&#]*/gi, '$1[redacted]');
}

declare module 'fastify' {
  interface FastifyInstance {
    hub: PushHub;
    writer: IngestWriter;
    projector: Projector;
    hot: HotSales;
    rules: RulesEngine;
    alerts: AlertStore;
  }
}

/** Fastify's options: pino at LOG_LEVEL with tokens redacted from URLs; shared by the fleet's front. */
export function fastifyOptions(config: Config, logger?: AppDeps['logger']): FastifyServerOptions {
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
  };
}

/** Errors as the CONTRACT shapes them (code, status, Retry-After), and a coded 404; shared by the fleet's front. */
export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((err, req, reply) => {
    let e: RxpError;
    if (err instanceof RxpError) e = err;
    else if ((err as { code?: string }).code === 'FST_ERR_CTP_BODY_TOO_LARGE') e = new RxpError('RXP_ERR_INGEST_TOO_LARGE', 'request body exceeds 8 MiB');
    else if ((err as { code?: string }).code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') e = new RxpError('RXP_ERR_INGEST_MEDIA_TYPE');
    else if ((err as { statusCode?: number }).statusCode === 400) e = new RxpError('RXP_ERR_BAD_REQUEST', (err as Error).message);
    else {
      req.log.error({ err }, 'unhandled error');
      e = new RxpError('RXP_ERR_INTERNAL');
    }
    if (e.retryAfter !== undefined) reply.header('retry-after', String(e.retryAfter));
    return reply.status(e.statusCode).send(errorBody(e));
  });
  app.setNotFoundHandler((req, reply) => {
    reply.status(404).send(errorBody(new RxpError('RXP_ERR_NOT_FOUND', `no route ${req.method} ${redactUrl(req.url)}`)));
  });
}

export async function buildApp(config: Config, deps: AppDeps = {}): Promise<FastifyInstance> {
  const clock = deps.clock ?? systemClock;
  // Before anything opens: a bad screen file stops the start with its file, path and reason.
  const screenFiles = loadScreenFiles(screenDirs(config), ROOT);
  // So does a bad rules file (unknown rule or parameter, a value out of range).
  const rules = loadRulesFile(config.rulesFile);
  const app = Fastify(fastifyOptions(config, deps.logger));

  installErrorHandlers(app);

  const storage = deps.storage ?? (await openStorage(config));
  await app.register(clickhousePlugin, { storage });
  if (deps.fleet) app.decorate('io', deps.fleet.io);
  else await app.register(ioPlugin, { config });
  registerAuth(app, config);

  let hub: PushHub | null = null;
  let hot: HotSales | null = null;
  const projector = new Projector({
    storage,
    logger: app.log,
    onProjected: (streams, to) => {
      hot?.projectedUpTo(to);
      hub?.markDirty(streams);
    },
  });
  // Metric reads wait until what was acknowledged before them is projected (read-your-writes); the hot
  // counters include every acknowledged payment at once.
  const baseCtx: MetricContext = { storage, tz: config.tzBusiness, clock, barrier: () => projector.barrier() };
  hot = new HotSales({ tz: config.tzBusiness, logger: app.log, query: (date) => salesDayTotals(baseCtx, date), exclusive: (fn) => projector.exclusive(fn) });
  const ctx: MetricContext = { ...baseCtx, hot };
  hub = new PushHub({ io: app.io, ctx, logger: app.log, fleet: deps.fleet && { snapshots: deps.fleet.snapshots, token: deps.fleet.token } });
  const freshness = new StreamFreshness(clock);
  const alerts = new AlertStore(storage, clock, app.log, () => hub!.markDirty(new Set(['alerts'])));
  const engine = new RulesEngine({ storage, clock, tz: config.tzBusiness, logger: app.log, rules, alerts, ref: new RefCache(storage), metricCtx: baseCtx });
  const writer = new IngestWriter({
    storage,
    logger: app.log,
    clock,
    projector,
    onCommit: (commit) => {
      freshness.record(commit);
      hot!.commit(commit.group, commit.payments);
      hub!.markDirty(commit.types, { hotOnly: true });
      engine.enqueue(commit.group, commit.events);
    },
  });
  app.decorate('hub', hub);
  app.decorate('writer', writer);
  app.decorate('projector', projector);
  app.decorate('hot', hot);
  app.decorate('rules', engine);
  app.decorate('alerts', alerts);
  if (!deps.fleet) app.io.on('connection', (socket) => hub!.attach(socket));
  else {
    app.post('/api/v1/_fleet/snapshot', async (req) => {
      const { metric, params } = (req.body ?? {}) as { metric?: unknown; params?: unknown };
      return hub!.snapshotFor(metric, params);
    });
  }

  await app.register(ingestRoutes, { writer });
  const reference = new ReferenceStore(storage, clock, (kind) => {
    hub!.markDirty(new Set([`ref.${kind}`]));
    void engine.onReference(kind);
  });
  await app.register(referenceRoutes, { store: reference });
  await app.register(metricRoutes, { ctx, hub });
  await app.register(alertRoutes, { alerts, engine, rules, tz: config.tzBusiness });
  await app.register(healthRoutes, { storage, writer, projector, hub: hub!, hot, freshness, clock, rules: engine, alerts });
  const screens = new ScreenStore(screenFiles, storage, (id) => app.io.emit('screen:changed', { id }));
  await screens.load(app.log);
  await app.register(screenRoutes, { store: screens, buildDir: BUILD_DIR, tz: config.tzBusiness });
  await app.register(fastifyStatic, { root: PUBLIC_DIR, prefix: '/', index: false, wildcard: true });

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
  // preClose: stop producing and tell the screens; the HTTP server then waits for in-flight requests
  // (ingests finish and are acknowledged); onClose: drain the writer, then storage closes (its plugin).
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
    await demo?.stop();
  });
  // A keep-alive connection whose request was in flight when the stop began would hold the server open:
  // answers given while stopping close their connection.
  app.addHook('onSend', async (_req, reply) => {
    if (closing) reply.header('connection', 'close');
  });
  app.addHook('onClose', async () => {
    clearInterval(reconcileTimer);
    await writer.close();
    await engine.stop();
    await projector.close();
    await hub!.stop();
  });
  return app;
}

// The entry point: reads the environment, builds the app, listens, prints generated tokens once, and shuts
// down gracefully on SIGINT/SIGTERM (in-flight ingests finish, sockets are told).
import type { Duplex } from 'node:stream';
import closeWithGrace from 'close-with-grace';
import { buildApp } from './app.ts';
import { buildFleetApp } from './cluster/fleet.ts';
import { loadConfig, type Config } from './config.ts';
import { RxpError } from './errors.ts';
import type { FastifyInstance } from 'fastify';

let config: Config;
let app: FastifyInstance;
try {
  config = loadConfig(process.env, { RXPULSE_DEMO: 'on' });
  // With REDIS_URL this instance joins a fleet (server/cluster/fleet.ts); without it, it is the whole server.
  app = config.redisUrl ? await buildFleetApp(config) : await buildApp(config);
} catch (err) {
  // A configuration or screen-file mistake: one clear line, no stack trace.
  if (!(err instanceof RxpError)) throw err;
  process.stderr.write(`RxPulse cannot start: ${err.code}: ${err.message}\n`);
  process.exit(1);
}
// On SIGINT/SIGTERM (or a fatal error) app.close() runs the stop (app.ts: requests and ingests finish, the
// writer, rules and projector drain, storage closes last, once no query runs in chDB); close-with-grace then
// exits 0 (1 after a fatal error). A stop still running after GRACE_MS is cut short: exit 1.
const GRACE_MS = 10_000;
// The HTTP server closes when its last connection has, and a client that no longer answers would hold it
// past GRACE_MS: a WebSocket closes with a handshake that waits up to 30 s for the peer (a wall asleep, its
// network gone), a stalled upload until the request timeout. The sockets were told and closed at the start
// of the stop (io plugin): those still open after SOCKETS_CUT_MS are cut; then, after CONNECTIONS_CUT_MS, any
// connection left (an answer not sent by then is not sent: nothing unacknowledged is claimed stored).
const SOCKETS_CUT_MS = 3_000;
const CONNECTIONS_CUT_MS = 6_000;
const upgraded = new Set<Duplex>();
app.server.on('upgrade', (_req: unknown, socket: Duplex) => {
  upgraded.add(socket);
  socket.once('close', () => upgraded.delete(socket));
});
function cutLingeringConnections(): () => void {
  const sockets = setTimeout(() => {
    if (upgraded.size > 0) app.log.warn({ sockets: upgraded.size }, 'stop: cutting sockets whose client did not close');
    for (const s of upgraded) s.destroy();
  }, SOCKETS_CUT_MS);
  const rest = setTimeout(() => app.server.closeAllConnections(), CONNECTIONS_CUT_MS);
  return () => {
    clearTimeout(sockets);
    clearTimeout(rest);
  };
}
closeWithGrace(
  {
    delay: GRACE_MS,
    onTimeout: () => {
      const storage = config.redisUrl ? app.fleet.core?.storage : app.storage;
      const pending = storage?.pending ?? 0;
      app.log.error({ graceMs: GRACE_MS, storageCalls: pending }, 'stop did not finish in time; exiting');
      // close-with-grace exits 1 next; libchdb's exit handler would then tear the engine down under the
      // running query (SIGSEGV, a core dump). End like kill -9 instead: what was acknowledged is stored, and
      // the next start recovers the projection and the rules from the log.
      if (pending > 0 && storage?.transport === 'chdb') process.kill(process.pid, 'SIGKILL');
    },
  },
  async ({ signal, err }) => {
    const t0 = performance.now();
    if (err) app.log.error({ err }, 'fatal error, shutting down');
    else app.log.info({ signal }, 'shutting down');
    const cancelCuts = cutLingeringConnections();
    try {
      await app.close();
    } finally {
      cancelCuts();
    }
    app.log.info({ ms: Math.round(performance.now() - t0) }, 'stopped');
  },
);
await app.listen({ port: config.port, host: config.host });

const base = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${(app.server.address() as { port: number }).port}`;
const role = config.redisUrl ? `fleet member ${app.fleet.instanceId} over Redis, storage: ${config.clickhouse ? 'ClickHouse server' : 'chDB'} at the leader` : `storage: ${app.storage.transport}`;
const lines = [`RxPulse is listening on ${base} (${role}, demo: ${config.demo ? 'on' : 'off'})`];
if (config.tokens.generated.includes('admin')) lines.push(`  admin token (generated, set RXPULSE_ADMIN_TOKEN to keep one): ${config.tokens.admin}`);
if (config.tokens.generated.includes('ingest')) lines.push(`  ingest token (generated, set RXPULSE_INGEST_TOKEN to keep one): ${config.tokens.ingest}`);
lines.push(`  war-room screen: ${base}/screens/war-room?token=${config.tokens.generated.includes('admin') ? config.tokens.admin : '<RXPULSE_ADMIN_TOKEN>'}`);
// Printed once to stderr, never through the logger: stdout is the JSON log stream that log shippers collect,
// and generated tokens must not land in log files.
process.stderr.write(`\n${lines.join('\n')}\n\n`);

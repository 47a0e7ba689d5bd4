// The entry point: reads the environment, builds the app, listens, prints generated tokens once, and shuts
// down gracefully on SIGINT/SIGTERM (in-flight ingests finish, sockets are told).
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
closeWithGrace({ delay: 10_000 }, async ({ signal, err }) => {
  if (err) app.log.error({ err }, 'fatal error, shutting down');
  else app.log.info({ signal }, 'shutting down');
  await app.close();
});
await app.listen({ port: config.port, host: config.host });

const base = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${(app.server.address() as { port: number }).port}`;
const role = config.redisUrl ? `fleet member ${app.fleet.instanceId} over Redis, storage: ${config.clickhouse ? 'ClickHouse server' : 'chDB'} at the leader` : `storage: ${app.storage.transport}`;
const lines = [`RxPulse is listening on ${base} (${role}, demo: ${config.demo ? 'on' : 'off'})`];
if (config.tokens.generated.includes('admin')) lines.push(`  admin token (generated, set RXPULSE_ADMIN_TOKEN to keep one): ${config.tokens.admin}`);
if (config.tokens.generated.includes('ingest')) lines.push(`  ingest token (generated, set RXPULSE_INGEST_TOKEN to keep one): ${config.tokens.ingest}`);
lines.push(`  war-room screen: ${base}/screens/war-room?token=${config.tokens.generated.includes('admin') ? config.tokens.admin : '<RXPULSE_ADMIN_TOKEN>'}`);
// Printed to the terminal once, never through the logger (tokens stay out of log files).
process.stdout.write(`\n${lines.join('\n')}\n\n`);

// ClickHouse as a Fastify plugin: one resource, owns its lifecycle (STYLE §2). The same @clickhouse/client
// API over two transports: chDB in-process at RXPULSE_DATA_DIR (default) or HTTP to a server when
// CLICKHOUSE_URL is set. Nothing else in RxPulse knows which one runs.
import { mkdirSync } from 'node:fs';
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { createChdbConnection } from 'chdb/connection';
import fp from 'fastify-plugin';
import type { Config } from '../config.ts';
import { RxpError } from '../errors.ts';
import { clusterStatements } from '../store/cluster-schema.ts';
import { schemaStatements } from '../store/schema.ts';

type ClientConnection = NonNullable<NonNullable<Parameters<typeof createClient>[0]>['connection']>;

export interface Storage {
  /** Database name; table names in SQL are qualified with it. */
  readonly db: string;
  /** Used only by the ingest writer: chDB runs one query at a time per connection, so writes and reads
   *  get their own connections on the same path and do not wait for each other. */
  readonly write: ClickHouseClient;
  /** Used by the projector (log → typed tables). */
  readonly project: ClickHouseClient;
  /** Used by metric queries and the read API. */
  readonly read: ClickHouseClient;
  readonly transport: 'chdb' | 'http';
  close(): Promise<void>;
}

// 64-bit integers arrive as JSON strings (exact); `toInt` turns them into numbers and refuses unsafe ones.
const SESSION_SETTINGS = { output_format_json_quote_64bit_integers: 1 } as const;

function makeClient(config: Config): ClickHouseClient {
  if (config.clickhouse) {
    return createClient({
      url: config.clickhouse.url,
      username: config.clickhouse.username,
      password: config.clickhouse.password,
      // On a cluster an INSERT returns once the shards have it (not when queued on the node that took it):
      // an ingest is acknowledged only when durable.
      clickhouse_settings: config.clickhouse.cluster ? { ...SESSION_SETTINGS, distributed_foreground_insert: 1 } : SESSION_SETTINGS,
      request_timeout: 30_000,
    });
  }
  mkdirSync(config.dataDir, { recursive: true });
  // The cast: chdb/connection is typed against its own copy of @clickhouse/client-common (STACK-NOTES).
  const connection = createChdbConnection({ path: config.dataDir }) as unknown as ClientConnection;
  return createClient({ connection, clickhouse_settings: SESSION_SETTINGS });
}

export async function openStorage(config: Config): Promise<Storage> {
  const db = config.clickhouse?.database ?? config.database;
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(db)) throw new RxpError('RXP_ERR_CONFIG_INVALID', `database name "${db}" is not an identifier`);
  const write = makeClient(config);
  const project = makeClient(config);
  const read = makeClient(config);
  const close = async () => {
    await Promise.allSettled([write.close(), project.close(), read.close()]);
  };
  try {
    const cluster = config.clickhouse?.cluster;
    for (const statement of cluster ? clusterStatements(schemaStatements(db), db, cluster) : schemaStatements(db)) await write.command({ query: statement });
  } catch (err) {
    await close();
    throw err;
  }
  return { db, write, project, read, transport: config.clickhouse ? 'http' : 'chdb', close };
}

/** A 64-bit integer from a JSON row (string or number) as a JS number, exact or an error. */
export function toInt(v: unknown): number {
  const n = typeof v === 'string' ? Number(v) : (v as number);
  if (!Number.isSafeInteger(n)) throw new RxpError('RXP_ERR_INTERNAL', `integer out of safe range: ${String(v)}`);
  return n;
}

declare module 'fastify' {
  interface FastifyInstance {
    storage: Storage;
  }
}

/** Decorates `app.storage`; schema ready before boot goes on; closed in onClose (after ingest drained). */
export const clickhousePlugin = fp<{ storage: Storage }>(
  async (app, opts) => {
    app.decorate('storage', opts.storage);
    app.addHook('onClose', async () => {
      await opts.storage.close();
    });
  },
  { name: 'rxpulse-clickhouse' },
);

// ClickHouse as a Fastify plugin: one resource, owns its lifecycle (STYLE §2). The same @clickhouse/client
// API over two transports: chDB in-process at RXPULSE_DATA_DIR (default) or HTTP to a server when
// CLICKHOUSE_URL is set. Nothing else in RxPulse knows which one runs.
import { mkdirSync } from 'node:fs';
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { drainPending } from 'chdb';
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
  /** Calls running or waiting on the three connections (a stop that overran reports it). */
  readonly pending: number;
  /** Refuses new calls and those still waiting (RXP_ERR_SHUTTING_DOWN), waits for the running ones, then
   *  closes the connections; on chDB, resolves once the native connections are destroyed. Idempotent. */
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
  const chdb = !config.clickhouse;
  const clients = [makeClient(config), makeClient(config), makeClient(config)];
  const gates = clients.map(() => new Gate(chdb));
  const [write, project, read] = clients.map((c, i) => gated(c, gates[i]));
  let closed: Promise<void> | null = null;
  const close = () =>
    (closed ??= (async () => {
      await Promise.all(gates.map((g) => g.close()));
      await Promise.allSettled(clients.map((c) => c.close()));
      // chdb-node destroys a native connection only once no native call of the process runs (it defers the
      // teardown behind them): wait for that too, or the process could exit with the engine still busy.
      if (chdb) await drainPending();
    })());
  try {
    const cluster = config.clickhouse?.cluster;
    for (const statement of cluster ? clusterStatements(schemaStatements(db), db, cluster) : schemaStatements(db)) await write.command({ query: statement });
  } catch (err) {
    await close();
    throw err;
  }
  return {
    db,
    write,
    project,
    read,
    transport: chdb ? 'chdb' : 'http',
    get pending() {
      return gates.reduce((n, g) => n + g.pending, 0);
    },
    close,
  };
}

/**
 * Every call on a storage client passes its connection's gate, so that a stop knows what runs in the engine
 * and the engine is never closed under a query (issue 15, item 8: SIGTERM under load ended in SIGSEGV: the
 * clients' close() returned at once while chDB still ran queries, main.ts then exited the process, and
 * libchdb's exit handler tore the engine down under them).
 * - On chDB, calls enter the engine one at a time per connection, in order. A connection runs one query at a
 *   time anyway, and chdb-node chains every parameterized query of the process behind one another: without
 *   this, a backlog of reads held the writer's and the projector's queries up (also while stopping), and a
 *   stop could not tell a query the engine runs from one merely queued there.
 * - Over HTTP, calls run in parallel (the client's socket pool); the gate only counts them.
 * - `close()` refuses new calls and those still waiting with RXP_ERR_SHUTTING_DOWN, and resolves when the
 *   running ones have settled.
 */
class Gate {
  private running = false;
  private readonly waiting: { start(): void; refuse(err: RxpError): void }[] = [];
  private readonly inFlight = new Set<Promise<unknown>>();
  private closing = false;

  constructor(private readonly oneAtATime: boolean) {}

  get pending(): number {
    return this.inFlight.size + this.waiting.length;
  }

  run<T>(call: () => Promise<T>): Promise<T> {
    if (this.closing) return Promise.reject(shuttingDown());
    if (!this.oneAtATime) return this.track(call);
    return new Promise<T>((resolve, reject) => {
      this.waiting.push({
        start: () =>
          void this.track(call)
            .then(resolve, reject)
            .finally(() => {
              this.running = false;
              this.next();
            }),
        refuse: reject,
      });
      this.next();
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    for (const w of this.waiting.splice(0)) w.refuse(shuttingDown());
    await Promise.allSettled([...this.inFlight]);
  }

  private next(): void {
    if (this.running) return;
    const w = this.waiting.shift();
    if (!w) return;
    this.running = true;
    w.start();
  }

  private track<T>(call: () => Promise<T>): Promise<T> {
    let p: Promise<T>;
    try {
      p = call();
    } catch (err) {
      return Promise.reject(err);
    }
    this.inFlight.add(p);
    const done = () => this.inFlight.delete(p);
    p.then(done, done);
    return p;
  }
}

const shuttingDown = () => new RxpError('RXP_ERR_SHUTTING_DOWN', 'storage is closing', {}, 2);

/** The calls that reach the engine; everything else on the client (close included) is passed through. */
const GATED: ReadonlySet<PropertyKey> = new Set(['query', 'command', 'exec', 'insert', 'ping']);

/** `client` with its calls through `gate` (methods run on the client itself: it may hold private fields). */
function gated(client: ClickHouseClient, gate: Gate): ClickHouseClient {
  return new Proxy(client, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      const fn = value as (...args: unknown[]) => Promise<unknown>;
      return GATED.has(prop) ? (...args: unknown[]) => gate.run(() => fn.apply(target, args)) : fn.bind(target);
    },
  });
}

/** A 64-bit integer from a JSON row (string or number) as a JS number, exact or an error. */
export function toInt(v: unknown): number {
  const n = typeof v === 'string' ? Number(v) : (v as number);
  // Past 2^53 − 1 a JS number would round: the value is refused (an error in the log and in health), never
  // shown approximately on a wall.
  if (!Number.isSafeInteger(n)) throw new RxpError('RXP_ERR_UNSAFE_INTEGER', `integer out of the exact range (±2^53 − 1): ${String(v)}`);
  return n;
}

declare module 'fastify' {
  interface FastifyInstance {
    storage: Storage;
  }
}

/** Decorates `app.storage`; schema ready before boot goes on; closed in onClose, the last hook to run (app.ts
 *  closes the writer, rules, projector and hot counters before: what was acknowledged is written first). */
export const clickhousePlugin = fp<{ storage: Storage }>(
  async (app, opts) => {
    app.decorate('storage', opts.storage);
    app.addHook('onClose', async () => {
      await opts.storage.close();
    });
  },
  { name: 'rxpulse-clickhouse' },
);

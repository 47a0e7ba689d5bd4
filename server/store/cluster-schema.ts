// The same schema on a ClickHouse cluster (CLICKHOUSE_CLUSTER with CLICKHOUSE_URL): every statement of
// schema.ts, rewritten so that the metric SQL stays the same text on one engine and on a cluster.
//
// - Each table T becomes `T_local` (the Replicated* form of its engine, on every replica through Keeper) and
//   `T`, a Distributed table over `T_local` sharded by the first column of its ORDER BY. Queries and inserts
//   keep naming `T`. Sharding by the sort key's first column keeps the rows that ReplacingMergeTree /
//   AggregatingMergeTree merge by key (an order, a buyer, a screen id) on one shard.
// - Materialized views run where the rows land: `M` reads `S_local` and writes `D_local` on each shard.
// - `non_replicated_deduplication_window` is dropped: replicated tables deduplicate inserted blocks (and
//   honour insert_deduplication_token) by themselves.
// - Every statement runs ON CLUSTER.
//
// Tested here as SQL text only (this machine has no ClickHouse server or Keeper): see README "Several instances".

const TABLE = /^CREATE TABLE IF NOT EXISTS (\w+)\.(\w+) \(([\s\S]*)\) ENGINE = (\w+)(\([^)]*\))?([\s\S]*)$/;
const VIEW = /^CREATE MATERIALIZED VIEW IF NOT EXISTS (\w+)\.(\w+) TO (\w+)\.(\w+) AS([\s\S]*)$/;
const ALTER = /^ALTER TABLE (\w+)\.(\w+) ([\s\S]*)$/;

const quote = (s: string) => `'${s.replace(/'/g, "\\'")}'`;

export function clusterStatements(statements: readonly string[], db: string, cluster: string): string[] {
  const on = `ON CLUSTER ${quote(cluster)}`;
  const tables = new Set<string>();
  for (const s of statements) {
    const m = TABLE.exec(s);
    if (m) tables.add(m[2]);
  }
  const local = (sql: string) => sql.replace(new RegExp(`\\b${db}\\.(\\w+)\\b`, 'g'), (all, name: string) => (tables.has(name) ? `${db}.${name}_local` : all));
  const out: string[] = [];
  for (const s of statements) {
    if (/^CREATE DATABASE IF NOT EXISTS \w+$/.test(s)) {
      out.push(`${s} ${on}`);
      continue;
    }
    const t = TABLE.exec(s);
    if (t) {
      const [, d, name, columns, engine, args, rest] = t;
      const inner = args ? args.slice(1, -1).trim() : '';
      const path = quote(`/clickhouse/tables/{shard}/${d}/${name}_local`);
      const replicated = `Replicated${engine}(${[path, quote('{replica}'), ...(inner ? [inner] : [])].join(', ')})`;
      const tail = rest
        .replace(/,?\s*non_replicated_deduplication_window\s*=\s*\d+/, '')
        .replace(/\s+SETTINGS\s*$/, '')
        .replace(/SETTINGS\s*,\s*/, 'SETTINGS ');
      const orderBy = /ORDER BY \(?\s*(\w+)/.exec(rest)?.[1];
      if (!orderBy) throw new Error(`cluster schema: no ORDER BY in ${d}.${name}`);
      out.push(`CREATE TABLE IF NOT EXISTS ${d}.${name}_local ${on} (${columns}) ENGINE = ${replicated}${tail}`);
      out.push(`CREATE TABLE IF NOT EXISTS ${d}.${name} ${on} AS ${d}.${name}_local ENGINE = Distributed(${quote(cluster)}, ${d}, ${name}_local, cityHash64(${orderBy}))`);
      continue;
    }
    const v = VIEW.exec(s);
    if (v) {
      const [, d, name, toDb, to, select] = v;
      out.push(`CREATE MATERIALIZED VIEW IF NOT EXISTS ${d}.${name} ${on} TO ${toDb}.${to}_local AS${local(select)}`);
      continue;
    }
    const a = ALTER.exec(s);
    if (a) {
      // A column added to both: the local table holds it, the Distributed table exposes it.
      const [, d, name, change] = a;
      out.push(`ALTER TABLE ${d}.${name}_local ${on} ${change}`);
      out.push(`ALTER TABLE ${d}.${name} ${on} ${change}`);
      continue;
    }
    throw new Error(`cluster schema: no cluster form for statement: ${s.slice(0, 80)}`);
  }
  return out;
}

// The cluster form of the schema, checked as SQL text (no ClickHouse server or Keeper on this machine): every
// table replicated under `<name>_local` behind a Distributed table of its own name, views from local to local,
// everything ON CLUSTER; the statements the single engine runs are untouched.
import { describe, expect, it } from 'vitest';
import { clusterStatements } from '../../server/store/cluster-schema.ts';
import { schemaStatements } from '../../server/store/schema.ts';

const db = 'rxpulse';
const single = schemaStatements(db);
const cluster = clusterStatements(single, db, 'rx_cluster');
const tableNames = single.flatMap((s) => /^CREATE TABLE IF NOT EXISTS \w+\.(\w+) \(/.exec(s)?.[1] ?? []);
const viewCount = single.filter((s) => s.startsWith('CREATE MATERIALIZED VIEW')).length;

describe('cluster schema', () => {
  it('runs every statement ON CLUSTER', () => {
    expect(tableNames.length).toBeGreaterThan(20);
    for (const s of cluster) expect(s).toContain("ON CLUSTER 'rx_cluster'");
    expect(cluster.filter((s) => s.startsWith('CREATE MATERIALIZED VIEW'))).toHaveLength(viewCount);
  });

  it('makes each table a Replicated* local table plus a Distributed table named as the queries name it', () => {
    for (const name of tableNames) {
      const original = single.find((s) => s.startsWith(`CREATE TABLE IF NOT EXISTS ${db}.${name} (`))!;
      const engine = /ENGINE = (\w+)/.exec(original)![1];
      const localDdl = cluster.find((s) => s.startsWith(`CREATE TABLE IF NOT EXISTS ${db}.${name}_local `));
      expect(localDdl, name).toBeDefined();
      expect(localDdl).toContain(`ENGINE = Replicated${engine}('/clickhouse/tables/{shard}/${db}/${name}_local', '{replica}'`);
      expect(localDdl).not.toContain('non_replicated_deduplication_window');
      expect(localDdl).not.toMatch(/SETTINGS\s*$/);
      // ReplacingMergeTree(version) keeps its version column after the Keeper path and replica.
      if (/ReplacingMergeTree\(version\)/.test(original)) expect(localDdl).toContain("'{replica}', version)");
      const dist = cluster.find((s) => s.startsWith(`CREATE TABLE IF NOT EXISTS ${db}.${name} ON CLUSTER`));
      expect(dist, name).toMatch(new RegExp(`AS ${db}\\.${name}_local ENGINE = Distributed\\('rx_cluster', ${db}, ${name}_local, cityHash64\\(\\w+\\)\\)$`));
    }
  });

  it('shards by the first sort-key column, so rows merged by key stay on one shard', () => {
    const dist = (name: string) => cluster.find((s) => s.startsWith(`CREATE TABLE IF NOT EXISTS ${db}.${name} ON CLUSTER`))!;
    expect(dist('events')).toContain('cityHash64(event_id)');
    expect(dist('order_state')).toContain('cityHash64(order_id)');
    expect(dist('screens')).toContain('cityHash64(id)');
  });

  it('points materialized views from local tables to local tables', () => {
    const mv = cluster.find((s) => s.startsWith(`CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.sales_minute_mv`))!;
    expect(mv).toContain(`TO ${db}.sales_minute_local AS`);
    expect(mv).toContain(`FROM ${db}.order_events_local`);
    for (const s of cluster.filter((x) => x.startsWith('CREATE MATERIALIZED VIEW'))) {
      expect(s).not.toMatch(new RegExp(`\\b${db}\\.(?!\\w+_local\\b)(?!\\w+_mv\\b)\\w+`));
    }
  });

  it('adds a column to the local and the Distributed table', () => {
    const alters = cluster.filter((s) => s.startsWith('ALTER TABLE'));
    expect(alters.length).toBe(2 * single.filter((s) => s.startsWith('ALTER TABLE')).length);
    expect(alters.some((s) => s.startsWith(`ALTER TABLE ${db}.alerts_local ON CLUSTER`))).toBe(true);
  });
});

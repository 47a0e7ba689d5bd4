// Reference tables: every upload is appended to `reference_log` (history kept: 可追溯), and a materialized
// view per kind keeps the latest row per key in `ref_<kind>` (ReplacingMergeTree on the upload version;
// read with FINAL).
import { REFERENCE_KINDS } from '../../streams/reference/schema.ts';

export function referenceStatements(db: string): string[] {
  const statements = [
    `CREATE TABLE IF NOT EXISTS ${db}.reference_log (
      kind LowCardinality(String),
      key String,
      version UInt64 COMMENT 'upload time in ms, strictly increasing per process',
      body String
    ) ENGINE = MergeTree ORDER BY (kind, key, version)`,
  ];
  for (const k of REFERENCE_KINDS) {
    const cols = Object.entries(k.columns);
    statements.push(
      `CREATE TABLE IF NOT EXISTS ${db}.ref_${k.kind} (
        ${cols.map(([name, type]) => `${name} ${type}`).join(',\n        ')},
        version UInt64
      ) ENGINE = ReplacingMergeTree(version) ORDER BY (${k.key.join(', ')})`,
      `CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.ref_${k.kind}_mv TO ${db}.ref_${k.kind} AS
        SELECT ${cols.map(([name]) => `j.${name} AS ${name}`).join(', ')}, version
        FROM (
          SELECT version, JSONExtract(body, 'Tuple(${cols.map(([name, type]) => `${name} ${type.replace(/^LowCardinality\((.*)\)$/, '$1')}`).join(', ')})') AS j
          FROM ${db}.reference_log WHERE kind = '${k.kind}'
        )`,
    );
  }
  return statements;
}

// Where projection time goes: a generated mixed day fanned out into the typed tables in-process (no HTTP,
// no log), timing the JS row building and each table's INSERT (its materialized views included).
// Usage: npx tsx bench/projection.ts [events=100000] [cycle=20000]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../server/config.ts';
import { validateEvents } from '../server/ingest/validate.ts';
import { openStorage } from '../server/plugins/clickhouse.ts';
import { project, type StoredEvent } from '../server/store/projections.ts';
import { demoDay } from './day.ts';

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.split('=')));
const N = Number(args.events ?? 100_000);
const CYCLE = Number(args.cycle ?? 20_000);

const valid = validateEvents(demoDay(N).flatMap((s) => s.events), Date.now());
if (!valid.ok) throw new Error(`generated events are invalid: ${JSON.stringify(valid.errors[0])}`);
const events: StoredEvent[] = valid.events.map((e) => ({ ...e, firstPaid: e.type === 'order.paid' ? 1 : 0 }));

const dir = mkdtempSync(join(tmpdir(), 'rxpulse-bench-projection-'));
const storage = await openStorage(loadConfig({ RXPULSE_DATA_DIR: dir }));
try {
  const perTable = new Map<string, { ms: number; rows: number }>();
  let jsMs = 0;
  const started = performance.now();
  for (let i = 0; i < events.length; i += CYCLE) {
    const t = performance.now();
    const tables = [...project(events.slice(i, i + CYCLE))].map(([table, lines]) => [table, lines.join('\n')] as const);
    jsMs += performance.now() - t;
    for (const [table, body] of tables) {
      const t0 = performance.now();
      await storage.project.command({ query: `INSERT INTO ${storage.db}.${table} SETTINGS insert_deduplication_token = '${table}:${i}' FORMAT JSONEachRow\n${body}` });
      const p = perTable.get(table) ?? { ms: 0, rows: 0 };
      perTable.set(table, { ms: p.ms + performance.now() - t0, rows: p.rows + body.split('\n').length });
    }
  }
  const total = performance.now() - started;
  const us = (ms: number) => `${((ms * 1000) / N).toFixed(1)} µs/event`;
  console.log(`projection of ${N} mixed events in cycles of ${CYCLE}: ${Math.round(N / (total / 1000))} events/s (${us(total)})`);
  console.log(`  JS row building: ${jsMs.toFixed(0)} ms (${us(jsMs)})`);
  for (const [table, p] of [...perTable].sort((a, b) => b[1].ms - a[1].ms)) console.log(`  ${table.padEnd(16)} ${String(p.rows).padStart(7)} rows  ${p.ms.toFixed(0).padStart(5)} ms  ${us(p.ms)}`);
} finally {
  await storage.close();
  rmSync(dir, { recursive: true, force: true });
}

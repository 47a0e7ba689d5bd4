// Reference data writes, shared by PUT /api/v1/reference/{kind} and the demo: validation against the one
// declaration per kind, an append to reference_log with strictly increasing versions (the latest wins in
// ref_<kind>), and a change notice for the metrics that read that kind.
import { Compile, type Validator } from 'typebox/compile';
import { badStrings, wellFormed } from '../../streams/common.ts';
import { REFERENCE_KINDS, type ReferenceKind } from '../../streams/reference/schema.ts';
import { describeErrors, projector } from '../ingest/validate.ts';
import type { Storage } from '../plugins/clickhouse.ts';
import type { Clock } from '../time.ts';

export interface RowError {
  index: number;
  key: string | null;
  field: string;
  reason: string;
}

interface Compiled {
  def: ReferenceKind;
  check: Validator;
  project: (v: unknown) => unknown;
}

export class ReferenceStore {
  private readonly kinds = new Map<string, Compiled>(
    REFERENCE_KINDS.map((def) => [def.kind, { def, check: Compile(def.schema), project: projector(def.schema as unknown as Record<string, unknown>) }]),
  );
  private lastVersion = 0;

  constructor(
    private readonly storage: Storage,
    private readonly clock: Clock,
    private readonly onChange: (kind: string) => void,
  ) {}

  has(kind: string): boolean {
    return this.kinds.has(kind);
  }

  private kind(kind: string): Compiled {
    const c = this.kinds.get(kind);
    if (!c) throw new Error(`unknown reference kind ${kind}`);
    return c;
  }

  keyOf(kind: string, row: Record<string, unknown>): string {
    return this.kind(kind).def.key.map((k) => String(row[k] ?? '')).join('|');
  }

  /** Every invalid row with its bad fields (up to 100 entries); empty when all rows are valid. The bounds of
   *  events apply (CONTRACT "Bounds"): money, id and text lengths, dates Date32 stores as they are, and no
   *  lone surrogate or NUL in any string or key. */
  validate(kind: string, rows: readonly unknown[]): RowError[] {
    const c = this.kind(kind);
    const errors: RowError[] = [];
    rows.forEach((row, index) => {
      if (errors.length >= 100) return;
      const obj = typeof row === 'object' && row !== null && !Array.isArray(row) ? (row as Record<string, unknown>) : null;
      if (!obj) return void errors.push({ index, key: null, field: '', reason: 'must be a JSON object' });
      const problems = c.check.Check(obj) ? [] : describeErrors(c.def.schema, c.check, obj);
      for (const p of badStrings(obj)) if (!problems.some((q) => q.field === p.field)) problems.push(p);
      if (problems.length === 0) return;
      const key = wellFormed(this.keyOf(kind, obj));
      for (const p of problems) if (errors.length < 100) errors.push({ index, key, ...p });
    });
    return errors;
  }

  /**
   * Appends valid rows (validate first). With `onlyChanged`, rows equal to the latest stored row of their
   * key are skipped (the demo re-stores its reference at each start without growing the history).
   * @returns rows stored
   */
  async upsert(kind: string, rows: readonly Record<string, unknown>[], opts: { onlyChanged?: boolean } = {}): Promise<number> {
    const c = this.kind(kind);
    let known = new Map<string, string>();
    if (opts.onlyChanged) {
      const rs = await this.storage.read.query({
        query: `SELECT key, argMax(body, version) AS body FROM ${this.storage.db}.reference_log WHERE kind = {kind:String} GROUP BY key`,
        query_params: { kind },
        format: 'JSONEachRow',
      });
      known = new Map((await rs.json<{ key: string; body: string }>()).map((r) => [r.key, r.body]));
    }
    const values: { kind: string; key: string; version: number; body: string }[] = [];
    for (const row of rows) {
      const key = this.keyOf(kind, row);
      const body = JSON.stringify(c.project(row));
      if (known.get(key) === body) continue;
      this.lastVersion = Math.max(this.lastVersion + 1, this.clock.now() * 1000);
      values.push({ kind, key, version: this.lastVersion, body });
    }
    if (values.length === 0) return 0;
    await this.storage.write.insert({ table: `${this.storage.db}.reference_log`, values, format: 'JSONEachRow' });
    this.onChange(kind);
    return values.length;
  }
}

// All-or-nothing validation of an ingest request (CONTRACT "Ingest" and "Bounds (v1.1)"). Every invalid event
// is reported with its index, event_id, the field as a path (`lines[0].qty`) and a reason; up to MAX_ERRORS
// entries. Three passes over an event, each cheap: the compiled schema (types, enums, numeric and length
// bounds), the `ts` window that moves with the clock, and the strings check (no lone surrogate, no NUL, in
// any string or key, declared or not) which the route skips for a body that cannot hold one.
import type { TObject, TSchema } from 'typebox';
import { Compile, type Validator } from 'typebox/compile';
import { STREAMS } from '../../streams/index.ts';
import { badStrings, tsBoundsError, tsMillis } from '../../streams/common.ts';

export const MAX_ERRORS = 100;

export interface EventError {
  index: number;
  event_id: string | null;
  field: string;
  reason: string;
}

/** A validated event, cleaned of unknown fields and masked, ready for the writer. */
export interface ValidEvent {
  event_id: string;
  type: string;
  stream: string;
  tsMs: number;
  body: Record<string, unknown>;
}

interface TypeEntry {
  stream: string;
  schema: TObject;
  check: Validator;
  /** Copies the declared fields only (TypeBox's Value.Clean is ~70 µs an event: too slow for ingest). */
  project: (value: unknown) => unknown;
  toStored: (event: Record<string, unknown>) => void;
}

/** A copier of what a schema declares: objects keep their declared properties, arrays map their items. */
export function projector(schema: Record<string, unknown>): (value: unknown) => unknown {
  if (schema.type === 'object' && schema.properties) {
    const fields = Object.entries(schema.properties as Record<string, Record<string, unknown>>).map(([k, sub]) => [k, projector(sub)] as const);
    return (value) => {
      const src = value as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const [k, copy] of fields) if (src[k] !== undefined) out[k] = copy(src[k]);
      return out;
    };
  }
  if (schema.type === 'array' && schema.items) {
    const copy = projector(schema.items as Record<string, unknown>);
    return (value) => (value as unknown[]).map(copy);
  }
  return (value) => value;
}

const TYPES = new Map<string, TypeEntry>();
for (const stream of STREAMS) {
  for (const schema of stream.events) {
    const type = (schema.properties.type as { const: string }).const;
    if (type.split('.')[0] !== stream.name) throw new Error(`event type ${type} does not belong to stream ${stream.name}`);
    TYPES.set(type, { stream: stream.name, schema, check: Compile(schema), project: projector(schema as unknown as Record<string, unknown>), toStored: stream.toStored });
  }
}
export const KNOWN_TYPES: readonly string[] = [...TYPES.keys()];

/** `/lines/0/qty` → `lines[0].qty` */
function fieldPath(pointer: string, extra?: string): string {
  const parts = pointer.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (extra) parts.push(extra);
  return parts.reduce((acc, p) => (/^\d+$/.test(p) ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p), '');
}

function schemaAt(root: TSchema, schemaPath: string): Record<string, unknown> | undefined {
  let node: unknown = root;
  for (const key of schemaPath.replace(/^#\/?/, '').split('/').filter(Boolean)) {
    node = (node as Record<string, unknown> | undefined)?.[key];
  }
  return node as Record<string, unknown> | undefined;
}

function reasonOf(keyword: string, params: Record<string, unknown>, message: string): string {
  if (keyword === 'enum') return `must be one of: ${(params.allowedValues as unknown[]).join(', ')}`;
  if (keyword === 'const') return `must be ${JSON.stringify(params.allowedValue)}`;
  if (keyword === 'pattern' && String(params.pattern) === '^[0-9]{20}$') return 'must be exactly 20 digits';
  return message;
}

/** One error per field: a union (anyOf) reports its own description instead of one line per branch. */
export function describeErrors(schema: TSchema, check: Validator, value: unknown): { field: string; reason: string }[] {
  const byField = new Map<string, string>();
  const unions = new Set<string>();
  const raw = [...check.Errors(value)];
  for (const e of raw) if (e.keyword === 'anyOf') unions.add(e.instancePath);
  for (const e of raw) {
    if (e.keyword === 'required') {
      for (const name of e.params.requiredProperties as string[]) {
        byField.set(fieldPath(e.instancePath, name), 'is required');
      }
      continue;
    }
    const field = fieldPath(e.instancePath);
    if (byField.has(field)) continue;
    if (unions.has(e.instancePath)) {
      const union = raw.find((u) => u.keyword === 'anyOf' && u.instancePath === e.instancePath)!;
      const description = schemaAt(schema, union.schemaPath)?.description;
      byField.set(field, typeof description === 'string' ? description : e.message);
      continue;
    }
    // `not` and `format` say nothing useful by themselves ("must not be valid"): the schema's description does.
    const description = e.keyword === 'not' || e.keyword === 'format' ? schemaAt(schema, e.schemaPath)?.description : undefined;
    byField.set(field, typeof description === 'string' ? `must be ${description}` : reasonOf(e.keyword, e.params as Record<string, unknown>, e.message));
  }
  return [...byField].map(([field, reason]) => ({ field, reason }));
}

export type Validation = { ok: true; events: ValidEvent[] } | { ok: false; errors: EventError[] };

export interface ValidateOptions {
  /** Check every string and key for lone surrogates and NUL. Pass false only when the caller knows no
   *  string can hold one (see `mayHoldBadStrings`). @default true */
  strings?: boolean;
}

// JSON text decoded from UTF-8 never holds a lone surrogate, and JSON has no raw NUL (control characters must
// be escaped): in a parsed body, both can come only from a `\uD800`…`\uDFFF` or `\u0000` escape. A body
// without such an escape (nearly all of them) needs no string walk. A false alarm (`\\ud8…`) only costs one.
const BAD_ESCAPE = /\\u(?:[dD][89a-fA-F]|0000)|[\u0000\ud800-\udfff]/;

/** False when no string parsed from this JSON / NDJSON text can hold a lone surrogate or a NUL. */
export function mayHoldBadStrings(text: string): boolean {
  return BAD_ESCAPE.test(text);
}

/**
 * Validates a request's events against their declarations and the bounds, all or nothing.
 * @param nowMs the server's clock (epoch ms): a `ts` may be up to 24 h after it.
 */
export function validateEvents(items: readonly unknown[], nowMs: number, opts: ValidateOptions = {}): Validation {
  const checkStrings = opts.strings ?? true;
  const errors: EventError[] = [];
  const events: ValidEvent[] = [];
  items.forEach((item, index) => {
    if (errors.length >= MAX_ERRORS) return;
    const obj = typeof item === 'object' && item !== null && !Array.isArray(item) ? (item as Record<string, unknown>) : null;
    const eventId = obj && typeof obj.event_id === 'string' ? obj.event_id : null;
    if (!obj) {
      errors.push({ index, event_id: null, field: '', reason: 'must be a JSON object' });
      return;
    }
    const entry = typeof obj.type === 'string' ? TYPES.get(obj.type) : undefined;
    if (!entry) {
      const reason = typeof obj.type === 'string' ? `unknown type "${obj.type}"` : 'is required (a string)';
      errors.push({ index, event_id: eventId, field: 'type', reason });
      return;
    }
    const valid = entry.check.Check(obj);
    const problems = valid ? [] : describeErrors(entry.schema, entry.check, obj);
    const tsMs = valid ? tsMillis(obj.ts as string | number) : NaN;
    if (valid) {
      const reason = tsBoundsError(tsMs, nowMs);
      if (reason) problems.push({ field: 'ts', reason });
    }
    if (checkStrings) {
      for (const p of badStrings(obj)) if (!problems.some((q) => q.field === p.field)) problems.push(p);
    }
    if (problems.length > 0) {
      for (const p of problems) if (errors.length < MAX_ERRORS) errors.push({ index, event_id: eventId, ...p });
      return;
    }
    // Fields not in the contract are accepted and ignored: they are not stored (they could hold personal data).
    const body = entry.project(obj) as Record<string, unknown>;
    entry.toStored(body);
    events.push({ event_id: obj.event_id as string, type: obj.type as string, stream: entry.stream, tsMs, body });
  });
  return errors.length > 0 ? { ok: false, errors } : { ok: true, events };
}

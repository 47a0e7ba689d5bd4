// Which storage errors mean "storage refuses this data" (a bad row: retrying it can never succeed) rather than
// "storage is down" (retry later). Ingest and the projector treat them differently: a refused row is isolated
// (its request answers 400, a projected row goes to dead_letters) so it never fails anything else; an outage
// fails everything in flight with 503 and the projector retries.
//
// ClickHouse errors carry a numeric `code` and a `type` name (ClickHouseError of @clickhouse/client, over HTTP
// and over chDB alike); a bare engine exception text reads "Code: 27. DB::Exception: … (TYPE_NAME)". Only the
// codes below count as refusals: anything else (connection refused or closed, timeouts, disk full, memory,
// read-only tables, unknown tables) is an outage, so a healthy request is never answered 400 for it.

import { wellFormed } from '../../streams/common.ts';

/** ClickHouse error codes of a value that cannot be read or stored (ErrorCodes.cpp). */
const DATA_CODES: ReadonlyMap<number, string> = new Map([
  [6, 'CANNOT_PARSE_TEXT'],
  [25, 'CANNOT_PARSE_ESCAPE_SEQUENCE'],
  [26, 'CANNOT_PARSE_QUOTED_STRING'],
  [27, 'CANNOT_PARSE_INPUT_ASSERTION_FAILED'],
  [38, 'CANNOT_PARSE_DATE'],
  [41, 'CANNOT_PARSE_DATETIME'],
  [53, 'TYPE_MISMATCH'],
  [69, 'ARGUMENT_OUT_OF_BOUND'],
  [70, 'CANNOT_CONVERT_TYPE'],
  [72, 'CANNOT_PARSE_NUMBER'],
  [117, 'INCORRECT_DATA'],
  [128, 'TOO_LARGE_ARRAY_SIZE'],
  [131, 'TOO_LARGE_STRING_SIZE'],
  [190, 'SIZES_OF_ARRAYS_DONT_MATCH'],
  [321, 'VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE'],
  [349, 'CANNOT_INSERT_NULL_IN_ORDINARY_COLUMN'],
  [395, 'FUNCTION_THROW_IF_VALUE_IS_NON_ZERO'],
  [407, 'DECIMAL_OVERFLOW'],
  [457, 'BAD_QUERY_PARAMETER'],
]);
const DATA_NAMES = new Set(DATA_CODES.values());

/** A refusal: why, and where when the engine says (`row` is 1-based in the INSERT, `key` the JSON key). */
export interface Refusal {
  reason: string;
  row?: number;
  key?: string;
}

/** The refusal an error stands for, or null when it is (or may be) an outage. */
export function refusalOf(err: unknown): Refusal | null {
  if (!(err instanceof Error)) return null;
  const message = err.message ?? '';
  // V8 cannot build a string that long (a group of many large requests): smaller groups will do.
  if (err instanceof RangeError) return { reason: message };
  const e = err as Error & { code?: unknown; type?: unknown };
  const code = Number(e.code ?? /\bCode: (\d+)\b/.exec(message)?.[1]);
  const type = typeof e.type === 'string' ? e.type : /\(([A-Z][A-Z0-9_]+)\)(?:\s*\(version [^)]*\))?\s*$/.exec(message.trim())?.[1];
  const named = type !== undefined && (DATA_NAMES.has(type) || type.startsWith('CANNOT_PARSE_'));
  if (!named && !(Number.isInteger(code) && DATA_CODES.has(code))) return null;
  const row = /\(at row (\d+)\)/.exec(message)?.[1];
  const key = /while reading the value of key ([^)\s]+)\)/.exec(message)?.[1];
  // The engine's first sentence is the reason; the rest (settings hints, the pipeline stage) helps nobody.
  const sentence = /^(.*?)\.(?:\s|$)/.exec(message.split('\n')[0])?.[1] ?? message.split('\n')[0];
  const reason = wellFormed(`${type ?? `code ${code}`}: ${sentence.trim()}`).slice(0, 300);
  return { reason, ...(row ? { row: Number(row) } : {}), ...(key ? { key } : {}) };
}

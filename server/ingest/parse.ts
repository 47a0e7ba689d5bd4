// Turns a request body into a list of unknown items: NDJSON (one event per line) or a JSON array.
// A line that is not JSON, or a JSON body that is not an array, is reported with its index. The body is at
// most 8 MiB (the route's limit); NDJSON parsing stops at the first line past `maxItems`, so a body of
// millions of tiny lines costs no more than the allowed number of events before its 413.
import type { EventError } from './validate.ts';

/** `tooMany`: more than `maxItems` lines (NDJSON); the rest was not parsed. */
export type Parsed = { ok: true; items: unknown[] } | { ok: false; errors: EventError[]; tooMany?: number };

export function parseNdjson(text: string, maxItems = Number.POSITIVE_INFINITY): Parsed {
  const items: unknown[] = [];
  const errors: EventError[] = [];
  let index = 0;
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const line = text.slice(start, end);
    start = end + 1;
    if (line.trim() === '') continue;
    if (index >= maxItems) return { ok: false, errors: [], tooMany: index + 1 };
    try {
      items.push(JSON.parse(line));
    } catch {
      if (errors.length < 100) errors.push({ index, event_id: null, field: '', reason: 'line is not valid JSON' });
    }
    index++;
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, items };
}

export function parseJsonArray(text: string): Parsed {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, errors: [{ index: 0, event_id: null, field: '', reason: `body is not valid JSON: ${(err as Error).message}` }] };
  }
  if (!Array.isArray(value)) {
    return { ok: false, errors: [{ index: 0, event_id: null, field: '', reason: 'body must be a JSON array of events' }] };
  }
  return { ok: true, items: value };
}

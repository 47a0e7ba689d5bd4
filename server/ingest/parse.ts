// Turns a request body into a list of unknown items: NDJSON (one event per line) or a JSON array.
// A line that is not JSON, or a JSON body that is not an array, is reported with its index.
import type { EventError } from './validate.ts';

export type Parsed = { ok: true; items: unknown[] } | { ok: false; errors: EventError[] };

export function parseNdjson(text: string): Parsed {
  const items: unknown[] = [];
  const errors: EventError[] = [];
  let index = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
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

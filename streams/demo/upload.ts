// The CLI's HTTP side: PUT reference rows and POST NDJSON batches to an RxPulse server, retrying overloads
// (503 + Retry-After) and network errors with the very same body. Event ids make a retry safe: whatever a
// lost answer had stored comes back as duplicates, never twice.

export type Fetch = typeof fetch;

export interface UploadDeps {
  fetch: Fetch;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  log: (line: string) => void;
  signal?: AbortSignal;
}

export interface UploadTarget { url: string; token: string; retries: number }

/** A failure not worth retrying (bad token, invalid events): the CLI stops and says why. */
export class UploadError extends Error {
  constructor(message: string, readonly status: number | null) {
    super(message);
  }
}

const RETRY_STATUS = new Set([429, 502, 503, 504]);
const MAX_BACKOFF_MS = 10_000;

export const sleep = (ms: number, signal?: AbortSignal): Promise<void> => new Promise((resolve) => {
  if (signal?.aborted) return resolve();
  const timer = setTimeout(done, ms);
  function done(): void { clearTimeout(timer); signal?.removeEventListener('abort', done); resolve(); }
  signal?.addEventListener('abort', done, { once: true });
});

/** Sends one request until it gets a final answer; returns the parsed JSON body of a 2xx. */
async function send(t: UploadTarget, deps: UploadDeps, method: 'POST' | 'PUT', path: string, body: string,
  contentType: string): Promise<Record<string, unknown>> {
  for (let attempt = 0; ; attempt++) {
    let wait = Math.min(MAX_BACKOFF_MS, 500 * 2 ** attempt);
    let problem: string;
    try {
      const res = await deps.fetch(`${t.url}${path}`, {
        method, body, headers: { 'content-type': contentType, authorization: `Bearer ${t.token}` },
      });
      const text = await res.text();
      if (res.ok) return text ? (JSON.parse(text) as Record<string, unknown>) : {};
      if (!RETRY_STATUS.has(res.status)) throw new UploadError(`${method} ${path} → ${res.status}: ${text.slice(0, 600)}`, res.status);
      const after = Number(res.headers.get('retry-after'));
      if (after > 0) wait = Math.min(MAX_BACKOFF_MS * 3, after * 1000);
      problem = `${res.status}`;
    } catch (err) {
      if (err instanceof UploadError) throw err;
      problem = err instanceof Error ? err.message : String(err);
    }
    if (attempt >= t.retries) throw new UploadError(`${method} ${path} failed after ${attempt + 1} attempts (${problem})`, null);
    if (deps.signal?.aborted) throw new UploadError(`${method} ${path} abandoned: stopping`, null);
    deps.log(`${method} ${path}: ${problem}; retry ${attempt + 1}/${t.retries} in ${(wait / 1000).toFixed(1)} s`);
    await deps.sleep(wait, deps.signal);
  }
}

export async function putReference(t: UploadTarget, deps: UploadDeps, kind: string, rows: readonly unknown[]): Promise<number> {
  const res = await send(t, deps, 'PUT', `/api/v1/reference/${kind}`, JSON.stringify(rows), 'application/json');
  return Number(res.upserted ?? 0);
}

export async function postEvents(t: UploadTarget, deps: UploadDeps, ndjson: string): Promise<{ accepted: number; duplicates: number }> {
  const res = await send(t, deps, 'POST', '/api/v1/events', ndjson, 'application/x-ndjson');
  return { accepted: Number(res.accepted ?? 0), duplicates: Number(res.duplicates ?? 0) };
}

export interface Batch { body: string; count: number }

/** Events buffered as NDJSON lines, cut before CONTRACT's limits: 10,000 events or 8 MiB (7 MiB kept as margin). */
export class NdjsonBatcher {
  private lines: string[] = [];
  private bytes = 0;
  constructor(readonly maxEvents = 10_000, readonly maxBytes = 7 * 1024 * 1024) {
    if (!(maxEvents >= 1 && maxEvents <= 10_000)) throw new RangeError('a batch holds 1 to 10,000 events');
  }
  get size(): number { return this.lines.length; }
  /** Adds an event; returns a full batch to send when this one would overflow it. */
  add(event: unknown): Batch | null {
    const line = JSON.stringify(event);
    const len = Buffer.byteLength(line) + 1;
    const full = this.lines.length >= this.maxEvents || this.bytes + len > this.maxBytes ? this.take() : null;
    this.lines.push(line);
    this.bytes += len;
    return full;
  }
  take(): Batch | null {
    if (this.lines.length === 0) return null;
    const batch = { body: this.lines.join('\n'), count: this.lines.length };
    this.lines = [];
    this.bytes = 0;
    return batch;
  }
}

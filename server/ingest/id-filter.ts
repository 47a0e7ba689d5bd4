// An in-memory filter of ids already stored, so that the idempotency check by event_id (and "is this the
// first order.paid of its order") costs no ClickHouse lookup for the common case, a new id.
//
// Ids are kept as 32-bit fingerprints in open-addressing tables, one per UTC day of the event's own ts,
// for the last `keepDays` days (a retry carries the same ts as the original, so it is looked up in that
// day only). A fingerprint that is absent means "certainly new"; a present one means "maybe stored" and the
// caller verifies those few ids in ClickHouse (false positives ≈ n / 2³²). Ids of days not held (older
// events) are always verified in ClickHouse. Memory: ≈ 6 bytes per id held (5 M ids/day ≈ 32 MB a day).

const DAY_MS = 86_400_000;

/** FNV-1a over UTF-16 code units, 32 bits; 0 is reserved for "empty". */
export function fingerprint(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0 || 1;
}

/** A set of non-zero uint32 values; linear probing, grows at 70 % load. */
export class FingerprintSet {
  private table = new Uint32Array(1024);
  private count = 0;

  get size(): number {
    return this.count;
  }

  has(fp: number): boolean {
    const mask = this.table.length - 1;
    for (let i = mix(fp) & mask; ; i = (i + 1) & mask) {
      const v = this.table[i];
      if (v === 0) return false;
      if (v === fp) return true;
    }
  }

  add(fp: number): void {
    if ((this.count + 1) * 10 > this.table.length * 7) this.grow();
    const mask = this.table.length - 1;
    for (let i = mix(fp) & mask; ; i = (i + 1) & mask) {
      const v = this.table[i];
      if (v === fp) return;
      if (v === 0) {
        this.table[i] = fp;
        this.count++;
        return;
      }
    }
  }

  private grow(): void {
    const old = this.table;
    this.table = new Uint32Array(old.length * 2);
    this.count = 0;
    for (const v of old) if (v !== 0) this.add(v);
  }
}

// The slot comes from a second mix of the fingerprint, so FNV's low bits do not cluster the table.
function mix(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x45d9f3b);
  return (x ^ (x >>> 16)) >>> 0;
}

export const utcDay = (ms: number): number => Math.floor(ms / DAY_MS);

export class WindowedIdFilter {
  private readonly days = new Map<number, FingerprintSet>();

  /** @param keepDays how many UTC days back from "today" are held (today counts). */
  constructor(private readonly keepDays: number) {}

  /** First day held; events before it are not covered by the filter. */
  windowStart(nowMs: number): number {
    return utcDay(nowMs) - (this.keepDays - 1);
  }

  covers(tsMs: number, nowMs: number): boolean {
    return utcDay(tsMs) >= this.windowStart(nowMs);
  }

  /** May `id` (with event time tsMs) already be stored? Only meaningful when `covers` is true. */
  mayHave(id: string, tsMs: number): boolean {
    return this.days.get(utcDay(tsMs))?.has(fingerprint(id)) ?? false;
  }

  /** May `id` be stored under any held day (for keys whose events have other times, e.g. order ids). */
  mayHaveAnyDay(id: string): boolean {
    const fp = fingerprint(id);
    for (const set of this.days.values()) if (set.has(fp)) return true;
    return false;
  }

  add(id: string, tsMs: number): void {
    this.addFingerprint(fingerprint(id), utcDay(tsMs));
  }

  addFingerprint(fp: number, day: number): void {
    let set = this.days.get(day);
    if (!set) this.days.set(day, (set = new FingerprintSet()));
    set.add(fp);
  }

  /** Drops days that fell out of the window (called as time goes on). */
  prune(nowMs: number): void {
    const start = this.windowStart(nowMs);
    for (const day of this.days.keys()) if (day < start) this.days.delete(day);
  }

  clear(): void {
    this.days.clear();
  }

  get size(): number {
    let n = 0;
    for (const set of this.days.values()) n += set.size;
    return n;
  }
}

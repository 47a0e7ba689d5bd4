// An in-memory filter of ids already stored, so that the idempotency check by event_id (and "is this the
// first order.paid of its order") costs no ClickHouse lookup for the common case, a new id.
//
// Ids are kept as 32-bit fingerprints in open-addressing tables, one per UTC day of the event's own ts
// (a retry carries the same ts as the original, so it is looked up in that day only). A fingerprint that
// is absent means "certainly new"; a present one means "maybe stored" and the caller verifies those few ids
// in ClickHouse (false positives ≈ n / 2³²). Memory: ≈ 6 bytes per id held (5 M ids/day ≈ 32 MB a day).

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

/**
 * Fingerprint sets per UTC day of the event time, loaded on demand from storage (`load(day)` must return
 * every fingerprint stored for that day) and kept for the `maxDays` most recently used days. A loaded day
 * is authoritative: "absent" means not stored. Replaying an old day costs one load of that day.
 */
export class DayFilter {
  private readonly days = new Map<number, FingerprintSet>();
  private readonly loading = new Map<number, Promise<void>>();

  constructor(
    private readonly maxDays: number,
    private readonly load: (day: number) => Promise<Iterable<number>>,
  ) {}

  /** Loads the days not held yet (and marks all of them as recently used). */
  async ensure(days: Iterable<number>): Promise<void> {
    const wanted = [...new Set(days)];
    await Promise.all(wanted.map((d) => this.ensureOne(d)));
    for (const d of wanted) {
      const set = this.days.get(d);
      if (set) {
        this.days.delete(d); // re-insert: Map order is the LRU order
        this.days.set(d, set);
      }
    }
    while (this.days.size > Math.max(this.maxDays, wanted.length)) this.days.delete(this.days.keys().next().value as number);
  }

  private ensureOne(day: number): Promise<void> {
    if (this.days.has(day)) return Promise.resolve();
    let p = this.loading.get(day);
    if (!p) {
      p = this.load(day)
        .then((fps) => {
          const set = new FingerprintSet();
          for (const fp of fps) set.add(fp);
          this.days.set(day, set);
        })
        .finally(() => this.loading.delete(day));
      this.loading.set(day, p);
    }
    return p;
  }

  /** May `fp` be stored under `day`? The day must have been ensured. */
  mayHave(fp: number, day: number): boolean {
    const set = this.days.get(day);
    if (!set) throw new Error(`day ${day} is not loaded`);
    return set.has(fp);
  }

  /** May `fp` be stored under any held day? */
  mayHaveAnyDay(fp: number): boolean {
    for (const set of this.days.values()) if (set.has(fp)) return true;
    return false;
  }

  /** Records a stored fingerprint (only where its day is held: an unheld day loads it from storage later). */
  add(fp: number, day: number): void {
    this.days.get(day)?.add(fp);
  }

  clear(): void {
    this.days.clear();
  }

  get size(): number {
    let n = 0;
    for (const set of this.days.values()) n += set.size;
    return n;
  }

  get heldDays(): number {
    return this.days.size;
  }
}

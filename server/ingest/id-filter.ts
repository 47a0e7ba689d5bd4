// An in-memory filter of ids already stored, so that the idempotency check by event_id (and "is this the
// first order.paid of its order") costs no ClickHouse lookup for the common case, a new id.
//
// Ids are kept as 32-bit fingerprints in a Bloom filter over everything stored, whatever its day (an id
// reused with another ts is a duplicate too, CONTRACT). A fingerprint that is absent means "certainly new";
// a present one means "maybe stored" and the caller verifies those few ids in ClickHouse (a primary-key
// lookup: ≈ 60 µs an id on 5 M stored events, too dear for every id but cheap for the few percent that
// are maybe). False positives: the filter's own (≈ 0.24 % when full) plus fingerprint clashes (≈ n / 2³²).

/** FNV-1a over UTF-16 code units, 32 bits; 0 is reserved for "empty". */
export function fingerprint(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0 || 1;
}

/** A second 32-bit hash of the id, independent of `fingerprint` (a multiply-xorshift over code units): with
 *  both, a filter is not limited by 32-bit clashes (≈ n / 2³² of all ids). */
export function fingerprint2(id: string): number {
  let h = 0x9e3779b9 ^ id.length;
  for (let i = 0; i < id.length; i++) {
    h = Math.imul(h ^ id.charCodeAt(i), 0x5bd1e995);
    h ^= h >>> 13;
  }
  return mix2(h);
}

// The slot comes from a second mix of the fingerprint, so FNV's low bits do not cluster the table.
function mix(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x45d9f3b);
  return (x ^ (x >>> 16)) >>> 0;
}

/** The second, independent mix (the step between a fingerprint's probes; always odd). */
function mix2(x: number): number {
  x = Math.imul(x ^ (x >>> 15), 0x2c1b3c6d);
  x = Math.imul(x ^ (x >>> 12), 0x297a2d39);
  return ((x ^ (x >>> 15)) | 1) >>> 0;
}

/** The first layer holds at least this many ids. */
const MIN_LAYER_IDS = 1 << 20;

interface Layer {
  readonly words: Uint32Array;
  readonly mask: number;
  readonly capacity: number;
  count: number;
}

function layer(ids: number, bitsPerId: number): Layer {
  let bits = 32;
  while (bits < ids * bitsPerId) bits *= 2;
  return { words: new Uint32Array(bits / 32), mask: bits - 1, capacity: Math.floor(bits / bitsPerId), count: 0 };
}

/** How a filter trades memory for false positives (the rate when a layer is full). */
export interface FilterShape {
  bitsPerId: number;
  probes: number;
}
/** 2 bytes an id, ≈ 0.24 % false positives when full. */
export const COMPACT: FilterShape = { bitsPerId: 16, probes: 4 };
/** 4 bytes an id, ≈ 0.001 % false positives when full (where a "maybe" costs a wait, not just a lookup). */
export const PRECISE: FilterShape = { bitsPerId: 32, probes: 7 };

/**
 * Every fingerprint ever stored, as a Bloom filter in layers (a full layer is followed by one twice its size,
 * while the total stays within `maxBytes`; past that the last layer takes more than it was sized for and
 * answers "maybe" more often). It never forgets: "absent" means certainly not stored, whatever the day;
 * "maybe" is verified in storage by the caller. An id is given as two 32-bit hashes: `fingerprint` and
 * `fingerprint2` of the id, or one fingerprint alone (the second is then derived from it, so ids whose
 * fingerprints clash are "maybe" for each other). Memory: `shape.bitsPerId` bits an id.
 */
export class IdFilter {
  private readonly layers: Layer[];
  private ids = 0;

  constructor(
    private readonly maxBytes: number,
    expected = 0,
    private readonly shape: FilterShape = COMPACT,
  ) {
    const first = layer(Math.max(MIN_LAYER_IDS, Math.ceil(expected * 1.5)), shape.bitsPerId);
    this.layers = [first.words.byteLength > maxBytes ? layer(Math.max(1, Math.floor((maxBytes * 8) / shape.bitsPerId)), shape.bitsPerId) : first];
  }

  has(fp: number, fp2 = mix2(fp)): boolean {
    const h1 = mix(fp);
    const h2 = fp2 | 1;
    const probes = this.shape.probes;
    outer: for (const l of this.layers) {
      for (let i = 0, h = h1; i < probes; i++, h = (h + h2) >>> 0) {
        const bit = h & l.mask;
        if ((l.words[bit >>> 5] & (1 << (bit & 31))) === 0) continue outer;
      }
      return true;
    }
    return false;
  }

  add(fp: number, fp2 = mix2(fp)): void {
    if (this.has(fp, fp2)) return;
    let last = this.layers[this.layers.length - 1];
    if (last.count >= last.capacity && this.bytes + last.words.byteLength * 2 <= this.maxBytes) {
      last = layer(last.capacity * 2, this.shape.bitsPerId);
      this.layers.push(last);
    }
    const h2 = fp2 | 1;
    for (let i = 0, h = mix(fp); i < this.shape.probes; i++, h = (h + h2) >>> 0) {
      const bit = h & last.mask;
      last.words[bit >>> 5] |= 1 << (bit & 31);
    }
    last.count++;
    this.ids++;
  }

  /** Distinct fingerprints added (as far as the filter can tell). */
  get size(): number {
    return this.ids;
  }

  get bytes(): number {
    return this.layers.reduce((n, l) => n + l.words.byteLength, 0);
  }
}

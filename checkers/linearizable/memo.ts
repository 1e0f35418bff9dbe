/**
 * Compact hash tables for the search, built on typed arrays so the hot loop allocates nothing.
 *
 * KeySet: a set of variable-length Uint32 keys (search configurations), stored inline in one
 * growable arena and found by open addressing on a 32-bit hash. Keys are compared word by word,
 * so a hash collision never merges two configurations. `retain` rebuilds it with only the keys
 * still of use, which is how the search forgets configurations it can never reach again.
 *
 * PairMap: an int → int map keyed by a pair of non-negative ints (state id, op kind), used to
 * cache model transitions.
 */

export function mix(h: number, w: number): number {
  h = Math.imul(h ^ w, 0xcc9e2d51);
  h = (h << 15) | (h >>> 17);
  return Math.imul(h, 0x1b873593) ^ (h >>> 13);
}

/** murmur3 fmix32: the final avalanche. */
export function finish(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

export class KeySet {
  /** Per slot: [arena offset (-1 when empty), hash], interleaved so a probe touches one line. */
  private slots: Int32Array;
  private arena: Uint32Array;
  private used = 0;
  private mask: number;
  size = 0;

  constructor(initialSlots = 1 << 12) {
    this.slots = new Int32Array(initialSlots * 2).fill(-1);
    this.arena = new Uint32Array(initialSlots * 4);
    this.mask = initialSlots - 1;
  }

  /** Bytes held by the tables. */
  get bytes(): number {
    return this.slots.byteLength + this.arena.byteLength;
  }

  /** Adds key[0..len) with its hash; false when it was already present. */
  add(key: Uint32Array, len: number, hash: number): boolean {
    const slots = this.slots;
    const arena = this.arena;
    const mask = this.mask;
    let i = hash & mask;
    for (;;) {
      const off = slots[2 * i]!;
      if (off < 0) break;
      if (slots[2 * i + 1] === hash && arena[off] === len) {
        let k = 0;
        while (k < len && arena[off + 1 + k] === key[k]) k++;
        if (k === len) return false;
      }
      i = (i + 1) & mask;
    }
    if (this.used + len + 1 > arena.length) {
      const bigger = new Uint32Array(Math.max(arena.length * 2, this.used + len + 1));
      bigger.set(arena);
      this.arena = bigger;
    }
    const at = this.used;
    this.arena[at] = len;
    this.arena.set(key.subarray(0, len), at + 1);
    this.used += len + 1;
    slots[2 * i] = at;
    slots[2 * i + 1] = hash;
    this.size++;
    if (this.size * 2 > mask + 1) this.grow();
    return true;
  }

  /** A mark for `rollback`: keys added after it can be taken back. */
  mark(): number {
    return this.used;
  }

  /** Forgets every key added since `mark`. */
  rollback(mark: number): void {
    this.retain((_, at) => at < mark);
  }

  /**
   * Keeps only the keys `keep` accepts, in tables sized for them. `keep` sees the arena and
   * where the key is stored: arena[at] is its length, its words follow.
   */
  retain(keep: (arena: Uint32Array, at: number) => boolean): void {
    const oldSlots = this.slots;
    const oldArena = this.arena;
    let kept = 0;
    let words = 0;
    const keepAt = new Uint8Array(oldSlots.length >>> 1);
    for (let j = 0; j < oldSlots.length; j += 2) {
      const off = oldSlots[j]!;
      if (off < 0 || !keep(oldArena, off)) continue;
      keepAt[j >>> 1] = 1;
      kept++;
      words += oldArena[off]! + 1;
    }
    let slotCount = 1 << 12;
    while (slotCount < kept * 4) slotCount *= 2;
    const slots = new Int32Array(slotCount * 2).fill(-1);
    const arena = new Uint32Array(Math.max(slotCount * 4, words * 2));
    const mask = slotCount - 1;
    let used = 0;
    for (let j = 0; j < oldSlots.length; j += 2) {
      if (keepAt[j >>> 1] === 0) continue;
      const off = oldSlots[j]!;
      const len = oldArena[off]! + 1;
      arena.set(oldArena.subarray(off, off + len), used);
      const h = oldSlots[j + 1]!;
      let i = h & mask;
      while (slots[2 * i]! >= 0) i = (i + 1) & mask;
      slots[2 * i] = used;
      slots[2 * i + 1] = h;
      used += len;
    }
    this.slots = slots;
    this.arena = arena;
    this.mask = mask;
    this.used = used;
    this.size = kept;
  }

  private grow(): void {
    const old = this.slots;
    const n = old.length; // twice the old slot count
    const slots = new Int32Array(n * 2).fill(-1);
    const mask = n - 1;
    for (let j = 0; j < old.length; j += 2) {
      const off = old[j]!;
      if (off < 0) continue;
      const h = old[j + 1]!;
      let i = h & mask;
      while (slots[2 * i]! >= 0) i = (i + 1) & mask;
      slots[2 * i] = off;
      slots[2 * i + 1] = h;
    }
    this.slots = slots;
    this.mask = mask;
  }
}

export class PairMap {
  /** Per slot: [a (-1 when empty), b, value], interleaved. */
  private table: Int32Array;
  private mask: number;
  private size = 0;

  constructor(initialSlots = 1 << 10) {
    this.table = new Int32Array(initialSlots * 3).fill(-1);
    this.mask = initialSlots - 1;
  }

  get bytes(): number {
    return this.table.byteLength;
  }

  /** Forgets every pair. */
  clear(): void {
    this.table = new Int32Array(3 << 10).fill(-1);
    this.mask = (1 << 10) - 1;
    this.size = 0;
  }

  /** The value for (a, b), or `missing`. */
  get(a: number, b: number, missing: number): number {
    const t = this.table;
    const mask = this.mask;
    let i = finish(mix(a, b)) & mask;
    for (;;) {
      const ka = t[3 * i]!;
      if (ka < 0) return missing;
      if (ka === a && t[3 * i + 1] === b) return t[3 * i + 2]!;
      i = (i + 1) & mask;
    }
  }

  /** Sets (a, b) → value; (a, b) must not be present yet. */
  add(a: number, b: number, value: number): void {
    const t = this.table;
    const mask = this.mask;
    let i = finish(mix(a, b)) & mask;
    while (t[3 * i]! >= 0) i = (i + 1) & mask;
    t[3 * i] = a;
    t[3 * i + 1] = b;
    t[3 * i + 2] = value;
    if (++this.size * 2 > mask + 1) this.grow();
  }

  private grow(): void {
    const old = this.table;
    this.table = new Int32Array(old.length * 2).fill(-1);
    this.mask = (old.length / 3) * 2 - 1;
    this.size = 0;
    for (let j = 0; j < old.length; j += 3) if (old[j]! >= 0) this.add(old[j]!, old[j + 1]!, old[j + 2]!);
  }
}

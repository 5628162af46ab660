// Dense ids for 64-bit keys (two 32-bit hashes), in one flat typed array: millions of links, reposted
// ids and texts cost 12 bytes a slot and nothing for the garbage collector to walk, where a Map of
// strings keeps every string and an entry object alive. Two independent 32-bit hashes of a string collide by
// chance with probability ~n²/2^65: about 1 in 10^6 for five million distinct keys.
import { hashString } from './normalize.ts';

/** Seeds of the two independent hashes that make a string's 64-bit key. */
export const KEY_SEED_HI = 0x811c9dc5;
export const KEY_SEED_LO = 0x2545f491;

export class KeyIds {
  /** Per slot: the key's two halves and its id (-1 when empty), side by side, so that a look-up in a
   * table larger than the cache costs one memory access, not three. */
  private slots: Int32Array;
  private mask: number;
  size = 0;

  constructor(capacity = 1 << 12) {
    const cap = 2 ** Math.max(4, Math.ceil(Math.log2(capacity)));
    this.slots = KeyIds.emptySlots(cap);
    this.mask = cap - 1;
  }

  private static emptySlots(cap: number): Int32Array {
    const slots = new Int32Array(cap * 3);
    for (let s = 2; s < slots.length; s += 3) slots[s] = -1;
    return slots;
  }

  /** Forgets every key, keeping the table's memory where it is large enough for `capacity`. */
  reset(capacity: number): void {
    const cap = 2 ** Math.max(4, Math.ceil(Math.log2(capacity)));
    if (this.slots.length < cap * 3) this.slots = KeyIds.emptySlots(cap);
    else {
      // The slots beyond cap x 3 are not looked at while the mask is this one.
      for (let s = 2; s < cap * 3; s += 3) this.slots[s] = -1;
    }
    this.mask = cap - 1;
    this.size = 0;
  }

  /** Index in `slots` of the key's slot, or of the empty slot where it belongs. */
  private slot(hi: number, lo: number): number {
    let h = Math.imul(hi ^ Math.imul(lo, 0x9e3779b1), 0x85ebca6b);
    h ^= h >>> 15;
    let s = h & this.mask;
    const slots = this.slots;
    for (;;) {
      const at = s * 3;
      if (slots[at + 2] === -1 || (slots[at] === hi && slots[at + 1] === lo)) return at;
      s = (s + 1) & this.mask;
    }
  }

  /** The id of the key, or -1. */
  find(hi: number, lo: number): number {
    return this.slots[this.slot(hi | 0, lo | 0) + 2] as number;
  }

  /** The id of the key, given the next free id (`size`) when it is new. */
  idOf(hiKey: number, loKey: number): number {
    return this.findOrInsert(hiKey, loKey, this.size);
  }

  /** The id of the key; when it is new, `idIfNew` becomes its id (`size` still counts keys). */
  findOrInsert(hiKey: number, loKey: number, idIfNew: number): number {
    const hi = hiKey | 0;
    const lo = loKey | 0;
    let at = this.slot(hi, lo);
    const id = this.slots[at + 2] as number;
    if (id !== -1) return id;
    if ((this.size + 1) * 2 > this.mask + 1) {
      this.grow();
      at = this.slot(hi, lo);
    }
    this.slots[at] = hi;
    this.slots[at + 1] = lo;
    this.slots[at + 2] = idIfNew;
    this.size++;
    return idIfNew;
  }

  /** The id of a string key, by two independent hashes of it. */
  idOfString(key: string): number {
    return this.idOf(hashString(key, KEY_SEED_HI), hashString(key, KEY_SEED_LO));
  }

  private grow(): void {
    const old = this.slots;
    // Only the slots under the mask: after a `reset`, those beyond hold keys of before.
    const used = (this.mask + 1) * 3;
    const cap = (this.mask + 1) * 2;
    this.slots = KeyIds.emptySlots(cap);
    this.mask = cap - 1;
    for (let at = 0; at < used; at += 3) {
      const id = old[at + 2] as number;
      if (id === -1) continue;
      const t = this.slot(old[at] as number, old[at + 1] as number);
      this.slots[t] = old[at] as number;
      this.slots[t + 1] = old[at + 1] as number;
      this.slots[t + 2] = id;
    }
  }
}

/**
 * Dense ids for account ids, which must stay exact: found by their hashes, confirmed by comparing the
 * string kept once per account; the rare hash collision gets an id of its own through a small map.
 */
export class StringIds {
  private readonly keys = new KeyIds(1 << 12);
  readonly strings: string[] = [];
  private readonly collided = new Map<string, number>();

  get size(): number {
    return this.strings.length;
  }

  idOf(key: string): number {
    return this.idOfHashed(key, hashString(key, KEY_SEED_HI), hashString(key, KEY_SEED_LO));
  }

  /** `idOf` for a key whose two hashes (KEY_SEED_HI and KEY_SEED_LO) are already known. */
  idOfHashed(key: string, hi: number, lo: number): number {
    const next = this.strings.length;
    const id = this.keys.findOrInsert(hi, lo, next);
    if (id === next) {
      this.strings.push(key);
      return id;
    }
    if (this.strings[id] === key) return id;
    let other = this.collided.get(key);
    if (other === undefined) {
      other = this.strings.length;
      this.strings.push(key);
      this.collided.set(key, other);
    }
    return other;
  }

  /** The id of a known key, or undefined. */
  get(key: string): number | undefined {
    const id = this.keys.find(hashString(key, KEY_SEED_HI), hashString(key, KEY_SEED_LO));
    if (id === -1) return undefined;
    return this.strings[id] === key ? id : this.collided.get(key);
  }
}

/**
 * A small bounded memo for pure functions of short strings (quantities, sizing records): a `Map`
 * kept in least-recently-used order, so the mutation runner's second pass and repeated requests
 * for the same pod shape reuse a result instead of parsing or serialising again. Bounded in
 * entries and key length, because keys come from what an object's author wrote.
 */

/** Least-recently-used cache of at most `capacity` entries whose keys are at most `maxKeyLength` characters. */
export class BoundedMemo<V> {
  private readonly entries = new Map<string, V>();

  constructor(private readonly capacity: number, private readonly maxKeyLength = 256) {}

  /** The cached value for `key`, else `compute(key)` (cached when the key is short enough). */
  get(key: string, compute: (key: string) => V): V {
    const hit = this.entries.get(key);
    if (hit !== undefined) {
      // Refresh its place: a Map iterates in insertion order, so the first key is the oldest.
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    const value = compute(key);
    if (key.length <= this.maxKeyLength) {
      if (this.entries.size >= this.capacity) this.entries.delete(this.entries.keys().next().value as string);
      this.entries.set(key, value);
    }
    return value;
  }

  /** Entries held (for tests). */
  get size(): number {
    return this.entries.size;
  }
}

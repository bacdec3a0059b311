/**
 * The `ce_id`s seen last, at most `capacity` of them: a Map keeps insertion order, so the oldest id
 * is the first key, and a hit moves an id to the end (least recently used goes first).
 *
 * The bound is safe because this store is only the cheap first filter. Every change also carries a
 * version, and the version book (versions.ts) ignores anything not newer than what was applied, so
 * a repeat that has fallen out of this window is still not applied twice: it is counted as stale
 * instead of duplicate. Size the window to cover the repeats you expect to see close together (a
 * relay re-publishing after a crash, a webhook and a poll finding the same change, a rebalance
 * handing uncommitted messages to this consumer again): a few thousand ids is plenty.
 */
export class RecentIds {
  readonly #ids = new Map<string, true>();
  readonly #capacity: number;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError('capacity must be a positive integer');
    this.#capacity = capacity;
  }

  /** Whether `id` was seen within the window; a hit counts as a use. */
  has(id: string): boolean {
    if (!this.#ids.delete(id)) return false;
    this.#ids.set(id, true);
    return true;
  }

  add(id: string): void {
    this.#ids.delete(id);
    this.#ids.set(id, true);
    if (this.#ids.size > this.#capacity) {
      const oldest = this.#ids.keys().next();
      if (!oldest.done) this.#ids.delete(oldest.value);
    }
  }

  get size(): number {
    return this.#ids.size;
  }
}

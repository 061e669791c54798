/**
 * The `state` values of transactions already completed, until their cookie would have expired: a
 * callback replayed with the same cookie (and so the same nonce) is refused even before the provider
 * refuses the code. In memory, per process, bounded: past `maxEntries` the oldest are forgotten.
 */
export class UsedStates {
  readonly #used = new Map<string, number>();
  readonly #maxEntries: number;

  constructor(maxEntries = 10_000) {
    this.#maxEntries = maxEntries;
  }

  /** Marks `state` used; false when it already was. */
  consume(state: string, expiresAt: number, now: number): boolean {
    const known = this.#used.get(state);
    if (known !== undefined && known > now) return false;
    if (this.#used.size >= this.#maxEntries) this.#evict(now);
    this.#used.set(state, expiresAt);
    return true;
  }

  #evict(now: number): void {
    for (const [state, expiresAt] of this.#used) {
      if (expiresAt <= now) this.#used.delete(state);
    }
    while (this.#used.size >= this.#maxEntries) {
      const oldest = this.#used.keys().next();
      if (oldest.done) return;
      this.#used.delete(oldest.value);
    }
  }
}

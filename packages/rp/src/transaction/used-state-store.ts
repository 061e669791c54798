/**
 * Where the callback records the `state` of every login it completed, until that login's
 * transaction cookie would have expired: a callback replayed with the same cookie (and so the same
 * nonce) is refused with `transaction_replayed` even before the provider refuses the code. With
 * several app nodes behind a load balancer, give them one shared store, so a callback replayed
 * against another node is refused too. The default is in memory, per process.
 *
 * `consume` must be atomic: of two concurrent calls for the same `state`, exactly one answers true.
 *
 * @example
 * ```ts
 * // Redis (ioredis): SET NX is atomic, EXAT lets Redis forget the state when the cookie would expire.
 * const redisUsedStates: UsedStateStore = {
 *   async consume(state, expiresAt) {
 *     return (await redis.set(`stepup:state:${state}`, '1', 'EXAT', expiresAt, 'NX')) === 'OK';
 *   },
 * };
 * const rp = await createStepupRp({ ...options, usedStateStore: redisUsedStates });
 * ```
 */
export interface UsedStateStore {
  /**
   * Marks `state` used until `expiresAt` (seconds since the epoch). True when it was not used before;
   * false when it already was. A rejection makes the callback fail closed (`state_store_unavailable`).
   */
  consume(state: string, expiresAt: number): Promise<boolean>;
}

/**
 * An in-memory {@link UsedStateStore} for one process (development, tests, a single node). Bounded:
 * past `maxEntries`, expired states are dropped first, then the oldest.
 *
 * @example
 * ```ts
 * const rp = await createStepupRp({ ...options, usedStateStore: createMemoryUsedStateStore() });
 * ```
 */
export function createMemoryUsedStateStore(
  options: { maxEntries?: number; clock?: () => number } = {},
): UsedStateStore {
  const maxEntries = options.maxEntries ?? 10_000;
  if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) {
    throw new TypeError('createMemoryUsedStateStore: maxEntries must be a positive integer');
  }
  const clock = options.clock ?? (() => Math.floor(Date.now() / 1000));
  const used = new Map<string, number>();

  function evict(now: number): void {
    for (const [state, expiresAt] of used) {
      if (expiresAt <= now) used.delete(state);
    }
    while (used.size >= maxEntries) {
      const oldest = used.keys().next();
      if (oldest.done) return;
      used.delete(oldest.value);
    }
  }

  return {
    // Synchronous inside: no await between the check and the write, so concurrent calls cannot both win.
    async consume(state, expiresAt) {
      const now = clock();
      const known = used.get(state);
      if (known !== undefined && known > now) return false;
      if (used.size >= maxEntries) evict(now);
      used.set(state, expiresAt);
      return true;
    },
  };
}

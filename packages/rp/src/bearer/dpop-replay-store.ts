/**
 * Where the bearer guard records the DPoP proofs it accepted (RFC 9449 11.1), by key thumbprint and
 * `jti`, until the proof would be too old to accept anyway: a proof presented twice is refused with
 * `dpop_proof_replayed`. With several API nodes, give them one shared store, so a proof copied to
 * another node is refused there too. The default is in memory, per process.
 *
 * `consume` must be atomic: of concurrent calls for the same `key`, exactly one answers true. A
 * rejection makes the guard fail closed (`dpop_replay_store_unavailable`, 503).
 *
 * @example
 * ```ts
 * // Any store with an atomic set-if-absent works; see createRedisDpopReplayStore for Redis.
 * const store: DpopReplayStore = {
 *   async consume(key, expiresAt) {
 *     return (await redis.set(`dpop:${key}`, '1', 'EXAT', expiresAt, 'NX')) === 'OK';
 *   },
 * };
 * ```
 */
export interface DpopReplayStore {
  /**
   * Marks `key` used until `expiresAt` (seconds since the epoch). True when it was not used before;
   * false when it already was.
   */
  consume(key: string, expiresAt: number): Promise<boolean>;
}

/**
 * An in-memory {@link DpopReplayStore} for one process. Expired entries are dropped oldest first as
 * new ones come (constant time per proof, however full). Bounded: with `maxEntries` (default 100,000)
 * proofs still within their window, a new proof is refused — the guard answers 503 — rather than
 * forgetting one that could then be replayed. Size it above the proofs one node accepts in
 * `proofMaxAge` plus twice the clock skew (90 s by default): 100,000 is about 1,100 per second.
 *
 * @example
 * ```ts
 * const guard = await createBearerGuard({ ...options, dpop: { replayStore: createMemoryDpopReplayStore() } });
 * ```
 */
export function createMemoryDpopReplayStore(
  options: { maxEntries?: number; clock?: () => number } = {},
): DpopReplayStore {
  const maxEntries = options.maxEntries ?? 100_000;
  if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) {
    throw new TypeError('createMemoryDpopReplayStore: maxEntries must be a positive integer');
  }
  const clock = options.clock ?? (() => Math.floor(Date.now() / 1000));
  const used = new Map<string, number>();
  // Keys in insertion order, nearly expiry order (every proof gets the same window after its iat): a
  // queue with a moving head, since iterating a Map from the front slows down as deletions pile up.
  let queue: string[] = [];
  let head = 0;
  function dropExpired(now: number): void {
    while (head < queue.length) {
      const oldest = queue[head] as string;
      const expiresAt = used.get(oldest);
      if (expiresAt !== undefined && expiresAt > now) break;
      if (expiresAt !== undefined) used.delete(oldest);
      head++;
    }
    if (head > 1024 && head * 2 > queue.length) {
      queue = queue.slice(head);
      head = 0;
    }
  }
  return {
    // Synchronous inside: no await between the check and the write, so concurrent calls cannot both win.
    async consume(key, expiresAt) {
      const now = clock();
      dropExpired(now);
      const known = used.get(key);
      if (known !== undefined && known > now) return false;
      if (known === undefined && used.size >= maxEntries) {
        throw new Error(`the in-memory DPoP replay store holds ${maxEntries} live proofs (maxEntries)`);
      }
      if (known === undefined) queue.push(key);
      used.set(key, expiresAt);
      return true;
    },
  };
}

/**
 * The part of a Redis client (ioredis, or node-redis through a small wrapper) that
 * {@link createRedisDpopReplayStore} uses: `SET key value EXAT seconds NX`.
 */
export interface RedisSetIfAbsent {
  set(key: string, value: string, expiry: 'EXAT', at: number, mode: 'NX'): Promise<string | null>;
}

/**
 * A {@link DpopReplayStore} in Redis, shared by every API node: `SET … NX` is atomic, and `EXAT`
 * lets Redis forget a proof once it is too old to be accepted anyway.
 *
 * @example
 * ```ts
 * import { Redis } from 'ioredis';
 * const replayStore = createRedisDpopReplayStore(new Redis(process.env.REDIS_URL ?? ''));
 * ```
 */
export function createRedisDpopReplayStore(
  redis: RedisSetIfAbsent,
  options: { prefix?: string } = {},
): DpopReplayStore {
  const prefix = options.prefix ?? 'stepup:dpop:';
  return {
    async consume(key, expiresAt) {
      return (await redis.set(`${prefix}${key}`, '1', 'EXAT', expiresAt, 'NX')) === 'OK';
    },
  };
}

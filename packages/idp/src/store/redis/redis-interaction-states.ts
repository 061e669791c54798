import type { Redis } from 'ioredis';
import type { InteractionStatesRepository } from '../interaction-states.ts';
import { dropDueRecords, ttlMillis } from './redis-expiry-index.ts';
import { execTransaction } from './redis-transaction.ts';
import { runRedis } from './run-redis.ts';

interface StoredState {
  expiresAt: number;
  state: unknown;
}

/** The keys of the interaction states under `keyPrefix`: one record per state, and the expiry index. */
export function interactionStateKeys(keyPrefix: string): { recordPrefix: string; index: string } {
  return { recordPrefix: `${keyPrefix}interaction-state:`, index: `${keyPrefix}interaction-states-expiry` };
}

/** Login interaction states, one JSON string per interaction, indexed by expiry for the sweep. */
export class RedisInteractionStatesRepository implements InteractionStatesRepository {
  readonly #redis: Redis;
  readonly #recordPrefix: string;
  readonly #index: string;
  readonly #clock: () => number;

  /** `clock` (epoch seconds) sets the TTL of `save`, whose contract carries no time. */
  constructor(redis: Redis, keyPrefix: string, clock: () => number) {
    this.#redis = redis;
    const { recordPrefix, index } = interactionStateKeys(keyPrefix);
    this.#recordPrefix = recordPrefix;
    this.#index = index;
    this.#clock = clock;
  }

  async find<T>(uid: string, now: number): Promise<T | undefined> {
    const json = await runRedis(() => this.#redis.get(this.#recordPrefix + uid));
    if (json === null) return undefined;
    const stored = JSON.parse(json) as StoredState;
    return stored.expiresAt > now ? (stored.state as T) : undefined;
  }

  async save(uid: string, state: unknown, expiresAt: number): Promise<void> {
    if (JSON.stringify(state) === undefined) {
      throw new TypeError('interaction state must be serialisable as JSON');
    }
    const json = JSON.stringify({ expiresAt, state } satisfies StoredState);
    const ttl = ttlMillis(expiresAt, this.#clock());
    await runRedis(() =>
      execTransaction(
        this.#redis
          .multi()
          .set(this.#recordPrefix + uid, json, 'PX', ttl)
          .zadd(this.#index, expiresAt, uid),
      ),
    );
  }

  async destroy(uid: string): Promise<void> {
    await runRedis(() =>
      execTransaction(
        this.#redis
          .multi()
          .del(this.#recordPrefix + uid)
          .zrem(this.#index, uid),
      ),
    );
  }

  /** Deletes the states that expired at or before `now`; returns how many. */
  deleteExpired(now: number): Promise<number> {
    return runRedis(() => dropDueRecords(this.#redis, this.#index, this.#recordPrefix, now));
  }
}

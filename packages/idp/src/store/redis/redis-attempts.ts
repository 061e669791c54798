import type { Redis } from 'ioredis';
import type { AttemptsRepository, AttemptWindow } from '../attempts.ts';
import { dropDueRecords, EXPIRY_GRACE_SECONDS } from './redis-expiry-index.ts';
import type { RedisScript } from './redis-script.ts';
import { runScript } from './redis-script.ts';
import { runRedis } from './run-redis.ts';

// One script, so concurrent increments on any node never lose a count, and the window restarts once.
const INCREMENT: RedisScript = {
  name: 'stepupAttemptsIncrement',
  numberOfKeys: 2,
  lua: `
local now = tonumber(ARGV[1])
local reset_at = tonumber(redis.call('HGET', KEYS[1], 'resetAt'))
local count
if reset_at == nil or reset_at <= now then
  count = 1
  reset_at = now + tonumber(ARGV[2])
  redis.call('HSET', KEYS[1], 'count', count, 'resetAt', reset_at)
else
  count = redis.call('HINCRBY', KEYS[1], 'count', 1)
end
redis.call('PEXPIRE', KEYS[1], (reset_at - now + tonumber(ARGV[3])) * 1000)
redis.call('ZADD', KEYS[2], reset_at, ARGV[4])
return { count, reset_at }`,
};

// Takes back one attempt of a window that has not ended, never below zero.
const REFUND: RedisScript = {
  name: 'stepupAttemptsRefund',
  numberOfKeys: 1,
  lua: `
local reset_at = tonumber(redis.call('HGET', KEYS[1], 'resetAt'))
if reset_at == nil or reset_at <= tonumber(ARGV[1]) then return 0 end
if tonumber(redis.call('HGET', KEYS[1], 'count')) > 0 then redis.call('HINCRBY', KEYS[1], 'count', -1) end
return 1`,
};

/** Fixed-window throttling counters, one hash per key, shared by every node. */
export class RedisAttemptsRepository implements AttemptsRepository {
  readonly #redis: Redis;
  readonly #recordPrefix: string;
  readonly #index: string;

  constructor(redis: Redis, keyPrefix: string) {
    this.#redis = redis;
    this.#recordPrefix = `${keyPrefix}attempt:`;
    this.#index = `${keyPrefix}attempts-expiry`;
  }

  async increment(key: string, windowSeconds: number, now: number): Promise<AttemptWindow> {
    if (!(windowSeconds > 0)) throw new TypeError(`windowSeconds must be positive, got ${windowSeconds}`);
    const [count, resetAt] = (await runRedis(() =>
      runScript(
        this.#redis,
        INCREMENT,
        [this.#recordPrefix + key, this.#index],
        [now, windowSeconds, EXPIRY_GRACE_SECONDS, key],
      ),
    )) as [number, number];
    return { count, resetAt };
  }

  async peek(key: string, now: number): Promise<AttemptWindow | undefined> {
    const [count, resetAt] = await runRedis(() =>
      this.#redis.hmget(this.#recordPrefix + key, 'count', 'resetAt'),
    );
    if (count === null || count === undefined || resetAt === null || resetAt === undefined) return undefined;
    return Number(resetAt) > now ? { count: Number(count), resetAt: Number(resetAt) } : undefined;
  }

  async refund(key: string, now: number): Promise<void> {
    await runRedis(() => runScript(this.#redis, REFUND, [this.#recordPrefix + key], [now]));
  }

  async reset(key: string): Promise<void> {
    await runRedis(() => this.#redis.del(this.#recordPrefix + key));
  }

  /** Deletes the counters whose window ended at or before `now`; returns how many. */
  deleteExpired(now: number): Promise<number> {
    return runRedis(() => dropDueRecords(this.#redis, this.#index, this.#recordPrefix, now));
  }
}

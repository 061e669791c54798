import type { Redis } from 'ioredis';
import type { ConsumeEmailCodeInput, EmailCodesRepository, SaveEmailCodeInput } from '../email-codes.ts';
import { DROP_DUE_LUA, dropDueRecords, ttlMillis } from './redis-expiry-index.ts';
import { type RedisScript, runScript } from './redis-script.ts';
import { runRedis } from './run-redis.ts';

// Expired codes of every challenge go first; then a new code replaces the open one, while a used
// challenge is left as it is (it never reopens).
const SAVE: RedisScript = {
  name: 'stepupEmailCodeSave',
  numberOfKeys: 2,
  lua: `${DROP_DUE_LUA}
drop_due(KEYS[2], ARGV[1], ARGV[2], 1000)
if redis.call('HEXISTS', KEYS[1], 'usedAt') == 1 then return 0 end
redis.call('HSET', KEYS[1], 'userId', ARGV[3], 'codeHash', ARGV[4], 'createdAt', ARGV[1], 'expiresAt', ARGV[5])
redis.call('PEXPIRE', KEYS[1], ARGV[6])
redis.call('ZADD', KEYS[2], ARGV[5], ARGV[7])
return 1`,
};

// One script: of concurrent callers presenting the same code, only the first finds it unused.
const CONSUME: RedisScript = {
  name: 'stepupEmailCodeConsume',
  numberOfKeys: 1,
  lua: `
local code = redis.call('HMGET', KEYS[1], 'userId', 'codeHash', 'expiresAt', 'usedAt')
if code[1] ~= ARGV[1] or code[2] ~= ARGV[2] or code[4] or tonumber(code[3]) <= tonumber(ARGV[3]) then
  return 0
end
redis.call('HSET', KEYS[1], 'usedAt', ARGV[3])
return 1`,
};

/** One-time codes sent by email, one hash per challenge. */
export class RedisEmailCodesRepository implements EmailCodesRepository {
  readonly #redis: Redis;
  readonly #recordPrefix: string;
  readonly #index: string;

  constructor(redis: Redis, keyPrefix: string) {
    this.#redis = redis;
    this.#recordPrefix = `${keyPrefix}email-code:`;
    this.#index = `${keyPrefix}email-codes-expiry`;
  }

  async save(input: SaveEmailCodeInput): Promise<void> {
    if (!input.challengeId || !input.codeHash) {
      throw new TypeError('an email code needs a challengeId and a codeHash');
    }
    if (!(input.expiresAt > input.now)) throw new TypeError('an email code must expire after it is saved');
    await runRedis(() =>
      runScript(
        this.#redis,
        SAVE,
        [this.#recordPrefix + input.challengeId, this.#index],
        [
          input.now,
          this.#recordPrefix,
          input.userId,
          input.codeHash,
          input.expiresAt,
          ttlMillis(input.expiresAt, input.now),
          input.challengeId,
        ],
      ),
    );
  }

  async consume(input: ConsumeEmailCodeInput): Promise<boolean> {
    const won = await runRedis(() =>
      runScript(
        this.#redis,
        CONSUME,
        [this.#recordPrefix + input.challengeId],
        [input.userId, input.codeHash, input.now],
      ),
    );
    return won === 1;
  }

  /** Deletes the codes that expired at or before `now`; returns how many. */
  deleteExpired(now: number): Promise<number> {
    return runRedis(() => dropDueRecords(this.#redis, this.#index, this.#recordPrefix, now));
  }
}

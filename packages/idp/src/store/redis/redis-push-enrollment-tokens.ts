import type { Redis } from 'ioredis';
import type {
  IssuePushEnrollmentTokenInput,
  PushEnrollmentGrant,
  PushEnrollmentTokensRepository,
} from '../push-enrollment-tokens.ts';
import { dropDueRecords, ttlMillis } from './redis-expiry-index.ts';
import { type RedisScript, runScript } from './redis-script.ts';
import { CONFLICT_REPLY, runRedis } from './run-redis.ts';

// KEYS: the token, the set of tokens issued for the interaction, the expiry index.
// A login shows one enrollment QR code at a time: the unused tokens it showed before stop working.
const ISSUE: RedisScript = {
  name: 'stepupPushEnrollmentTokenIssue',
  numberOfKeys: 3,
  lua: `
if redis.call('EXISTS', KEYS[1]) == 1 then
  return redis.error_reply('${CONFLICT_REPLY} this enrollment token was issued before')
end
local token_prefix, interaction_uid, ttl = ARGV[1], ARGV[4], ARGV[7]
if interaction_uid ~= '' then
  for _, hash in ipairs(redis.call('SMEMBERS', KEYS[2])) do
    if redis.call('HEXISTS', token_prefix .. hash, 'consumedAt') == 0 then
      redis.call('DEL', token_prefix .. hash)
      redis.call('ZREM', KEYS[3], hash)
    end
  end
  redis.call('SADD', KEYS[2], ARGV[2])
  redis.call('PEXPIRE', KEYS[2], ttl)
end
redis.call('HSET', KEYS[1], 'userId', ARGV[3], 'interactionUid', interaction_uid, 'createdAt', ARGV[5], 'expiresAt', ARGV[6])
redis.call('PEXPIRE', KEYS[1], ttl)
redis.call('ZADD', KEYS[3], ARGV[6], ARGV[2])
return 1`,
};

// One script: of concurrent enrollments with the same token, only the first finds it unused.
const CONSUME: RedisScript = {
  name: 'stepupPushEnrollmentTokenConsume',
  numberOfKeys: 1,
  lua: `
local token = redis.call('HMGET', KEYS[1], 'userId', 'interactionUid', 'expiresAt', 'consumedAt')
if not token[1] or token[4] or tonumber(token[3]) <= tonumber(ARGV[1]) then return false end
redis.call('HSET', KEYS[1], 'consumedAt', ARGV[1])
return { token[1], token[2] }`,
};

/** Single-use push enrollment tokens, one hash per token hash. */
export class RedisPushEnrollmentTokensRepository implements PushEnrollmentTokensRepository {
  readonly #redis: Redis;
  readonly #recordPrefix: string;
  readonly #interactionPrefix: string;
  readonly #index: string;

  constructor(redis: Redis, keyPrefix: string) {
    this.#redis = redis;
    this.#recordPrefix = `${keyPrefix}push-enrollment-token:`;
    this.#interactionPrefix = `${keyPrefix}push-enrollment-tokens-of:`;
    this.#index = `${keyPrefix}push-enrollment-tokens-expiry`;
  }

  async issue(input: IssuePushEnrollmentTokenInput): Promise<void> {
    await runRedis(() =>
      runScript(
        this.#redis,
        ISSUE,
        [
          this.#recordPrefix + input.tokenHash,
          this.#interactionPrefix + (input.interactionUid ?? ''),
          this.#index,
        ],
        [
          this.#recordPrefix,
          input.tokenHash,
          input.userId,
          input.interactionUid ?? '',
          input.now,
          input.expiresAt,
          ttlMillis(input.expiresAt, input.now),
        ],
      ),
    );
  }

  async consume(tokenHash: string, now: number): Promise<PushEnrollmentGrant | undefined> {
    const grant = (await runRedis(() =>
      runScript(this.#redis, CONSUME, [this.#recordPrefix + tokenHash], [now]),
    )) as [string, string] | null;
    if (grant === null) return undefined;
    const [userId, interactionUid] = grant;
    return { userId, interactionUid: interactionUid === '' ? null : interactionUid };
  }

  /** Deletes the tokens that expired at or before `now`; returns how many. */
  deleteExpired(now: number): Promise<number> {
    return runRedis(() => dropDueRecords(this.#redis, this.#index, this.#recordPrefix, now));
  }
}

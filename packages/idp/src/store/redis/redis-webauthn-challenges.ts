import type { Redis } from 'ioredis';
import type {
  WebAuthnCeremony,
  WebAuthnChallenge,
  WebAuthnChallengesRepository,
} from '../webauthn-challenges.ts';
import { DROP_DUE_LUA, dropDueRecords, ttlMillis } from './redis-expiry-index.ts';
import { type RedisScript, runScript } from './redis-script.ts';
import { execTransaction } from './redis-transaction.ts';
import { runRedis } from './run-redis.ts';

// Drops the expired challenges of every interaction on the way, as the SQLite store does.
const ISSUE: RedisScript = {
  name: 'stepupWebAuthnChallengeIssue',
  numberOfKeys: 2,
  lua: `${DROP_DUE_LUA}
drop_due(KEYS[2], ARGV[1], ARGV[2], 1000)
redis.call('SET', KEYS[1], ARGV[3], 'PX', ARGV[4])
redis.call('ZADD', KEYS[2], ARGV[5], ARGV[6])
return 1`,
};

/** Outstanding WebAuthn challenges, one JSON string per interaction and ceremony. */
export class RedisWebAuthnChallengesRepository implements WebAuthnChallengesRepository {
  readonly #redis: Redis;
  readonly #recordPrefix: string;
  readonly #index: string;

  constructor(redis: Redis, keyPrefix: string) {
    this.#redis = redis;
    this.#recordPrefix = `${keyPrefix}webauthn-challenge:`;
    this.#index = `${keyPrefix}webauthn-challenges-expiry`;
  }

  async issue(challenge: WebAuthnChallenge, now: number): Promise<void> {
    const member = memberOf(challenge.interactionUid, challenge.ceremony);
    const json = JSON.stringify({
      interactionUid: challenge.interactionUid,
      ceremony: challenge.ceremony,
      challenge: challenge.challenge,
      userId: challenge.userId,
      expiresAt: challenge.expiresAt,
    } satisfies WebAuthnChallenge);
    await runRedis(() =>
      runScript(
        this.#redis,
        ISSUE,
        [this.#recordPrefix + member, this.#index],
        [now, this.#recordPrefix, json, ttlMillis(challenge.expiresAt, now), challenge.expiresAt, member],
      ),
    );
  }

  async consume(
    interactionUid: string,
    ceremony: WebAuthnCeremony,
    now: number,
  ): Promise<WebAuthnChallenge | undefined> {
    const member = memberOf(interactionUid, ceremony);
    // GETDEL in one transaction with the index entry: the challenge goes to exactly one caller,
    // expired or not; expiry is checked after, so an expired one is gone either way.
    const [json] = await runRedis(() =>
      execTransaction(
        this.#redis
          .multi()
          .getdel(this.#recordPrefix + member)
          .zrem(this.#index, member),
      ),
    );
    if (typeof json !== 'string') return undefined;
    const challenge = JSON.parse(json) as WebAuthnChallenge;
    return challenge.expiresAt > now ? challenge : undefined;
  }

  /** Deletes the challenges that expired at or before `now`; returns how many. */
  deleteExpired(now: number): Promise<number> {
    return runRedis(() => dropDueRecords(this.#redis, this.#index, this.#recordPrefix, now));
  }
}

// The ceremony is one of three words without a colon, so the member names one challenge unambiguously.
function memberOf(interactionUid: string, ceremony: WebAuthnCeremony): string {
  return `${ceremony}:${interactionUid}`;
}

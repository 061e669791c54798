import type { Logger } from 'pino';
import type { Store } from '../store.ts';
import { hashPlainRedisBearerIds } from './hash-plain-redis-bearer-ids.ts';
import { RedisAttemptsRepository } from './redis-attempts.ts';
import { openRedisConnection } from './redis-connection.ts';
import { RedisEmailCodesRepository } from './redis-email-codes.ts';
import { RedisInteractionStatesRepository } from './redis-interaction-states.ts';
import { withRedisOidcModels } from './redis-oidc-adapter.ts';
import { RedisPushChallengesRepository } from './redis-push-challenges.ts';
import { RedisPushEnrollmentTokensRepository } from './redis-push-enrollment-tokens.ts';
import { RedisWebAuthnChallengesRepository } from './redis-webauthn-challenges.ts';

export interface RedisStateOptions {
  url: string;
  /** Every key starts with it, so several installations (or test runs) can share one Redis. */
  keyPrefix: string;
  /** Longest wait for a reply before a command fails with `StoreUnavailableError`. */
  commandTimeoutMs: number;
  /** Epoch seconds; the provider's clock, which sets the TTL of records whose API carries no time. */
  clock?: () => number;
  logger?: Pick<Logger, 'warn' | 'info'>;
}

/**
 * Moves the short-lived state of `durable` to Redis — interaction states, throttling counters,
 * WebAuthn challenges, email codes, push challenges and enrollment tokens, and oidc-provider's
 * `Interaction` and `PushedAuthorizationRequest` — and keeps everything else where it is. Every
 * single-use change is one Lua script, atomic across nodes. Codes, tokens, sessions and grants stay
 * in the durable store (so do password reset links, which must outlive a restart of Redis, which
 * runs without persistence): reuse of a code revokes the refresh tokens and the grant issued with it,
 * which one database transaction does and two stores could not. Closing closes both; when Redis
 * cannot be reached the durable store is closed and the call rejects.
 */
export async function withRedisState(durable: Store, options: RedisStateOptions): Promise<Store> {
  let redis: Awaited<ReturnType<typeof openRedisConnection>>;
  try {
    redis = await openRedisConnection({
      url: options.url,
      commandTimeoutMs: options.commandTimeoutMs,
      name: 'stepup-store',
      ...(options.logger ? { logger: options.logger } : {}),
    });
  } catch (error) {
    await durable.close();
    throw error;
  }
  const prefix = options.keyPrefix;
  const clock = options.clock ?? (() => Math.floor(Date.now() / 1000));
  const interactionStates = new RedisInteractionStatesRepository(redis, prefix, clock);
  const attempts = new RedisAttemptsRepository(redis, prefix);
  const webauthnChallenges = new RedisWebAuthnChallengesRepository(redis, prefix);
  const emailCodes = new RedisEmailCodesRepository(redis, prefix);
  const pushEnrollmentTokens = new RedisPushEnrollmentTokensRepository(redis, prefix);
  const swept = [interactionStates, attempts, webauthnChallenges, emailCodes, pushEnrollmentTokens];
  // The durable store is a plain object of repositories (as openSqliteStore and openPostgresStore
  // return); the spread keeps every durable repository, including ones added later.
  return {
    ...durable,
    interactionStates,
    attempts,
    webauthnChallenges,
    emailCodes,
    // Resolved challenges leave by their TTL, a day after their expiry; nothing to sweep.
    pushChallenges: new RedisPushChallengesRepository(redis, prefix),
    pushEnrollmentTokens,
    // oidc-provider and the durable adapters judge its models' expiry by the system clock: so does this.
    oidcAdapter: withRedisOidcModels(durable.oidcAdapter, redis, prefix, () => Math.floor(Date.now() / 1000)),
    async hashPlainBearerIds(rewrite) {
      return (
        (await durable.hashPlainBearerIds(rewrite)) + (await hashPlainRedisBearerIds(redis, prefix, rewrite))
      );
    },
    async deleteExpired(now) {
      let deleted = await durable.deleteExpired(now);
      for (const repository of swept) deleted += await repository.deleteExpired(now);
      return deleted;
    },
    async close() {
      try {
        await durable.close();
      } finally {
        // QUIT lets replies in flight arrive; while Redis is down it fails, and the socket just closes.
        await redis.quit().catch(() => redis.disconnect());
      }
    },
  };
}

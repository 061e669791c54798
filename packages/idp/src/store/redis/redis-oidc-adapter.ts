import type { Redis } from 'ioredis';
import { createInvalidGrantError, GRANT_SOURCE_ALREADY_CONSUMED } from '../invalid-grant-error.ts';
import type { OidcAdapter, OidcAdapterFactory, OidcAdapterPayload } from '../oidc-adapter.ts';
import { ttlMillis } from './redis-expiry-index.ts';
import { type RedisScript, runScript } from './redis-script.ts';
import { execTransaction } from './redis-transaction.ts';
import { runRedis } from './run-redis.ts';

/**
 * oidc-provider's models that move to Redis: short-lived, written several times per login, and not
 * issued under a grant, so revoking a grant never has to reach them. Codes and tokens stay in the
 * durable store, where reuse of one revokes the rest of its grant in one transaction.
 */
export const REDIS_OIDC_MODELS: ReadonlySet<string> = new Set(['Interaction', 'PushedAuthorizationRequest']);

// Marks the instance used at ARGV[1]; 1 when it was not used, or was used less than ARGV[2]
// seconds before (a retry); 0 when it was used before that, -1 when there is none.
const CONSUME: RedisScript = {
  name: 'stepupOidcModelConsumeAllowingRetry',
  numberOfKeys: 1,
  lua: `
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
if redis.call('HSETNX', KEYS[1], 'consumed', ARGV[1]) == 1 then return 1 end
if tonumber(ARGV[1]) < tonumber(redis.call('HGET', KEYS[1], 'consumed')) + tonumber(ARGV[2]) then return 1 end
return 0`,
};

/** What every key of one model's instances starts with; the instance's id follows. */
export function oidcModelKeyPrefix(keyPrefix: string, model: string): string {
  return `${keyPrefix}oidc:${model}:`;
}

/**
 * The adapter of the models in `REDIS_OIDC_MODELS`, one hash per instance (payload, expiry, consumed)
 * whose stored expiry is checked against `clock`; every other model goes to `durable`.
 */
export function withRedisOidcModels(
  durable: OidcAdapterFactory,
  redis: Redis,
  keyPrefix: string,
  clock: () => number,
): OidcAdapterFactory {
  class RedisOidcModelAdapter implements OidcAdapter {
    readonly #model: string;
    readonly #prefix: string;

    constructor(model: string) {
      this.#model = model;
      this.#prefix = oidcModelKeyPrefix(keyPrefix, model);
    }

    async upsert(id: string, payload: OidcAdapterPayload, expiresIn?: number): Promise<void> {
      const key = this.#prefix + id;
      const now = clock();
      const expiresAt = typeof expiresIn === 'number' ? now + Math.ceil(expiresIn) : undefined;
      const transaction = redis.multi().hset(key, 'payload', JSON.stringify(payload));
      if (expiresAt === undefined) transaction.hdel(key, 'expiresAt').persist(key);
      else transaction.hset(key, 'expiresAt', expiresAt).pexpire(key, ttlMillis(expiresAt, now));
      // Re-saving never clears `consumed`: once used, a single-use instance stays used.
      if (typeof payload.consumed === 'number')
        transaction.hsetnx(key, 'consumed', Math.floor(payload.consumed));
      await runRedis(() => execTransaction(transaction));
    }

    async find(id: string): Promise<OidcAdapterPayload | undefined> {
      const [json, expiresAt, consumed] = await runRedis(() =>
        redis.hmget(this.#prefix + id, 'payload', 'expiresAt', 'consumed'),
      );
      if (typeof json !== 'string') return undefined;
      if (typeof expiresAt === 'string' && Number(expiresAt) <= clock()) return undefined;
      const payload = JSON.parse(json) as OidcAdapterPayload;
      if (typeof consumed === 'string') payload.consumed = Number(consumed);
      return payload;
    }

    // Only Session has a uid and only DeviceCode a user code; both stay in the durable store.
    async findByUid(): Promise<undefined> {
      return undefined;
    }

    async findByUserCode(): Promise<undefined> {
      return undefined;
    }

    async consume(id: string): Promise<void> {
      await this.consumeAllowingRetry(id, { now: clock(), reuseIntervalSeconds: 0 });
    }

    // These models are not issued under a grant: a reuse after the interval has nothing to revoke.
    async consumeAllowingRetry(
      id: string,
      rule: { now: number; reuseIntervalSeconds: number },
    ): Promise<void> {
      const outcome = await runRedis(() =>
        runScript(redis, CONSUME, [this.#prefix + id], [rule.now, rule.reuseIntervalSeconds]),
      );
      if (outcome === 1) return;
      throw createInvalidGrantError(
        outcome === -1 ? 'grant source not found' : GRANT_SOURCE_ALREADY_CONSUMED,
      );
    }

    async destroy(id: string): Promise<void> {
      await runRedis(() => redis.del(this.#prefix + id));
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      // Whatever the model asked, the tokens of a grant all live in the durable store.
      await new durable(this.#model).revokeByGrantId(grantId);
    }
  }

  return class CompositeOidcAdapter implements OidcAdapter {
    readonly #adapter: OidcAdapter;

    constructor(name: string) {
      this.#adapter = REDIS_OIDC_MODELS.has(name) ? new RedisOidcModelAdapter(name) : new durable(name);
    }

    upsert(id: string, payload: OidcAdapterPayload, expiresIn?: number): Promise<void> {
      return this.#adapter.upsert(id, payload, expiresIn);
    }

    find(id: string): Promise<OidcAdapterPayload | undefined> {
      return this.#adapter.find(id);
    }

    findByUid(uid: string): Promise<OidcAdapterPayload | undefined> {
      return this.#adapter.findByUid(uid);
    }

    findByUserCode(userCode: string): Promise<OidcAdapterPayload | undefined> {
      return this.#adapter.findByUserCode(userCode);
    }

    consume(id: string): Promise<void> {
      return this.#adapter.consume(id);
    }

    consumeAllowingRetry(id: string, rule: { now: number; reuseIntervalSeconds: number }): Promise<void> {
      return this.#adapter.consumeAllowingRetry(id, rule);
    }

    destroy(id: string): Promise<void> {
      return this.#adapter.destroy(id);
    }

    revokeByGrantId(grantId: string): Promise<void> {
      return this.#adapter.revokeByGrantId(grantId);
    }
  };
}

import type { Redis } from 'ioredis';
import { isHashedBearerId } from '../bearer-ids/bearer-id-hash.ts';
import { isBearerIdModel } from '../bearer-ids/bearer-payload.ts';
import type { PlainBearerIdRewrite } from '../bearer-ids/plain-bearer-id-rewrite.ts';
import type { OidcAdapterPayload } from '../oidc-adapter.ts';
import { oidcModelKeyPrefix, REDIS_OIDC_MODELS } from './redis-oidc-adapter.ts';
import { type RedisScript, runScript } from './redis-script.ts';
import { runRedis } from './run-redis.ts';

// Moves the instance to its hashed key, TTL and `consumed` included, if its payload is still the
// one read (else a writer got there first and the next sweep looks again); 0 when it is gone.
const MOVE: RedisScript = {
  name: 'stepupOidcModelHashId',
  numberOfKeys: 2,
  lua: `
if redis.call('HGET', KEYS[1], 'payload') ~= ARGV[1] then return 0 end
redis.call('RENAME', KEYS[1], KEYS[2])
redis.call('HSET', KEYS[2], 'payload', ARGV[2])
return 1`,
};

/**
 * Rewrites the oidc-provider instances in Redis whose key still holds a plain bearer id and returns
 * how many it moved. Each move is one script, so two nodes running this at once move each key once.
 */
export async function hashPlainRedisOidcIds(
  redis: Redis,
  keyPrefix: string,
  rewrite: PlainBearerIdRewrite,
): Promise<number> {
  let moved = 0;
  for (const model of REDIS_OIDC_MODELS) {
    if (!isBearerIdModel(model)) continue;
    const prefix = oidcModelKeyPrefix(keyPrefix, model);
    let cursor = '0';
    do {
      const [next, keys] = await runRedis(() =>
        redis.scan(cursor, 'MATCH', `${escapeGlob(prefix)}*`, 'COUNT', 200),
      );
      cursor = next;
      for (const key of keys) {
        const plainId = key.slice(prefix.length);
        if (isHashedBearerId(plainId)) continue;
        const json = await runRedis(() => redis.hget(key, 'payload'));
        if (json === null) continue;
        const stored = rewrite(model, plainId, JSON.parse(json) as OidcAdapterPayload);
        const outcome = await runRedis(() =>
          runScript(redis, MOVE, [key, prefix + stored.id], [json, JSON.stringify(stored.payload)]),
        );
        if (outcome === 1) moved += 1;
      }
    } while (cursor !== '0');
  }
  return moved;
}

/** The prefix as a SCAN pattern that matches it literally. */
function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}

import type { Redis } from 'ioredis';
import { isHashedBearerId } from '../bearer-ids/bearer-id-hash.ts';
import { isBearerIdModel } from '../bearer-ids/bearer-payload.ts';
import type { PlainBearerIdRewrite } from '../bearer-ids/plain-bearer-id-rewrite.ts';
import type { OidcAdapterPayload } from '../oidc-adapter.ts';
import { interactionStateKeys } from './redis-interaction-states.ts';
import { oidcModelKeyPrefix, REDIS_OIDC_MODELS } from './redis-oidc-adapter.ts';
import { type RedisScript, runScript } from './redis-script.ts';
import { runRedis } from './run-redis.ts';

// Moves an oidc-provider instance to its hashed key, TTL and `consumed` included, if its payload is
// still the one read (else a writer got there first and the next sweep looks again).
const MOVE_OIDC_MODEL: RedisScript = {
  name: 'stepupOidcModelHashId',
  numberOfKeys: 2,
  lua: `
if redis.call('HGET', KEYS[1], 'payload') ~= ARGV[1] then return 0 end
redis.call('RENAME', KEYS[1], KEYS[2])
redis.call('HSET', KEYS[2], 'payload', ARGV[2])
return 1`,
};

// Moves an interaction state to its hashed key, TTL included, and renames it in the expiry index.
// KEYS: record, hashed record, index; ARGV: plain id, hashed id.
const MOVE_INTERACTION_STATE: RedisScript = {
  name: 'stepupInteractionStateHashKey',
  numberOfKeys: 3,
  lua: `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('RENAME', KEYS[1], KEYS[2])
local score = redis.call('ZSCORE', KEYS[3], ARGV[1])
if score then
  redis.call('ZREM', KEYS[3], ARGV[1])
  redis.call('ZADD', KEYS[3], score, ARGV[2])
end
return 1`,
};

/**
 * Rewrites what Redis still holds under a plain bearer id — oidc-provider's instances and the
 * interaction states — and returns how many it moved. Each move is one script, so two nodes running
 * this at once move each key once.
 */
export async function hashPlainRedisBearerIds(
  redis: Redis,
  keyPrefix: string,
  rewrite: PlainBearerIdRewrite,
): Promise<number> {
  let moved = 0;
  for (const model of REDIS_OIDC_MODELS) {
    if (!isBearerIdModel(model)) continue;
    const prefix = oidcModelKeyPrefix(keyPrefix, model);
    await forEachPlainKey(redis, prefix, async (key, plainId) => {
      const json = await runRedis(() => redis.hget(key, 'payload'));
      if (json === null) return;
      const payload = rewrite.payload(model, plainId, JSON.parse(json) as OidcAdapterPayload);
      const keys = [key, prefix + rewrite.id(plainId)];
      const outcome = await runRedis(() =>
        runScript(redis, MOVE_OIDC_MODEL, keys, [json, JSON.stringify(payload)]),
      );
      if (outcome === 1) moved += 1;
    });
  }
  const { recordPrefix, index } = interactionStateKeys(keyPrefix);
  await forEachPlainKey(redis, recordPrefix, async (key, plainId) => {
    const hashedId = rewrite.id(plainId);
    const keys = [key, recordPrefix + hashedId, index];
    const outcome = await runRedis(() => runScript(redis, MOVE_INTERACTION_STATE, keys, [plainId, hashedId]));
    if (outcome === 1) moved += 1;
  });
  return moved;
}

/** Calls `each` with every key under `prefix` whose id (what follows the prefix) is not hashed. */
async function forEachPlainKey(
  redis: Redis,
  prefix: string,
  each: (key: string, plainId: string) => Promise<void>,
): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await runRedis(() =>
      redis.scan(cursor, 'MATCH', `${escapeGlob(prefix)}*`, 'COUNT', 200),
    );
    cursor = next;
    for (const key of keys) {
      const id = key.slice(prefix.length);
      if (!isHashedBearerId(id)) await each(key, id);
    }
  } while (cursor !== '0');
}

/** The prefix as a SCAN pattern that matches it literally. */
function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}

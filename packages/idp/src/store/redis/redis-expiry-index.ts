import type { Redis } from 'ioredis';
import { type RedisScript, runScript } from './redis-script.ts';

/**
 * How long a record outlives its expiry in Redis. Reads compare the stored expiry with the caller's
 * clock, which is what decides; the TTL only frees memory, and this margin keeps a record for nodes
 * whose clocks run a little behind.
 */
export const EXPIRY_GRACE_SECONDS = 120;

/** The Redis TTL, in milliseconds, of a record that expires at `expiresAt` (epoch seconds). */
export function ttlMillis(expiresAt: number, now: number, keptAfterExpirySeconds = 0): number {
  const seconds = Math.max(expiresAt - now, 0) + keptAfterExpirySeconds + EXPIRY_GRACE_SECONDS;
  return Math.ceil(seconds * 1000);
}

/**
 * Lua: deletes the records whose expiry in the index (a sorted set of member → expiry) is at or
 * before `now`, at most `limit` of them; returns how many index entries it removed and how many
 * records existed. Prepended to the scripts that drop expired records on the way.
 */
export const DROP_DUE_LUA = `
local function drop_due(index, now, record_prefix, limit)
  local due = redis.call('ZRANGEBYSCORE', index, '-inf', now, 'LIMIT', 0, limit)
  local deleted = 0
  for _, member in ipairs(due) do
    deleted = deleted + redis.call('DEL', record_prefix .. member)
    redis.call('ZREM', index, member)
  end
  return { #due, deleted }
end
`;

const DROP_DUE: RedisScript = {
  name: 'stepupDropDue',
  numberOfKeys: 1,
  lua: `${DROP_DUE_LUA}
return drop_due(KEYS[1], ARGV[1], ARGV[2], tonumber(ARGV[3]))`,
};

const BATCH = 500;

/**
 * Deletes every record of one kind that expired at or before `now`, in batches so one sweep never
 * blocks Redis for long; returns how many records it deleted.
 */
export async function dropDueRecords(
  redis: Redis,
  index: string,
  recordPrefix: string,
  now: number,
): Promise<number> {
  let deleted = 0;
  for (;;) {
    const [seen, gone] = (await runScript(redis, DROP_DUE, [index], [now, recordPrefix, BATCH])) as [
      number,
      number,
    ];
    deleted += gone;
    if (seen < BATCH) return deleted;
  }
}

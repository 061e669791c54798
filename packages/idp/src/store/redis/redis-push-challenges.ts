import type { Redis } from 'ioredis';
import { newPushChallenge } from '../new-push-challenge.ts';
import type {
  OpenPushChallengeInput,
  PushChallenge,
  PushChallengeStatus,
  PushChallengesRepository,
  PushDenialReason,
  PushTransaction,
  ResolvePushChallengeInput,
} from '../push-challenges.ts';
import { ttlMillis } from './redis-expiry-index.ts';
import { type RedisScript, runScript } from './redis-script.ts';
import { CONFLICT_REPLY, runRedis } from './run-redis.ts';

/** Resolved push requests stay this long after their expiry, for anyone looking into a login. */
const RESOLVED_KEPT_SECONDS = 24 * 3600;

// Key layout under the prefix p (built inside the scripts, so Redis must not be a cluster):
//   p..'push-challenge:'..id         hash of the challenge
//   p..'push-open:'..interactionUid  id of the interaction's open challenge (at most one)
//   p..'push-latest:'..interactionUid id of the interaction's most recent challenge
//   p..'push-pending:'..userId       set of the user's open challenge ids
//   p..'push-due'                    sorted set of open challenge ids by expiry
//   p..'push-sequence'               counter that orders challenges opened in the same second
const SETTLE_LUA = `
local function settle(p, id, interaction_uid, user_id)
  local open_key = p .. 'push-open:' .. interaction_uid
  if redis.call('GET', open_key) == id then redis.call('DEL', open_key) end
  redis.call('SREM', p .. 'push-pending:' .. user_id, id)
  redis.call('ZREM', p .. 'push-due', id)
end
`;

// ARGV: prefix, id, interactionUid, userId, expiresAt, ttl, then the hash's field/value pairs.
const OPEN: RedisScript = {
  name: 'stepupPushChallengeOpen',
  numberOfKeys: 0,
  lua: `
local p, id, interaction_uid, user_id, expires_at, ttl = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local open_key = p .. 'push-open:' .. interaction_uid
if redis.call('EXISTS', open_key) == 1 then
  return redis.error_reply('${CONFLICT_REPLY} another push challenge is open for this interaction')
end
local key = p .. 'push-challenge:' .. id
local sequence = redis.call('INCR', p .. 'push-sequence')
redis.call('HSET', key, 'status', 'open', 'sequence', sequence, unpack(ARGV, 7))
redis.call('PEXPIRE', key, ttl)
redis.call('SET', open_key, id, 'PX', ttl)
redis.call('SET', p .. 'push-latest:' .. interaction_uid, id, 'PX', ttl)
redis.call('SADD', p .. 'push-pending:' .. user_id, id)
redis.call('PEXPIRE', p .. 'push-pending:' .. user_id, ttl)
redis.call('ZADD', p .. 'push-due', expires_at, id)
return 1`,
};

// The single-use answer: only the first caller finds the challenge open, unexpired, and theirs.
// ARGV: prefix, id, userId, nonce, status, deviceId, now, denial reason ('' unless denied).
const RESOLVE: RedisScript = {
  name: 'stepupPushChallengeResolve',
  numberOfKeys: 0,
  lua: `${SETTLE_LUA}
local p, id, user_id, nonce, status, device_id, now = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7]
local key = p .. 'push-challenge:' .. id
local c = redis.call('HMGET', key, 'userId', 'nonce', 'status', 'expiresAt', 'interactionUid')
if c[1] ~= user_id or c[2] ~= nonce or c[3] ~= 'open' or tonumber(c[4]) <= tonumber(now) then return 0 end
redis.call('HSET', key, 'status', status, 'resolvedAt', now, 'deviceId', device_id)
if ARGV[8] ~= '' then redis.call('HSET', key, 'denialReason', ARGV[8]) end
settle(p, id, c[5], user_id)
return 1`,
};

// The login ended: its open challenge (at most one) is withdrawn. One script, like RESOLVE, so of
// an answer and a withdrawal only the first finds the challenge open. ARGV: prefix, uid, now.
const WITHDRAW_OPEN: RedisScript = {
  name: 'stepupPushChallengeWithdrawOpen',
  numberOfKeys: 0,
  lua: `${SETTLE_LUA}
local p, interaction_uid, now = ARGV[1], ARGV[2], ARGV[3]
local id = redis.call('GET', p .. 'push-open:' .. interaction_uid)
if not id then return {} end
local key = p .. 'push-challenge:' .. id
local c = redis.call('HMGET', key, 'status', 'userId')
if c[1] ~= 'open' then return {} end
redis.call('HSET', key, 'status', 'withdrawn', 'resolvedAt', now)
settle(p, id, interaction_uid, c[2])
return { redis.call('HGETALL', key) }`,
};

// ARGV: prefix, now, scope ('all', 'interaction' or 'id'), and the interaction uid or challenge id.
const EXPIRE_DUE: RedisScript = {
  name: 'stepupPushChallengeExpireDue',
  numberOfKeys: 0,
  lua: `${SETTLE_LUA}
local p, now, scope, value = ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4]
local candidates
if scope == 'all' then
  candidates = redis.call('ZRANGEBYSCORE', p .. 'push-due', '-inf', now)
elseif scope == 'interaction' then
  local id = redis.call('GET', p .. 'push-open:' .. value)
  candidates = id and { id } or {}
else
  candidates = { value }
end
local expired = {}
for _, id in ipairs(candidates) do
  local key = p .. 'push-challenge:' .. id
  local c = redis.call('HMGET', key, 'status', 'expiresAt', 'interactionUid', 'userId')
  if c[1] == 'open' and tonumber(c[2]) <= now then
    redis.call('HSET', key, 'status', 'expired', 'resolvedAt', now)
    settle(p, id, c[3], c[4])
    table.insert(expired, redis.call('HGETALL', key))
  elseif c[1] ~= 'open' then
    redis.call('ZREM', p .. 'push-due', id)
  end
end
return expired`,
};

const CONSUME_APPROVAL: RedisScript = {
  name: 'stepupPushChallengeConsumeApproval',
  numberOfKeys: 1,
  lua: `
local c = redis.call('HMGET', KEYS[1], 'status', 'consumedAt')
if c[1] ~= 'approved' or c[2] then return 0 end
redis.call('HSET', KEYS[1], 'consumedAt', ARGV[1])
return 1`,
};

/** Push requests with number matching, one hash per challenge; every change is one script. */
export class RedisPushChallengesRepository implements PushChallengesRepository {
  readonly #redis: Redis;
  readonly #prefix: string;

  constructor(redis: Redis, keyPrefix: string) {
    this.#redis = redis;
    this.#prefix = keyPrefix;
  }

  async open(input: OpenPushChallengeInput): Promise<PushChallenge> {
    const challenge = newPushChallenge(input);
    const fields = [
      ['id', challenge.id],
      ['userId', challenge.userId],
      ['interactionUid', challenge.interactionUid],
      ['clientId', challenge.clientId],
      ['clientName', challenge.clientName],
      ['ip', challenge.ip],
      ['number', String(challenge.number)],
      ['choices', JSON.stringify(challenge.choices)],
      ['nonce', challenge.nonce],
      ['transaction', challenge.transaction === null ? '' : JSON.stringify(challenge.transaction)],
      ['createdAt', String(challenge.createdAt)],
      ['expiresAt', String(challenge.expiresAt)],
    ].flat();
    await runRedis(() =>
      runScript(
        this.#redis,
        OPEN,
        [],
        [
          this.#prefix,
          challenge.id,
          challenge.interactionUid,
          challenge.userId,
          challenge.expiresAt,
          ttlMillis(challenge.expiresAt, input.now, RESOLVED_KEPT_SECONDS),
          ...fields,
        ],
      ),
    );
    return challenge;
  }

  async findById(id: string): Promise<PushChallenge | undefined> {
    const fields = await runRedis(() => this.#redis.hgetall(this.#challengeKey(id)));
    return toPushChallenge(fields);
  }

  async latestForInteraction(interactionUid: string): Promise<PushChallenge | undefined> {
    const id = await runRedis(() => this.#redis.get(`${this.#prefix}push-latest:${interactionUid}`));
    return id === null ? undefined : this.findById(id);
  }

  async listPendingForUser(userId: string, now: number): Promise<PushChallenge[]> {
    const ids = await runRedis(() => this.#redis.smembers(`${this.#prefix}push-pending:${userId}`));
    if (ids.length === 0) return [];
    const replies = await runRedis(async () => {
      const pipeline = this.#redis.pipeline();
      for (const id of ids) pipeline.hgetall(this.#challengeKey(id));
      return (await pipeline.exec()) ?? [];
    });
    const pending: { challenge: PushChallenge; sequence: number }[] = [];
    for (const [error, fields] of replies) {
      if (error) throw error;
      const challenge = toPushChallenge(fields as Record<string, string>);
      if (challenge?.status === 'open' && challenge.expiresAt > now) {
        pending.push({ challenge, sequence: Number((fields as Record<string, string>).sequence) });
      }
    }
    pending.sort((a, b) => a.challenge.createdAt - b.challenge.createdAt || a.sequence - b.sequence);
    return pending.map(({ challenge }) => challenge);
  }

  async resolve(input: ResolvePushChallengeInput): Promise<boolean> {
    const won = await runRedis(() =>
      runScript(
        this.#redis,
        RESOLVE,
        [],
        [
          this.#prefix,
          input.id,
          input.userId,
          input.nonce,
          input.status,
          input.deviceId,
          input.now,
          input.status === 'denied' ? input.denialReason : '',
        ],
      ),
    );
    return won === 1;
  }

  async withdrawOpen(interactionUid: string, now: number): Promise<PushChallenge[]> {
    const withdrawn = (await runRedis(() =>
      runScript(this.#redis, WITHDRAW_OPEN, [], [this.#prefix, interactionUid, now]),
    )) as string[][];
    return withdrawn.map(fromPairs);
  }

  async expireDue(
    now: number,
    scope?: { interactionUid: string } | { id: string },
  ): Promise<PushChallenge[]> {
    let scopeArgs: [string, string];
    if (scope === undefined) scopeArgs = ['all', ''];
    else if ('id' in scope) scopeArgs = ['id', scope.id];
    else scopeArgs = ['interaction', scope.interactionUid];
    const expired = (await runRedis(() =>
      runScript(this.#redis, EXPIRE_DUE, [], [this.#prefix, now, ...scopeArgs]),
    )) as string[][];
    return expired.map(fromPairs);
  }

  async consumeApproval(id: string, now: number): Promise<boolean> {
    const won = await runRedis(() =>
      runScript(this.#redis, CONSUME_APPROVAL, [this.#challengeKey(id)], [now]),
    );
    return won === 1;
  }

  #challengeKey(id: string): string {
    return `${this.#prefix}push-challenge:${id}`;
  }
}

/** A challenge a script returned as HGETALL's flat field/value list. */
function fromPairs(flat: string[]): PushChallenge {
  const challenge = toPushChallenge(Object.fromEntries(pairsOf(flat)));
  if (challenge === undefined) throw new Error('a push challenge came back empty from a script');
  return challenge;
}

function* pairsOf(flat: string[]): Generator<[string, string]> {
  for (let i = 0; i + 1 < flat.length; i += 2) yield [flat[i] as string, flat[i + 1] as string];
}

function optionalNumber(value: string | undefined): number | null {
  return value === undefined ? null : Number(value);
}

function toPushChallenge(fields: Record<string, string>): PushChallenge | undefined {
  if (fields.id === undefined) return undefined;
  return {
    id: fields.id,
    userId: fields.userId ?? '',
    interactionUid: fields.interactionUid ?? '',
    clientId: fields.clientId ?? '',
    clientName: fields.clientName ?? '',
    ip: fields.ip ?? '',
    number: Number(fields.number),
    choices: JSON.parse(fields.choices ?? '[]') as number[],
    nonce: fields.nonce ?? '',
    transaction: fields.transaction ? (JSON.parse(fields.transaction) as PushTransaction) : null,
    // Only the scripts above write the status and the denial reason, with exactly these values.
    status: fields.status as PushChallengeStatus,
    denialReason: (fields.denialReason as PushDenialReason | undefined) ?? null,
    createdAt: Number(fields.createdAt),
    expiresAt: Number(fields.expiresAt),
    resolvedAt: optionalNumber(fields.resolvedAt),
    deviceId: fields.deviceId ?? null,
    consumedAt: optionalNumber(fields.consumedAt),
  };
}

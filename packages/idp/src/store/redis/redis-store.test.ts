import assert from 'node:assert/strict';
import { after, describe, type TestContext, test } from 'node:test';
import { createPostgresTestDatabase } from '../../testing/postgres-test-database.ts';
import { connectRedisForTests } from '../../testing/redis-test-connection.ts';
import { openPostgresStore } from '../postgres/postgres-store.ts';
import type { Store } from '../store.ts';
import { describeStoreContract } from '../store-contract.ts';
import { withRedisState } from './redis-store.ts';

const NOW = 1_700_000_000;

const postgres = await createPostgresTestDatabase();
const redis = await connectRedisForTests();

if (postgres.skip !== undefined || redis.skip !== undefined) {
  describe('postgres + redis store', { skip: postgres.skip ?? redis.skip }, () => {});
} else {
  const { database } = postgres;
  const keySpace = redis.redis;
  after(async () => {
    await keySpace.cleanup();
    await database.drop();
  });

  const openOnPostgres = () =>
    openPostgresStore({
      connectionString: database.url,
      poolMax: 4,
      connectionTimeoutMs: 3000,
      statementTimeoutMs: 5000,
    });
  const openWithRedis = async (keyPrefix: string) =>
    withRedisState(await openOnPostgres(), { url: keySpace.url, keyPrefix, commandTimeoutMs: 2000 });

  describeStoreContract('postgres + redis', async () => {
    await database.truncate();
    return openWithRedis(keySpace.newKeyPrefix());
  });

  describe('postgres + redis: what stays durable', () => {
    test('failure counters (consecutive failures, locks) stay in PostgreSQL, which survives a restart', async (t) => {
      await database.truncate();
      const store = await openWithRedis(keySpace.newKeyPrefix());
      t.after(() => store.close());
      await store.failureCounters.increment('code:account:u1', 3600, NOW);
      const durable = await openOnPostgres();
      t.after(() => durable.close());
      assert.deepEqual(await durable.failureCounters.peek('code:account:u1', NOW), {
        count: 1,
        resetAt: NOW + 3600,
      });
    });
  });

  describe('postgres + redis: two nodes over one Redis', () => {
    /** Two stores with their own connections and the same key prefix, as two provider nodes have. */
    async function openTwoNodes(t: TestContext): Promise<[Store, Store]> {
      await database.truncate();
      const keyPrefix = keySpace.newKeyPrefix();
      const nodes: [Store, Store] = [await openWithRedis(keyPrefix), await openWithRedis(keyPrefix)];
      t.after(() => Promise.all(nodes.map((node) => node.close())));
      return nodes;
    }

    test('a WebAuthn challenge consumed on both nodes at once goes to exactly one', async (t) => {
      const [a, b] = await openTwoNodes(t);
      const challenge = {
        interactionUid: 'int-1',
        ceremony: 'authentication' as const,
        challenge: 'Y2hhbGxlbmdl',
        userId: 'user-1',
        expiresAt: NOW + 300,
      };
      await a.webauthnChallenges.issue(challenge, NOW);
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          (i % 2 ? a : b).webauthnChallenges.consume('int-1', 'authentication', NOW + 1),
        ),
      );
      assert.deepEqual(results.filter(Boolean), [challenge]);
    });

    test('an email code used on both nodes at once works exactly once', async (t) => {
      const [a, b] = await openTwoNodes(t);
      const user = await a.users.create({ username: 'alice', passwordHash: 'h', now: NOW });
      await b.emailCodes.save({
        challengeId: 'login-1',
        userId: user.id,
        codeHash: 'hash-1',
        now: NOW,
        expiresAt: NOW + 600,
      });
      const attempt = { challengeId: 'login-1', userId: user.id, codeHash: 'hash-1', now: NOW + 1 };
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).emailCodes.consume(attempt)),
      );
      assert.equal(results.filter(Boolean).length, 1);
    });

    test('a push answer sent to both nodes at once resolves once, and counts once', async (t) => {
      const [a, b] = await openTwoNodes(t);
      const user = await a.users.create({ username: 'alice', passwordHash: 'h', now: NOW });
      const challenge = await a.pushChallenges.open({
        userId: user.id,
        interactionUid: 'int-1',
        clientId: 'salary',
        clientName: 'Salary',
        ip: '203.0.113.7',
        number: 42,
        choices: [17, 42, 88],
        nonce: 'nonce-1',
        now: NOW,
        expiresAt: NOW + 60,
      });
      const answer = { id: challenge.id, userId: user.id, nonce: 'nonce-1', deviceId: 'd1', now: NOW + 5 };
      const answers = await Promise.all([
        a.pushChallenges.resolve({ ...answer, status: 'approved' }),
        b.pushChallenges.resolve({ ...answer, status: 'denied', denialReason: 'refused' }),
        b.pushChallenges.resolve({ ...answer, status: 'approved' }),
      ]);
      assert.equal(answers.filter(Boolean).length, 1);
      const resolved = await b.pushChallenges.findById(challenge.id);
      if (resolved?.status === 'approved') {
        const claims = await Promise.all([
          a.pushChallenges.consumeApproval(challenge.id, NOW + 6),
          b.pushChallenges.consumeApproval(challenge.id, NOW + 6),
        ]);
        assert.deepEqual(claims.sort(), [false, true]);
      } else {
        assert.equal(resolved?.status, 'denied');
      }
    });

    test('an enrollment token presented to both nodes at once enrolls once', async (t) => {
      const [a, b] = await openTwoNodes(t);
      await a.pushEnrollmentTokens.issue({
        tokenHash: 'hash-1',
        userId: 'user-1',
        interactionUid: 'int-1',
        now: NOW,
        expiresAt: NOW + 600,
      });
      const grants = await Promise.all(
        Array.from({ length: 6 }, (_, i) => (i % 2 ? a : b).pushEnrollmentTokens.consume('hash-1', NOW + 1)),
      );
      assert.deepEqual(
        grants.filter((grant) => grant !== undefined),
        [{ userId: 'user-1', interactionUid: 'int-1' }],
      );
    });

    test('throttling counts from both nodes add up, none lost', async (t) => {
      const [a, b] = await openTwoNodes(t);
      const counts = await Promise.all(
        Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).attempts.increment('login:alice', 60, NOW)),
      );
      assert.deepEqual(
        counts.map((window) => window.count).sort((x, y) => x - y),
        Array.from({ length: 20 }, (_, i) => i + 1),
      );
      assert.deepEqual(await a.attempts.peek('login:alice', NOW + 1), { count: 20, resetAt: NOW + 60 });
    });

    test('an interaction state saved on one node is read on the other; keys of another prefix are apart', async (t) => {
      const [a, b] = await openTwoNodes(t);
      await a.interactionStates.save('int-1', { step: 'totp' }, NOW + 600);
      assert.deepEqual(await b.interactionStates.find('int-1', NOW), { step: 'totp' });
      const other = await openWithRedis(keySpace.newKeyPrefix());
      t.after(() => other.close());
      assert.equal(await other.interactionStates.find('int-1', NOW), undefined);
    });
  });

  describe('postgres + redis: oidc-provider models', () => {
    async function openNodesAndDatabase(t: TestContext) {
      await database.truncate();
      const keyPrefix = keySpace.newKeyPrefix();
      const stores = [await openWithRedis(keyPrefix), await openWithRedis(keyPrefix), await openOnPostgres()];
      t.after(() => Promise.all(stores.map((store) => store.close())));
      const [a, b, postgresOnly] = stores as [Store, Store, Store];
      return { a: a.oidcAdapter, b: b.oidcAdapter, postgresOnly: postgresOnly.oidcAdapter };
    }

    test('an Interaction lives in Redis, shared by the nodes and absent from PostgreSQL; codes stay in PostgreSQL', async (t) => {
      const { a, b, postgresOnly } = await openNodesAndDatabase(t);
      const interaction = { jti: 'int-1', kind: 'Interaction', uid: 'int-1', grantId: 'grant-1', exp: NOW };
      await new a('Interaction').upsert('int-1', interaction, 600);
      assert.deepEqual(await new b('Interaction').find('int-1'), interaction);
      assert.equal(await new postgresOnly('Interaction').find('int-1'), undefined);
      const code = { jti: 'code-1', kind: 'AuthorizationCode', grantId: 'grant-1' };
      await new a('AuthorizationCode').upsert('code-1', code, 60);
      assert.deepEqual(await new postgresOnly('AuthorizationCode').find('code-1'), code);
      await new b('Interaction').destroy('int-1');
      assert.equal(await new a('Interaction').find('int-1'), undefined);
    });

    test('an instance past its expiry is not found; without expiresIn it does not expire', async (t) => {
      const { a } = await openNodesAndDatabase(t);
      const interactions = new a('Interaction');
      await interactions.upsert('ended', { jti: 'ended' }, 0);
      await interactions.upsert('open-ended', { jti: 'open-ended' });
      assert.equal(await interactions.find('ended'), undefined);
      assert.deepEqual(await interactions.find('open-ended'), { jti: 'open-ended' });
    });

    test('a pushed authorization request consumed on both nodes at once is used exactly once, and stays used', async (t) => {
      const { a, b } = await openNodesAndDatabase(t);
      const request = { jti: 'par-1', kind: 'PushedAuthorizationRequest', request: 'eyJ...' };
      await new a('PushedAuthorizationRequest').upsert('par-1', request, 60);
      const outcomes = await Promise.allSettled(
        Array.from({ length: 6 }, (_, i) =>
          new (i % 2 ? a : b)('PushedAuthorizationRequest').consume('par-1'),
        ),
      );
      assert.equal(outcomes.filter((outcome) => outcome.status === 'fulfilled').length, 1);
      for (const outcome of outcomes.filter((o) => o.status === 'rejected')) {
        assert.equal((outcome as PromiseRejectedResult).reason.error, 'invalid_grant');
      }
      const consumed = await new b('PushedAuthorizationRequest').find('par-1');
      assert.equal(typeof consumed?.consumed, 'number');
      await new a('PushedAuthorizationRequest').upsert('par-1', request, 60);
      assert.equal((await new b('PushedAuthorizationRequest').find('par-1'))?.consumed, consumed?.consumed);
      await assert.rejects(new a('PushedAuthorizationRequest').consume('unknown'), {
        error: 'invalid_grant',
      });
    });

    test("revoking a grant through a Redis model's adapter removes the grant's tokens in PostgreSQL", async (t) => {
      const { a, postgresOnly } = await openNodesAndDatabase(t);
      await new a('AccessToken').upsert('at-1', { jti: 'at-1', kind: 'AccessToken', grantId: 'grant-1' }, 60);
      await new a('AccessToken').upsert('at-2', { jti: 'at-2', kind: 'AccessToken', grantId: 'grant-2' }, 60);
      await new a('Interaction').upsert('int-1', { jti: 'int-1', grantId: 'grant-1' }, 60);
      await new a('Interaction').revokeByGrantId('grant-1');
      assert.equal(await new postgresOnly('AccessToken').find('at-1'), undefined);
      assert.equal((await new postgresOnly('AccessToken').find('at-2'))?.jti, 'at-2');
      assert.equal((await new a('Interaction').find('int-1'))?.jti, 'int-1', 'an interaction is no token');
    });
  });

  describe('postgres + redis: refusals', () => {
    test('an unreachable Redis rejects the opening with code unavailable and closes the durable store', async () => {
      const durable = await openOnPostgres();
      await assert.rejects(
        withRedisState(durable, {
          url: 'redis://127.0.0.1:1',
          keyPrefix: keySpace.newKeyPrefix(),
          commandTimeoutMs: 1000,
        }),
        { name: 'StoreUnavailableError', code: 'unavailable' },
      );
      await assert.rejects(durable.users.findById('x'), { code: 'unavailable' });
    });

    test('a closed store rejects Redis work with code unavailable', async () => {
      const store = await openWithRedis(keySpace.newKeyPrefix());
      await store.close();
      await assert.rejects(store.interactionStates.find('int-1', NOW), {
        name: 'StoreUnavailableError',
        code: 'unavailable',
      });
      await assert.rejects(store.attempts.increment('k', 60, NOW), { code: 'unavailable' });
    });
  });
}

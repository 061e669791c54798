import assert from 'node:assert/strict';
import { describe, type TestContext, test } from 'node:test';
import type { Store } from './store.ts';

const NOW = 1_700_000_000;

/** The store contract for recovery codes and email codes: single use, also under concurrent requests. */
export function describeOneTimeCodesContract(
  name: string,
  openStore: (t: TestContext) => Promise<Store>,
): void {
  async function openWithUser(t: TestContext) {
    const store = await openStore(t);
    const user = await store.users.create({ username: 'alice', passwordHash: 'h', now: NOW });
    return { store, user };
  }

  describe(`${name}: recoveryCodes`, () => {
    test('a set is consumed code by code, each once, and summarised', async (t) => {
      const { store, user } = await openWithUser(t);
      assert.equal(await store.recoveryCodes.summary(user.id), undefined);
      await store.recoveryCodes.replaceSet(user.id, ['h1', 'h2', 'h3'], NOW);
      assert.deepEqual(await store.recoveryCodes.summary(user.id), {
        total: 3,
        remaining: 3,
        issuedAt: NOW,
        lastUsedAt: null,
      });
      assert.equal(await store.recoveryCodes.consume(user.id, 'h2', NOW + 5), true);
      assert.equal(await store.recoveryCodes.consume(user.id, 'h2', NOW + 6), false, 'used once only');
      assert.equal(await store.recoveryCodes.consume(user.id, 'nope', NOW + 6), false);
      assert.deepEqual(await store.recoveryCodes.summary(user.id), {
        total: 3,
        remaining: 2,
        issuedAt: NOW,
        lastUsedAt: NOW + 5,
      });
      assert.deepEqual((await store.recoveryCodes.unusedHashes(user.id)).sort(), ['h1', 'h3']);
    });

    test("codes belong to their user: another user's hash does not work", async (t) => {
      const { store, user } = await openWithUser(t);
      const bob = await store.users.create({ username: 'bob', passwordHash: 'h', now: NOW });
      await store.recoveryCodes.replaceSet(user.id, ['shared'], NOW);
      await store.recoveryCodes.replaceSet(bob.id, ['shared'], NOW);
      assert.equal(await store.recoveryCodes.consume(bob.id, 'shared', NOW), true);
      assert.equal(await store.recoveryCodes.consume(user.id, 'shared', NOW), true);
    });

    test('replaceSet voids the whole old set, used and unused', async (t) => {
      const { store, user } = await openWithUser(t);
      await store.recoveryCodes.replaceSet(user.id, ['old1', 'old2'], NOW);
      await store.recoveryCodes.consume(user.id, 'old1', NOW);
      await store.recoveryCodes.replaceSet(user.id, ['new1', 'new2', 'new3'], NOW + 10);
      assert.equal(await store.recoveryCodes.consume(user.id, 'old2', NOW + 11), false);
      assert.deepEqual(await store.recoveryCodes.summary(user.id), {
        total: 3,
        remaining: 3,
        issuedAt: NOW + 10,
        lastUsedAt: null,
      });
    });

    test('an empty set, an empty hash or a duplicate is a TypeError and changes nothing', async (t) => {
      const { store, user } = await openWithUser(t);
      await store.recoveryCodes.replaceSet(user.id, ['keep'], NOW);
      await assert.rejects(store.recoveryCodes.replaceSet(user.id, [], NOW), TypeError);
      await assert.rejects(store.recoveryCodes.replaceSet(user.id, ['a', ''], NOW), TypeError);
      await assert.rejects(store.recoveryCodes.replaceSet(user.id, ['a', 'a'], NOW), TypeError);
      assert.equal((await store.recoveryCodes.summary(user.id))?.total, 1);
      assert.equal(await store.recoveryCodes.consume(user.id, 'keep', NOW), true);
    });

    test('20 parallel consumes of one code: exactly one wins', async (t) => {
      const { store, user } = await openWithUser(t);
      await store.recoveryCodes.replaceSet(user.id, ['once', 'other'], NOW);
      const results = await Promise.all(
        Array.from({ length: 20 }, () => store.recoveryCodes.consume(user.id, 'once', NOW)),
      );
      assert.equal(results.filter(Boolean).length, 1);
      assert.equal((await store.recoveryCodes.summary(user.id))?.remaining, 1);
    });
  });

  describe(`${name}: emailCodes`, () => {
    const code = (userId: string, challengeId = 'login-1') => ({
      challengeId,
      userId,
      codeHash: 'hash-1',
      now: NOW,
      expiresAt: NOW + 600,
    });

    test('a code works once, for its challenge and user, before it expires', async (t) => {
      const { store, user } = await openWithUser(t);
      await store.emailCodes.save(code(user.id));
      const attempt = { challengeId: 'login-1', userId: user.id, codeHash: 'hash-1', now: NOW + 1 };
      assert.equal(await store.emailCodes.consume({ ...attempt, challengeId: 'login-2' }), false);
      assert.equal(await store.emailCodes.consume({ ...attempt, codeHash: 'hash-2' }), false);
      assert.equal(await store.emailCodes.consume({ ...attempt, userId: 'someone-else' }), false);
      assert.equal(await store.emailCodes.consume(attempt), true);
      assert.equal(await store.emailCodes.consume(attempt), false, 'used once only');
    });

    test('an expired code is refused, at its expiry second too', async (t) => {
      const { store, user } = await openWithUser(t);
      await store.emailCodes.save(code(user.id));
      const attempt = { challengeId: 'login-1', userId: user.id, codeHash: 'hash-1' };
      assert.equal(await store.emailCodes.consume({ ...attempt, now: NOW + 600 }), false);
      assert.equal(await store.emailCodes.consume({ ...attempt, now: NOW + 599 }), true);
    });

    test('a new code for the challenge voids the previous one; a used challenge never reopens', async (t) => {
      const { store, user } = await openWithUser(t);
      await store.emailCodes.save(code(user.id));
      await store.emailCodes.save({
        ...code(user.id),
        codeHash: 'hash-2',
        now: NOW + 30,
        expiresAt: NOW + 630,
      });
      const attempt = { challengeId: 'login-1', userId: user.id, now: NOW + 31 };
      assert.equal(await store.emailCodes.consume({ ...attempt, codeHash: 'hash-1' }), false);
      assert.equal(await store.emailCodes.consume({ ...attempt, codeHash: 'hash-2' }), true);
      await store.emailCodes.save({
        ...code(user.id),
        codeHash: 'hash-3',
        now: NOW + 40,
        expiresAt: NOW + 640,
      });
      assert.equal(await store.emailCodes.consume({ ...attempt, codeHash: 'hash-3', now: NOW + 41 }), false);
    });

    test('saving without a challenge or an expiry in the future is a TypeError', async (t) => {
      const { store, user } = await openWithUser(t);
      await assert.rejects(store.emailCodes.save({ ...code(user.id), challengeId: '' }), TypeError);
      await assert.rejects(store.emailCodes.save({ ...code(user.id), expiresAt: NOW }), TypeError);
    });

    test('20 parallel consumes of one code: exactly one wins', async (t) => {
      const { store, user } = await openWithUser(t);
      await store.emailCodes.save(code(user.id));
      const attempt = { challengeId: 'login-1', userId: user.id, codeHash: 'hash-1', now: NOW + 1 };
      const results = await Promise.all(Array.from({ length: 20 }, () => store.emailCodes.consume(attempt)));
      assert.equal(results.filter(Boolean).length, 1);
    });
  });
}

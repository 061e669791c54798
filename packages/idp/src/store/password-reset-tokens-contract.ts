import assert from 'node:assert/strict';
import { describe, type TestContext, test } from 'node:test';
import type { Store } from './store.ts';

const NOW = 1_700_000_000;

/** The store contract for password reset links: bound to an account, expiring, single use under concurrency. */
export function describePasswordResetTokensContract(
  name: string,
  openStore: (t: TestContext) => Promise<Store>,
): void {
  async function openWithUser(t: TestContext) {
    const store = await openStore(t);
    const user = await store.users.create({ username: 'alice', passwordHash: 'h', now: NOW });
    return { store, user };
  }

  describe(`${name}: passwordResetTokens`, () => {
    test('a token is found until it is used, then used once, with its grant', async (t) => {
      const { store, user } = await openWithUser(t);
      await store.passwordResetTokens.issue({
        tokenHash: 't1',
        userId: user.id,
        passwordFingerprint: 'fp',
        now: NOW,
        expiresAt: NOW + 900,
      });
      const grant = { userId: user.id, passwordFingerprint: 'fp', expiresAt: NOW + 900 };
      assert.deepEqual(await store.passwordResetTokens.find('t1', NOW + 1), grant);
      assert.deepEqual(await store.passwordResetTokens.find('t1', NOW + 2), grant, 'finding uses nothing');
      assert.equal(await store.passwordResetTokens.find('other', NOW + 1), undefined);
      assert.deepEqual(await store.passwordResetTokens.consume('t1', NOW + 3), grant);
      assert.equal(await store.passwordResetTokens.consume('t1', NOW + 4), undefined, 'used once only');
      assert.equal(await store.passwordResetTokens.find('t1', NOW + 4), undefined);
    });

    test('an expired token is neither found nor used', async (t) => {
      const { store, user } = await openWithUser(t);
      const input = { userId: user.id, passwordFingerprint: 'fp', now: NOW, expiresAt: NOW + 60 };
      await store.passwordResetTokens.issue({ ...input, tokenHash: 'late' });
      assert.equal(await store.passwordResetTokens.find('late', NOW + 60), undefined);
      assert.equal(await store.passwordResetTokens.consume('late', NOW + 60), undefined);
      assert.ok((await store.deleteExpired(NOW + 61)) >= 1, 'the sweep removes it');
    });

    test('a token is refused unless it expires after it is issued', async (t) => {
      const { store, user } = await openWithUser(t);
      await assert.rejects(
        store.passwordResetTokens.issue({
          tokenHash: 'x',
          userId: user.id,
          passwordFingerprint: 'fp',
          now: NOW,
          expiresAt: NOW,
        }),
        TypeError,
      );
    });

    test('removing the account removes its tokens', async (t) => {
      const { store, user } = await openWithUser(t);
      await store.passwordResetTokens.issue({
        tokenHash: 'gone',
        userId: user.id,
        passwordFingerprint: 'fp',
        now: NOW,
        expiresAt: NOW + 900,
      });
      await store.userManagement.remove(user.id, {
        time: NOW,
        type: 'admin.user.deleted',
        outcome: 'success',
        details: {},
      });
      assert.equal(await store.passwordResetTokens.consume('gone', NOW + 1), undefined);
    });

    test('of 100 concurrent redemptions of one token, exactly one succeeds', async (t) => {
      const { store, user } = await openWithUser(t);
      await store.passwordResetTokens.issue({
        tokenHash: 'race',
        userId: user.id,
        passwordFingerprint: 'fp',
        now: NOW,
        expiresAt: NOW + 900,
      });
      const results = await Promise.all(
        Array.from({ length: 100 }, () => store.passwordResetTokens.consume('race', NOW + 1)),
      );
      assert.equal(results.filter((grant) => grant !== undefined).length, 1);
    });
  });
}

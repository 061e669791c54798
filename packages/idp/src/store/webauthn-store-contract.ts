import assert from 'node:assert/strict';
import { describe, type TestContext, test } from 'node:test';
import type { Store } from './store.ts';
import type { AddWebAuthnCredentialInput } from './webauthn-credentials.ts';

const NOW = 1_700_000_000;

/** The WebAuthn repositories' contract, as part of `describeStoreContract`. */
export function describeWebAuthnStoreContract(
  name: string,
  openStore: (t: TestContext) => Promise<Store>,
): void {
  async function openWithUser(t: TestContext) {
    const store = await openStore(t);
    const user = await store.users.create({ username: 'alice', passwordHash: 'h', now: NOW });
    return { store, user };
  }

  function securityKey(userId: string, overrides: Partial<AddWebAuthnCredentialInput> = {}) {
    return {
      id: 'Y3JlZC0x',
      userId,
      publicKey: new Uint8Array([0xa5, 0x01, 0x02, 0x03, 0x26]),
      counter: 7,
      transports: ['usb', 'nfc'],
      aaguid: '00000000-0000-0000-0000-000000000000',
      deviceType: 'singleDevice' as const,
      backedUp: false,
      attachment: 'cross-platform' as const,
      name: 'Security key',
      now: NOW,
      ...overrides,
    };
  }

  describe(`${name}: webauthnCredentials`, () => {
    test('add, findById, listForUser, rename and remove', async (t) => {
      const { store, user } = await openWithUser(t);
      const bob = await store.users.create({ username: 'bob', passwordHash: 'h', now: NOW });
      const key = await store.webauthnCredentials.add(securityKey(user.id));
      const passkey = await store.webauthnCredentials.add(
        securityKey(user.id, {
          id: 'Y3JlZC0y',
          counter: 0,
          transports: ['internal', 'hybrid'],
          deviceType: 'multiDevice',
          backedUp: true,
          attachment: null,
          name: 'Phone',
          now: NOW + 5,
        }),
      );
      assert.deepEqual(key, {
        id: 'Y3JlZC0x',
        userId: user.id,
        publicKey: new Uint8Array([0xa5, 0x01, 0x02, 0x03, 0x26]),
        counter: 7,
        transports: ['usb', 'nfc'],
        aaguid: '00000000-0000-0000-0000-000000000000',
        deviceType: 'singleDevice',
        backedUp: false,
        attachment: 'cross-platform',
        name: 'Security key',
        createdAt: NOW,
        lastUsedAt: null,
      });
      assert.deepEqual(await store.webauthnCredentials.findById(key.id), key);
      assert.deepEqual(await store.webauthnCredentials.listForUser(user.id), [key, passkey]);
      assert.deepEqual(await store.webauthnCredentials.listForUser(bob.id), []);
      assert.equal(await store.webauthnCredentials.findById('bm9uZQ'), undefined);

      assert.equal(await store.webauthnCredentials.rename(key.id, 'Blue key'), true);
      assert.equal((await store.webauthnCredentials.findById(key.id))?.name, 'Blue key');
      assert.equal(await store.webauthnCredentials.rename('bm9uZQ', 'x'), false);
      assert.equal(await store.webauthnCredentials.remove(key.id), true);
      assert.equal(await store.webauthnCredentials.remove(key.id), false);
      assert.deepEqual(await store.webauthnCredentials.listForUser(user.id), [passkey]);
    });

    test('a credential ID registered once, to anyone, is a conflict', async (t) => {
      const { store, user } = await openWithUser(t);
      const bob = await store.users.create({ username: 'bob', passwordHash: 'h', now: NOW });
      await store.webauthnCredentials.add(securityKey(user.id));
      await assert.rejects(store.webauthnCredentials.add(securityKey(bob.id, { name: 'Stolen' })), {
        name: 'StoreConflictError',
        code: 'conflict',
      });
      assert.deepEqual(await store.webauthnCredentials.listForUser(bob.id), []);
    });

    test('recordUse advances the counter and refuses a regression, changing nothing', async (t) => {
      const { store, user } = await openWithUser(t);
      const key = await store.webauthnCredentials.add(securityKey(user.id));
      const repository = store.webauthnCredentials;
      assert.equal(await repository.recordUse(key.id, { counter: 7, backedUp: false, now: NOW + 1 }), false);
      assert.equal(await repository.recordUse(key.id, { counter: 3, backedUp: false, now: NOW + 1 }), false);
      assert.deepEqual(await repository.findById(key.id), key);
      assert.equal(await repository.recordUse(key.id, { counter: 8, backedUp: true, now: NOW + 2 }), true);
      assert.deepEqual(await repository.findById(key.id), {
        ...key,
        counter: 8,
        backedUp: true,
        lastUsedAt: NOW + 2,
      });
      assert.equal(await repository.recordUse(key.id, { counter: 0, backedUp: true, now: NOW + 3 }), false);
      assert.equal(await repository.recordUse('bm9uZQ', { counter: 9, backedUp: false, now: NOW }), false);
      await assert.rejects(
        repository.recordUse(key.id, { counter: -1, backedUp: false, now: NOW }),
        TypeError,
      );
      await assert.rejects(
        repository.recordUse(key.id, { counter: 2 ** 32, backedUp: false, now: NOW }),
        TypeError,
      );
    });

    test('an authenticator that does not count stays at 0 and may be used again', async (t) => {
      const { store, user } = await openWithUser(t);
      const passkey = await store.webauthnCredentials.add(securityKey(user.id, { counter: 0 }));
      const use = { counter: 0, backedUp: false, now: NOW + 1 };
      assert.equal(await store.webauthnCredentials.recordUse(passkey.id, use), true);
      assert.equal(await store.webauthnCredentials.recordUse(passkey.id, { ...use, now: NOW + 2 }), true);
      assert.equal((await store.webauthnCredentials.findById(passkey.id))?.lastUsedAt, NOW + 2);
    });

    test('concurrent uses with the same counter: exactly one is accepted', async (t) => {
      const { store, user } = await openWithUser(t);
      const key = await store.webauthnCredentials.add(securityKey(user.id));
      const results = await Promise.all(
        Array.from({ length: 8 }, () =>
          store.webauthnCredentials.recordUse(key.id, { counter: 9, backedUp: false, now: NOW + 1 }),
        ),
      );
      assert.equal(results.filter(Boolean).length, 1);
    });
  });

  describe(`${name}: webauthnChallenges`, () => {
    const challenge = {
      interactionUid: 'int-1',
      ceremony: 'authentication' as const,
      challenge: 'Y2hhbGxlbmdlLTE',
      userId: 'user-1',
      expiresAt: NOW + 300,
    };

    test('consume returns the challenge once', async (t) => {
      const store = await openStore(t);
      await store.webauthnChallenges.issue(challenge, NOW);
      assert.deepEqual(
        await store.webauthnChallenges.consume('int-1', 'authentication', NOW + 10),
        challenge,
      );
      assert.equal(await store.webauthnChallenges.consume('int-1', 'authentication', NOW + 10), undefined);
    });

    test('is bound to its interaction and ceremony', async (t) => {
      const store = await openStore(t);
      await store.webauthnChallenges.issue(challenge, NOW);
      assert.equal(await store.webauthnChallenges.consume('int-2', 'authentication', NOW), undefined);
      assert.equal(await store.webauthnChallenges.consume('int-1', 'registration', NOW), undefined);
      assert.equal(await store.webauthnChallenges.consume('int-1', 'sign-in', NOW), undefined);
      assert.deepEqual(await store.webauthnChallenges.consume('int-1', 'authentication', NOW), challenge);
    });

    test('a new challenge replaces the earlier one of the same ceremony', async (t) => {
      const store = await openStore(t);
      await store.webauthnChallenges.issue(challenge, NOW);
      const newer = { ...challenge, challenge: 'Y2hhbGxlbmdlLTI', expiresAt: NOW + 400 };
      await store.webauthnChallenges.issue(newer, NOW + 100);
      const signIn = { ...challenge, ceremony: 'sign-in' as const, userId: null };
      await store.webauthnChallenges.issue(signIn, NOW + 100);
      assert.deepEqual(await store.webauthnChallenges.consume('int-1', 'authentication', NOW + 100), newer);
      assert.deepEqual(await store.webauthnChallenges.consume('int-1', 'sign-in', NOW + 100), signIn);
    });

    test('an expired challenge is never returned, and is gone afterwards', async (t) => {
      const store = await openStore(t);
      await store.webauthnChallenges.issue(challenge, NOW);
      assert.equal(await store.webauthnChallenges.consume('int-1', 'authentication', NOW + 300), undefined);
      await store.webauthnChallenges.issue(challenge, NOW);
      await store.webauthnChallenges.issue({ ...challenge, interactionUid: 'int-2' }, NOW + 300);
      assert.equal(await store.webauthnChallenges.consume('int-1', 'authentication', NOW), undefined);
    });

    test('concurrent consumers: exactly one receives the challenge', async (t) => {
      const store = await openStore(t);
      await store.webauthnChallenges.issue(challenge, NOW);
      const results = await Promise.all(
        Array.from({ length: 8 }, () => store.webauthnChallenges.consume('int-1', 'authentication', NOW)),
      );
      assert.deepEqual(results.filter(Boolean), [challenge]);
    });
  });
}

import assert from 'node:assert/strict';
import { describe, type TestContext, test } from 'node:test';
import type { OpenPushChallengeInput } from './push-challenges.ts';
import type { Store } from './store.ts';

const NOW = 1_700_000_000;
const KEY = { kty: 'EC', crv: 'P-256', x: 'x-coordinate', y: 'y-coordinate' } as const;

/** The push repositories' part of the store contract; `describeStoreContract` runs it per backend. */
export function describePushStoreContract(name: string, openStore: (t: TestContext) => Promise<Store>): void {
  async function openWithUser(t: TestContext) {
    const store = await openStore(t);
    const user = await store.users.create({ username: 'alice', passwordHash: 'h', now: NOW });
    return { store, user };
  }

  function challengeInput(userId: string, overrides: Partial<OpenPushChallengeInput> = {}) {
    return {
      userId,
      interactionUid: 'interaction-1',
      clientId: 'salary',
      clientName: 'Salary',
      ip: '203.0.113.7',
      number: 42,
      choices: [17, 42, 88],
      nonce: 'nonce-1',
      now: NOW,
      expiresAt: NOW + 60,
      ...overrides,
    };
  }

  describe(`${name}: push devices`, () => {
    test('add keeps only the public JWK members; list, markUsed and revoke', async (t) => {
      const { store, user } = await openWithUser(t);
      const phone = await store.pushDevices.add({
        userId: user.id,
        name: 'Phone',
        publicKey: { ...KEY, d: 'private', ext: true } as typeof KEY,
        now: NOW,
      });
      assert.deepEqual(phone, {
        id: phone.id,
        userId: user.id,
        name: 'Phone',
        publicKey: KEY,
        createdAt: NOW,
        lastUsedAt: null,
        revokedAt: null,
      });
      assert.deepEqual(await store.pushDevices.findById(phone.id), phone);
      const laptop = await store.pushDevices.add({
        userId: user.id,
        name: 'CLI',
        publicKey: KEY,
        now: NOW + 1,
      });
      await store.pushDevices.markUsed(phone.id, NOW + 5);
      assert.equal(await store.pushDevices.rename(phone.id, 'Work phone'), true);
      assert.equal(await store.pushDevices.revoke(laptop.id, NOW + 6), true);
      assert.equal(await store.pushDevices.revoke(laptop.id, NOW + 7), false, 'revoked once');
      assert.equal(
        await store.pushDevices.rename(laptop.id, 'Gone'),
        false,
        'a revoked device keeps its name',
      );
      assert.deepEqual(await store.pushDevices.listForUser(user.id), [
        { ...phone, name: 'Work phone', lastUsedAt: NOW + 5 },
        { ...laptop, revokedAt: NOW + 6 },
      ]);
      assert.equal(await store.pushDevices.findById('unknown'), undefined);
    });

    test('Web Push subscriptions: set, replace, forget; none for a revoked device', async (t) => {
      const { store, user } = await openWithUser(t);
      const phone = await store.pushDevices.add({ userId: user.id, name: 'Phone', publicKey: KEY, now: NOW });
      const tablet = await store.pushDevices.add({
        userId: user.id,
        name: 'Tablet',
        publicKey: KEY,
        now: NOW + 1,
      });
      const cli = await store.pushDevices.add({ userId: user.id, name: 'CLI', publicKey: KEY, now: NOW + 2 });
      const subscription = (n: number) => ({
        endpoint: `https://push.example/send/${n}`,
        keys: { p256dh: `p256dh-${n}`, auth: `auth-${n}` },
      });
      assert.deepEqual(await store.pushDevices.listWebPushSubscriptions(user.id), []);
      assert.equal(
        await store.pushDevices.setWebPushSubscription(phone.id, {
          ...subscription(1),
          expirationTime: null,
        } as ReturnType<typeof subscription>),
        true,
      );
      assert.equal(await store.pushDevices.setWebPushSubscription(tablet.id, subscription(2)), true);
      assert.equal(await store.pushDevices.setWebPushSubscription(phone.id, subscription(3)), true);
      assert.equal(await store.pushDevices.setWebPushSubscription('unknown', subscription(4)), false);
      assert.deepEqual(await store.pushDevices.listWebPushSubscriptions(user.id), [
        { deviceId: phone.id, subscription: subscription(3) },
        { deviceId: tablet.id, subscription: subscription(2) },
      ]);
      assert.deepEqual(
        await store.pushDevices.findById(cli.id),
        cli,
        'a device keeps its shape: the subscription is read only for sending',
      );
      await store.pushDevices.revoke(tablet.id, NOW + 5);
      assert.equal(await store.pushDevices.setWebPushSubscription(tablet.id, subscription(5)), false);
      assert.equal(await store.pushDevices.setWebPushSubscription(phone.id, null), true);
      assert.deepEqual(await store.pushDevices.listWebPushSubscriptions(user.id), []);
      assert.deepEqual(await store.pushDevices.listWebPushSubscriptions('nobody'), []);
    });
  });

  describe(`${name}: push challenges`, () => {
    test('open, then read by id, by interaction and as pending for the user', async (t) => {
      const { store, user } = await openWithUser(t);
      const challenge = await store.pushChallenges.open(challengeInput(user.id));
      assert.deepEqual(challenge, {
        id: challenge.id,
        userId: user.id,
        interactionUid: 'interaction-1',
        clientId: 'salary',
        clientName: 'Salary',
        ip: '203.0.113.7',
        number: 42,
        choices: [17, 42, 88],
        nonce: 'nonce-1',
        transaction: null,
        status: 'open',
        denialReason: null,
        createdAt: NOW,
        expiresAt: NOW + 60,
        resolvedAt: null,
        deviceId: null,
        consumedAt: null,
      });
      assert.deepEqual(await store.pushChallenges.findById(challenge.id), challenge);
      assert.deepEqual(await store.pushChallenges.latestForInteraction('interaction-1'), challenge);
      assert.deepEqual(await store.pushChallenges.listPendingForUser(user.id, NOW + 59), [challenge]);
      assert.deepEqual(await store.pushChallenges.listPendingForUser(user.id, NOW + 60), []);
    });

    test('a transaction-bound challenge keeps its summary and details as they were given', async (t) => {
      const { store, user } = await openWithUser(t);
      const transaction = {
        summary: 'Change salary payout account: to DE89 3704 0044 0532 0130 00, holder Alice Example',
        details: [
          { type: 'salary_payout_account', iban: 'DE89 3704 0044 0532 0130 00', holder: 'Alice Example' },
        ],
      };
      const challenge = await store.pushChallenges.open({ ...challengeInput(user.id), transaction });
      assert.deepEqual(challenge.transaction, transaction);
      assert.deepEqual((await store.pushChallenges.findById(challenge.id))?.transaction, transaction);
      assert.deepEqual(
        (await store.pushChallenges.listPendingForUser(user.id, NOW + 1))[0]?.transaction,
        transaction,
      );
    });

    test('at most one open challenge per interaction', async (t) => {
      const { store, user } = await openWithUser(t);
      await store.pushChallenges.open(challengeInput(user.id));
      await assert.rejects(store.pushChallenges.open(challengeInput(user.id, { nonce: 'n2' })), {
        code: 'conflict',
      });
      // Another login of the same person may have its own.
      await store.pushChallenges.open(challengeInput(user.id, { interactionUid: 'interaction-2' }));
    });

    test('open refuses a number that is not two digits or not among the choices, and stores nothing', async (t) => {
      const { store, user } = await openWithUser(t);
      for (const overrides of [{ number: 7, choices: [7, 42, 88] }, { number: 42.5 }, { number: 51 }]) {
        await assert.rejects(store.pushChallenges.open(challengeInput(user.id, overrides)), TypeError);
      }
      assert.equal(await store.pushChallenges.latestForInteraction('interaction-1'), undefined);
      assert.deepEqual(await store.pushChallenges.listPendingForUser(user.id, NOW), []);
    });

    test('resolve is single use: one winner among concurrent answers, none after expiry or with another nonce', async (t) => {
      const { store, user } = await openWithUser(t);
      const challenge = await store.pushChallenges.open(challengeInput(user.id));
      const answer = {
        id: challenge.id,
        userId: user.id,
        nonce: 'nonce-1',
        status: 'approved',
        deviceId: 'd1',
        now: NOW + 10,
      } as const;
      assert.equal(await store.pushChallenges.resolve({ ...answer, nonce: 'other' }), false);
      assert.equal(await store.pushChallenges.resolve({ ...answer, userId: 'someone-else' }), false);
      assert.equal(await store.pushChallenges.resolve({ ...answer, now: NOW + 60 }), false, 'expired');
      const results = await Promise.all([
        store.pushChallenges.resolve(answer),
        store.pushChallenges.resolve({
          ...answer,
          status: 'denied',
          denialReason: 'refused',
          deviceId: 'd2',
        }),
        store.pushChallenges.resolve(answer),
      ]);
      assert.deepEqual(
        results.filter((won) => won),
        [true],
      );
      const resolved = await store.pushChallenges.findById(challenge.id);
      assert.equal(resolved?.resolvedAt, NOW + 10);
      assert.deepEqual(
        [resolved?.status, resolved?.deviceId],
        resolved?.status === 'approved' ? ['approved', 'd1'] : ['denied', 'd2'],
      );
    });

    test('a hundred concurrent approvals of one challenge: exactly one wins', async (t) => {
      const { store, user } = await openWithUser(t);
      const challenge = await store.pushChallenges.open(challengeInput(user.id));
      const results = await Promise.all(
        Array.from({ length: 100 }, (_, i) =>
          store.pushChallenges.resolve({
            id: challenge.id,
            userId: user.id,
            nonce: 'nonce-1',
            status: 'approved',
            deviceId: `d${i}`,
            now: NOW + 1,
          }),
        ),
      );
      assert.equal(results.filter((won) => won).length, 1);
      const winner = results.indexOf(true);
      assert.deepEqual(await store.pushChallenges.findById(challenge.id), {
        ...challenge,
        status: 'approved',
        resolvedAt: NOW + 1,
        deviceId: `d${winner}`,
      });
    });

    test('a denial keeps its reason: refused, or the wrong number picked', async (t) => {
      const { store, user } = await openWithUser(t);
      const refused = await store.pushChallenges.open(challengeInput(user.id));
      const wrong = await store.pushChallenges.open(challengeInput(user.id, { interactionUid: 'i2' }));
      const answer = { userId: user.id, nonce: 'nonce-1', deviceId: 'd1', now: NOW + 1 } as const;
      assert.equal(
        await store.pushChallenges.resolve({
          ...answer,
          id: refused.id,
          status: 'denied',
          denialReason: 'refused',
        }),
        true,
      );
      assert.equal(
        await store.pushChallenges.resolve({
          ...answer,
          id: wrong.id,
          status: 'denied',
          denialReason: 'wrong_number',
        }),
        true,
      );
      assert.equal((await store.pushChallenges.findById(refused.id))?.denialReason, 'refused');
      assert.equal((await store.pushChallenges.findById(wrong.id))?.denialReason, 'wrong_number');
      assert.deepEqual(await store.pushChallenges.latestForInteraction('i2'), {
        ...wrong,
        status: 'denied',
        denialReason: 'wrong_number',
        resolvedAt: NOW + 1,
        deviceId: 'd1',
      });
    });

    test('withdrawOpen withdraws the open challenge of an ended login once; nothing answers it after', async (t) => {
      const { store, user } = await openWithUser(t);
      const open = await store.pushChallenges.open(challengeInput(user.id));
      const other = await store.pushChallenges.open(
        challengeInput(user.id, { interactionUid: 'interaction-2' }),
      );
      const withdrawn = await Promise.all([
        store.pushChallenges.withdrawOpen('interaction-1', NOW + 5),
        store.pushChallenges.withdrawOpen('interaction-1', NOW + 5),
      ]);
      assert.deepEqual(withdrawn.flat(), [{ ...open, status: 'withdrawn', resolvedAt: NOW + 5 }]);
      assert.deepEqual(await store.pushChallenges.findById(open.id), {
        ...open,
        status: 'withdrawn',
        resolvedAt: NOW + 5,
      });
      assert.deepEqual(await store.pushChallenges.listPendingForUser(user.id, NOW + 6), [other]);
      const answer = { userId: user.id, nonce: 'nonce-1', deviceId: 'd1', now: NOW + 6 } as const;
      assert.equal(await store.pushChallenges.resolve({ ...answer, id: open.id, status: 'approved' }), false);
      assert.equal(await store.pushChallenges.consumeApproval(open.id, NOW + 6), false);
      assert.deepEqual(await store.pushChallenges.expireDue(NOW + 100, { id: open.id }), []);
      assert.deepEqual(await store.pushChallenges.withdrawOpen('interaction-1', NOW + 7), []);
      assert.deepEqual(await store.pushChallenges.withdrawOpen('no-such-interaction', NOW + 7), []);
      // An answered challenge stays answered: the login that ends keeps its approval on record.
      await store.pushChallenges.resolve({ ...answer, id: other.id, status: 'approved' });
      assert.deepEqual(await store.pushChallenges.withdrawOpen('interaction-2', NOW + 7), []);
      assert.equal((await store.pushChallenges.findById(other.id))?.status, 'approved');
      // A withdrawn challenge is no longer open: it does not hold the interaction's one open slot.
      await store.pushChallenges.open(challengeInput(user.id, { now: NOW + 8, expiresAt: NOW + 68 }));
    });

    test('approvals racing a withdrawal: exactly one of them wins, a hundred times over', async (t) => {
      const { store, user } = await openWithUser(t);
      const rounds = await Promise.all(
        Array.from({ length: 100 }, async (_, round) => {
          const interactionUid = `race-${round}`;
          const challenge = await store.pushChallenges.open(challengeInput(user.id, { interactionUid }));
          const approve = () =>
            store.pushChallenges.resolve({
              id: challenge.id,
              userId: user.id,
              nonce: 'nonce-1',
              status: 'approved',
              deviceId: 'd1',
              now: NOW + 1,
            });
          const withdraw = () => store.pushChallenges.withdrawOpen(interactionUid, NOW + 1);
          // Half the rounds start the withdrawal first, half an approval.
          const results = await Promise.all(
            round % 2 === 0 ? [approve(), withdraw(), approve()] : [withdraw(), approve(), approve()],
          );
          const approvals = results.filter((result) => result === true).length;
          const withdrawn = results.filter(Array.isArray).flat().length;
          const stored = await store.pushChallenges.findById(challenge.id);
          return { approvals, withdrawn, stored };
        }),
      );
      for (const { approvals, withdrawn, stored } of rounds) {
        assert.equal(approvals + withdrawn, 1, 'one winner per challenge');
        assert.equal(stored?.status, withdrawn === 1 ? 'withdrawn' : 'approved');
      }
    });

    test('expireDue marks each overdue open challenge once, and frees the interaction for a new one', async (t) => {
      const { store, user } = await openWithUser(t);
      const first = await store.pushChallenges.open(challengeInput(user.id));
      const other = await store.pushChallenges.open(
        challengeInput(user.id, { interactionUid: 'interaction-2', expiresAt: NOW + 120 }),
      );
      assert.deepEqual(await store.pushChallenges.expireDue(NOW + 59), []);
      assert.deepEqual(await store.pushChallenges.expireDue(NOW + 60, { id: other.id }), []);
      const expired = await store.pushChallenges.expireDue(NOW + 60, { interactionUid: 'interaction-1' });
      assert.deepEqual(expired, [{ ...first, status: 'expired', resolvedAt: NOW + 60 }]);
      assert.deepEqual(await store.pushChallenges.expireDue(NOW + 61), []);
      assert.equal((await store.pushChallenges.findById(other.id))?.status, 'open');
      const second = await store.pushChallenges.open(
        challengeInput(user.id, { now: NOW + 61, expiresAt: NOW + 121 }),
      );
      assert.deepEqual(await store.pushChallenges.latestForInteraction('interaction-1'), second);
      assert.deepEqual(
        (await store.pushChallenges.expireDue(NOW + 200)).map((challenge) => challenge.id).sort(),
        [other.id, second.id].sort(),
      );
    });

    test('consumeApproval counts an approval once and never a denial', async (t) => {
      const { store, user } = await openWithUser(t);
      const approved = await store.pushChallenges.open(challengeInput(user.id));
      const denied = await store.pushChallenges.open(challengeInput(user.id, { interactionUid: 'i2' }));
      const answer = { userId: user.id, nonce: 'nonce-1', deviceId: 'd1', now: NOW + 1 };
      assert.equal(await store.pushChallenges.consumeApproval(approved.id, NOW + 1), false, 'still open');
      await store.pushChallenges.resolve({ ...answer, id: approved.id, status: 'approved' });
      await store.pushChallenges.resolve({
        ...answer,
        id: denied.id,
        status: 'denied',
        denialReason: 'refused',
      });
      const claims = await Promise.all([
        store.pushChallenges.consumeApproval(approved.id, NOW + 2),
        store.pushChallenges.consumeApproval(approved.id, NOW + 2),
      ]);
      assert.deepEqual(claims.sort(), [false, true]);
      assert.equal(await store.pushChallenges.consumeApproval(denied.id, NOW + 2), false);
      assert.equal((await store.pushChallenges.findById(approved.id))?.consumedAt, NOW + 2);
    });
  });

  describe(`${name}: push enrollment tokens`, () => {
    test('consume is single use, bounded by the expiry, and a new token voids the interaction’s old one', async (t) => {
      const { store, user } = await openWithUser(t);
      const issue = (tokenHash: string, interactionUid: string | null) =>
        store.pushEnrollmentTokens.issue({
          tokenHash,
          userId: user.id,
          interactionUid,
          now: NOW,
          expiresAt: NOW + 600,
        });
      await issue('hash-a', 'interaction-1');
      await issue('hash-b', null);
      await issue('hash-c', 'interaction-1');
      assert.equal(await store.pushEnrollmentTokens.consume('hash-a', NOW + 1), undefined, 'voided');
      assert.equal(await store.pushEnrollmentTokens.consume('hash-b', NOW + 600), undefined, 'expired');
      const results = await Promise.all([
        store.pushEnrollmentTokens.consume('hash-c', NOW + 1),
        store.pushEnrollmentTokens.consume('hash-c', NOW + 1),
      ]);
      assert.deepEqual(
        results.filter((grant) => grant !== undefined),
        [{ userId: user.id, interactionUid: 'interaction-1' }],
      );
      assert.equal(await store.pushEnrollmentTokens.consume('unknown', NOW + 1), undefined);
    });
  });
}

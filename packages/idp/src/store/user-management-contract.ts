import assert from 'node:assert/strict';
import { describe, type TestContext, test } from 'node:test';
import { StoreConflictError } from './errors.ts';
import type { Store } from './store.ts';

const NOW = 1_700_000_000;

/** The store contract for operators' view of users: search, changes, removal, session revocation. */
export function describeUserManagementContract(
  name: string,
  openStore: (t: TestContext) => Promise<Store>,
): void {
  describe(`${name}: userManagement`, () => {
    test('a new user has no roles, is not blocked and has empty metadata', async (t) => {
      const store = await openStore(t);
      const alice = await store.users.create({
        username: 'alice',
        email: 'alice@example.com',
        name: 'Alice',
        passwordHash: 'h',
        now: NOW,
      });
      assert.deepEqual(await store.userManagement.find(alice.id), {
        id: alice.id,
        username: 'alice',
        email: 'alice@example.com',
        emailVerified: false,
        name: 'Alice',
        createdAt: NOW,
        roles: [],
        blocked: false,
        appMetadata: {},
        userMetadata: {},
      });
      assert.equal(await store.userManagement.find('nobody'), undefined);
    });

    test('create writes the user, their metadata and the audit event, or nothing', async (t) => {
      const store = await openStore(t);
      const event = (user: { id: string }) => ({
        time: NOW,
        type: 'admin.user.created',
        outcome: 'success' as const,
        userId: user.id,
        details: {},
      });
      const input = { username: 'carol', passwordHash: 'h', now: NOW, appMetadata: { plan: 'gold' } };
      await assert.rejects(
        store.userManagement.create(input, () => {
          throw new Error('the event could not be built');
        }),
        /could not be built/,
      );
      assert.equal(await store.users.findByLogin('carol'), undefined, 'a failed create leaves nothing');
      const carol = await store.userManagement.create(input, event);
      assert.deepEqual(
        [carol.username, carol.appMetadata, carol.userMetadata],
        ['carol', { plan: 'gold' }, {}],
      );
      assert.deepEqual(await store.userManagement.find(carol.id), carol);
      const [written] = (await store.auditEvents.query({ type: 'admin.user.created' }, { limit: 5 })).events;
      assert.equal(written?.userId, carol.id);
      await assert.rejects(
        store.userManagement.create({ ...input, username: 'CAROL' }, event),
        StoreConflictError,
      );
      assert.equal((await store.auditEvents.query({}, { limit: 5 })).events.length, 1);
    });

    test('update changes only what is given; a taken email is a conflict and changes nothing', async (t) => {
      const store = await openStore(t);
      const alice = await store.users.create({ username: 'alice', passwordHash: 'h', now: NOW });
      await store.users.create({ username: 'bob', email: 'bob@example.com', passwordHash: 'h', now: NOW });
      const changed = await store.userManagement.update(alice.id, {
        roles: ['admin', 'admin'],
        blocked: true,
        appMetadata: { plan: 'gold' },
        email: 'Alice@Example.com',
      });
      assert.deepEqual(changed?.roles, ['admin']);
      assert.equal(changed?.blocked, true);
      assert.deepEqual(changed?.appMetadata, { plan: 'gold' });
      assert.equal(changed?.name, null);
      assert.equal((await store.users.findByLogin('alice@example.com'))?.id, alice.id);
      await assert.rejects(
        store.userManagement.update(alice.id, { email: 'BOB@example.com', name: 'Not applied' }),
        StoreConflictError,
      );
      assert.deepEqual(await store.userManagement.find(alice.id), changed);
      assert.equal(await store.userManagement.update('nobody', { blocked: true }), undefined);
    });

    test('search matches username, email or name case-insensitively and pages by username', async (t) => {
      const store = await openStore(t);
      for (const username of ['dave', 'Carol', 'bob', 'alice']) {
        await store.users.create({ username, passwordHash: 'h', now: NOW });
      }
      await store.users.create({ username: 'erin', name: 'Erin Carolsson', passwordHash: 'h', now: NOW });
      const first = await store.userManagement.search(undefined, { limit: 2 });
      assert.deepEqual(
        first.users.map((user) => user.username),
        ['alice', 'bob'],
      );
      const second = await store.userManagement.search(undefined, {
        limit: 10,
        cursor: first.nextCursor ?? '',
      });
      assert.deepEqual(
        second.users.map((user) => user.username),
        ['Carol', 'dave', 'erin'],
      );
      assert.equal(second.nextCursor, null);
      const carol = await store.userManagement.search('CAROL', { limit: 10 });
      assert.deepEqual(
        carol.users.map((user) => user.username),
        ['Carol', 'erin'],
      );
    });

    test('remove deletes the user, their factors and sessions, and appends the event, in one transaction', async (t) => {
      const store = await openStore(t);
      const alice = await store.users.create({ username: 'alice', passwordHash: 'h', now: NOW });
      await store.factors.add({ userId: alice.id, type: 'totp', name: 'phone', secret: 's', now: NOW });
      const sessions = new store.oidcAdapter('Session');
      await sessions.upsert('s-alice', { accountId: alice.id, uid: 'u1' }, 600);
      const deleted = {
        time: NOW,
        type: 'admin.user.deleted',
        outcome: 'success' as const,
        userId: alice.id,
        details: {},
      };
      assert.equal(await store.userManagement.remove(alice.id, deleted), true);
      assert.equal(await store.userManagement.remove(alice.id, deleted), false);
      assert.equal(await store.users.findById(alice.id), undefined);
      assert.deepEqual(await store.factors.listForUser(alice.id), []);
      assert.equal(await sessions.find('s-alice'), undefined);
      const events = (await store.auditEvents.query({ type: 'admin.user.deleted' }, { limit: 5 })).events;
      assert.equal(events.length, 1, 'no event for a user that was not there');
    });

    test('setPassword replaces the hash and appends the event in one transaction', async (t) => {
      const store = await openStore(t);
      const alice = await store.users.create({ username: 'alice', passwordHash: 'old', now: NOW });
      const reset = {
        time: NOW,
        type: 'admin.user.password_reset',
        outcome: 'success' as const,
        userId: alice.id,
        details: {},
      };
      await assert.rejects(
        store.userManagement.setPassword(alice.id, 'new', { ...reset, details: cyclic() }),
      );
      assert.equal((await store.users.findById(alice.id))?.passwordHash, 'old', 'no event, no change');
      assert.equal(await store.userManagement.setPassword(alice.id, 'new', reset), true);
      assert.equal((await store.users.findById(alice.id))?.passwordHash, 'new');
      assert.equal(await store.userManagement.setPassword('nobody', 'new', reset), false);
      const events = (await store.auditEvents.query({ type: 'admin.user.password_reset' }, { limit: 5 }))
        .events;
      assert.deepEqual(
        events.map((event) => event.userId),
        [alice.id],
        'no event for a user that was not there',
      );
    });

    test('revokeSessions appends the event it is given, with the count, or revokes nothing', async (t) => {
      const store = await openStore(t);
      const sessions = new store.oidcAdapter('Session');
      await sessions.upsert('s-alice', { accountId: 'alice', uid: 'u1' }, 600);
      const revokedEvent = (revoked: number) => ({
        time: NOW,
        type: 'admin.user.sessions_revoked',
        outcome: 'success' as const,
        userId: 'alice',
        details: { revoked },
      });
      await assert.rejects(
        store.userManagement.revokeSessions('alice', (revoked) => ({
          ...revokedEvent(revoked),
          details: cyclic(),
        })),
      );
      assert.equal((await sessions.find('s-alice'))?.accountId, 'alice', 'no event, no revocation');
      assert.equal(await store.userManagement.revokeSessions('alice', revokedEvent), 1);
      assert.equal(await sessions.find('s-alice'), undefined);
      const events = (await store.auditEvents.query({ type: 'admin.user.sessions_revoked' }, { limit: 5 }))
        .events;
      assert.deepEqual(
        events.map((event) => event.details),
        [{ revoked: 1 }],
      );
    });

    test("revokeSessions ends the user's sessions and grants and leaves others' alone", async (t) => {
      const store = await openStore(t);
      const sessions = new store.oidcAdapter('Session');
      const refresh = new store.oidcAdapter('RefreshToken');
      await sessions.upsert('s-alice', { accountId: 'alice', uid: 'u1' }, 600);
      await refresh.upsert('r-alice', { accountId: 'alice', grantId: 'g1' }, 600);
      await sessions.upsert('s-bob', { accountId: 'bob', uid: 'u2' }, 600);
      await store.authSessions.save({ sessionUid: 'u1', accountId: 'alice', methods: [] }, NOW + 600);
      assert.equal(await store.userManagement.revokeSessions('alice'), 3);
      assert.equal(await sessions.find('s-alice'), undefined);
      assert.equal(await refresh.find('r-alice'), undefined);
      assert.equal(await store.authSessions.find('u1', NOW), undefined);
      assert.equal((await sessions.find('s-bob'))?.accountId, 'bob');
    });

    test('changeOwnPassword keeps the one session, ends the others with their tokens, in one audited change', async (t) => {
      const store = await openStore(t);
      const user = await store.users.create({ username: 'carol', passwordHash: 'old-hash', now: NOW });
      const sessions = new store.oidcAdapter('Session');
      const refresh = new store.oidcAdapter('RefreshToken');
      const grants = new store.oidcAdapter('Grant');
      await sessions.upsert('s-keep', { accountId: user.id, uid: 'u-keep' }, 600);
      await sessions.upsert('s-other', { accountId: user.id, uid: 'u-other' }, 600);
      await refresh.upsert('r-keep', { accountId: user.id, sessionUid: 'u-keep', grantId: 'g1' }, 600);
      await refresh.upsert('r-other', { accountId: user.id, sessionUid: 'u-other', grantId: 'g2' }, 600);
      await grants.upsert('g1', { accountId: user.id, clientId: 'app' }, 600);
      await store.authSessions.save({ sessionUid: 'u-keep', accountId: user.id, methods: [] }, NOW + 600);
      await store.authSessions.save({ sessionUid: 'u-other', accountId: user.id, methods: [] }, NOW + 600);
      const event = (ended: number) => ({
        time: NOW,
        type: 'password.changed',
        outcome: 'success' as const,
        userId: user.id,
        details: { ended },
      });

      assert.equal(
        await store.userManagement.changeOwnPassword('no-such-user', 'x', { keepSessionUid: null }, event),
        undefined,
      );
      assert.equal(
        await store.userManagement.changeOwnPassword(
          user.id,
          'new-hash',
          { keepSessionUid: 'u-keep' },
          event,
        ),
        3,
      );
      assert.equal((await sessions.find('s-keep'))?.accountId, user.id);
      assert.equal((await refresh.find('r-keep'))?.accountId, user.id);
      assert.equal((await grants.find('g1'))?.accountId, user.id);
      assert.ok(await store.authSessions.find('u-keep', NOW));
      assert.equal(await sessions.find('s-other'), undefined);
      assert.equal(await refresh.find('r-other'), undefined);
      assert.equal(await store.authSessions.find('u-other', NOW), undefined);
      const changed = await store.users.findById(user.id);
      assert.equal(changed?.passwordHash, 'new-hash');
      assert.equal(changed?.rememberedBrowsersEpoch, user.rememberedBrowsersEpoch + 1);
      const events = (await store.auditEvents.query({ type: 'password.changed' }, { limit: 5 })).events;
      assert.deepEqual(
        events.map((each) => [each.userId, each.details]),
        [[user.id, { ended: 3 }]],
      );

      // A reset keeps no session at all.
      assert.equal(
        await store.userManagement.changeOwnPassword(user.id, 'reset-hash', { keepSessionUid: null }, event),
        4,
      );
      assert.equal(await sessions.find('s-keep'), undefined);
    });
  });
}

/** Details an audit event cannot be written with: JSON has no cycles. */
function cyclic(): Record<string, unknown> {
  const details: Record<string, unknown> = {};
  details.self = details;
  return details;
}

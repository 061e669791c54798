import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { verifyPassword } from '../accounts/password-hashing.ts';
import { type ManagementFixture, openManagementFixture } from './testing/management-fixture.ts';

const ALL_USER_SCOPES = [
  'read:users',
  'create:users',
  'update:users',
  'delete:users',
  'update:roles',
  'read:audit',
];

describe('management API /users', () => {
  let f: ManagementFixture;
  let token: string;
  before(async () => {
    f = await openManagementFixture();
    token = await f.machine(ALL_USER_SCOPES, 'user-robot');
  });
  after(() => f.close());

  const users = () => f.idp.stepup.store.userManagement.search(undefined, { limit: 100 });

  test('create, read, search, change, reset the password, revoke sessions and delete', async () => {
    const created = await f.call(token, 'POST', '/users', {
      username: 'dana',
      password: 'correct horse battery',
      email: 'dana@example.com',
      app_metadata: { plan: 'gold' },
    });
    assert.equal(created.status, 201);
    const id = created.body.id as string;
    assert.deepEqual(
      { ...created.body, id: 'x', created_at: 'x' },
      {
        id: 'x',
        username: 'dana',
        name: null,
        email: 'dana@example.com',
        email_verified: false,
        blocked: false,
        roles: [],
        app_metadata: { plan: 'gold' },
        user_metadata: {},
        created_at: 'x',
      },
    );
    assert.deepEqual((await f.call(token, 'GET', `/users/${id}`)).body, created.body);
    const found = await f.call(token, 'GET', '/users?q=DANA@example');
    assert.deepEqual(
      (found.body.items as { id: string }[]).map((user) => user.id),
      [id],
    );

    const changed = await f.call(token, 'PATCH', `/users/${id}`, { name: 'Dana Scully' });
    assert.equal(changed.status, 200);
    assert.deepEqual([changed.body.name, changed.body.roles], ['Dana Scully', []]);
    const unchanged = await f.call(token, 'PUT', `/users/${id}/roles`, { roles: [] });
    assert.deepEqual([unchanged.status, unchanged.body.roles], [200, []]);

    assert.equal(
      (await f.call(token, 'PUT', `/users/${id}/password`, { password: 'a new passphrase' })).status,
      204,
    );
    const hash = (await f.idp.stepup.store.users.findById(id))?.passwordHash;
    assert.equal(await verifyPassword(hash, 'a new passphrase'), true);

    assert.equal((await f.call(token, 'DELETE', `/users/${id}/sessions`)).status, 204);
    const blocked = await f.call(token, 'PATCH', `/users/${id}`, { blocked: true });
    assert.equal(blocked.body.blocked, true);

    const factors = await f.call(token, 'GET', `/users/${id}/factors`);
    assert.deepEqual(factors.body, { items: [], next_cursor: null });

    assert.equal((await f.call(token, 'DELETE', `/users/${id}`)).status, 204);
    assert.equal((await f.call(token, 'GET', `/users/${id}`)).status, 404);

    for (const type of [
      'admin.user.created',
      'admin.user.updated',
      'admin.user.roles_changed',
      'admin.user.password_reset',
      'admin.user.sessions_revoked',
      'admin.user.blocked',
      'admin.user.deleted',
    ]) {
      const events = await f.audit(type);
      assert.equal(events.length, 1, type);
      assert.equal(events[0]?.outcome, 'success');
      assert.equal(events[0]?.userId, id);
      assert.deepEqual(events[0]?.actor, { type: 'client', id: 'user-robot' });
    }
    const history = await f.call(token, 'GET', `/users/${id}/events`);
    assert.equal(history.status, 404, 'a deleted user has no page of events');
    assert.ok(
      !JSON.stringify(await f.audit('admin.user.*')).includes('correct horse'),
      'no password in the log',
    );
  });

  test("a factor of the user is listed and removed; another user's factor is 404", async () => {
    const owner = await f.person('owner', false);
    const other = await f.person('other', false);
    const [otherFactor] = await f.idp.stepup.store.factors.listForUser(other);
    const listed = await f.call(token, 'GET', `/users/${owner}/factors`);
    const items = listed.body.items as { id: string; type: string }[];
    assert.deepEqual(
      items.map((item) => item.type),
      ['totp'],
    );
    const foreign = await f.call(token, 'DELETE', `/users/${owner}/factors/totp:${otherFactor?.id}`);
    assert.deepEqual([foreign.status, foreign.body.error?.code], [404, 'not_found']);
    assert.equal((await f.idp.stepup.store.factors.listForUser(other)).length, 1);
    assert.equal((await f.call(token, 'DELETE', `/users/${owner}/factors/${items[0]?.id}`)).status, 204);
    assert.deepEqual(await f.idp.stepup.store.factors.listForUser(owner), []);
    assert.equal((await f.audit('admin.user.factor_removed')).length, 1);
  });

  test('refusals change nothing: missing scope, invalid body, unknown id, taken username', async () => {
    const before = await users();
    const passwordResetsBefore = (await f.audit('admin.user.password_reset')).length;
    const readOnly = await f.machine(['read:users']);
    const noScope = await f.call(readOnly, 'POST', '/users', { username: 'eve', password: 'long enough 1' });
    assert.deepEqual([noScope.status, noScope.body.error?.code], [403, 'missing_scope']);
    assert.equal(noScope.body.error?.details.scope, 'create:users');

    // NIST SP 800-63B-4 password rules, each named so a program can tell the person which one.
    for (const [password, reason] of [
      ['short', 'password_too_short'],
      ['password', 'password_too_common'],
      ['12345678', 'password_too_common'],
      ['Eve.Example', 'password_matches_account'],
    ] as const) {
      const refused = await f.call(token, 'POST', '/users', { username: 'eve.example', password });
      assert.deepEqual(
        [
          refused.status,
          refused.body.error?.code,
          refused.body.error?.details.field,
          refused.body.error?.details.reason,
        ],
        [400, 'password_rejected', 'password', reason],
        password,
      );
    }
    const someone = before.users[0]?.id ?? '';
    const weakReset = await f.call(token, 'PUT', `/users/${someone}/password`, { password: 'qwertyuiop' });
    assert.deepEqual([weakReset.status, weakReset.body.error?.details.reason], [400, 'password_too_common']);
    assert.equal((await f.audit('admin.user.password_reset')).length, passwordResetsBefore);
    const badEmail = await f.call(token, 'POST', '/users', {
      username: 'eve',
      password: 'long enough 1',
      email: 'not-an-email',
    });
    assert.equal(badEmail.body.error?.details.field, 'email');
    const unknownField = await f.call(token, 'POST', '/users', {
      username: 'eve',
      password: 'long enough 1',
      is_admin: true,
    });
    assert.deepEqual([unknownField.status, unknownField.body.error?.code], [400, 'invalid_body']);
    const badRole = await f.call(token, 'PUT', `/users/${before.users[0]?.id}/roles`, { roles: ['root'] });
    assert.equal(badRole.body.error?.details.field, 'roles.0');
    const notJson = await fetch(`${f.idp.issuer}/api/v1/users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{"username":',
    });
    assert.equal(notJson.status, 400);

    const unknownId = '00000000-0000-4000-8000-000000000000';
    for (const [method, path, body] of [
      ['GET', `/users/${unknownId}`],
      ['PATCH', `/users/${unknownId}`, { name: 'x' }],
      ['DELETE', `/users/${unknownId}`],
      ['PUT', `/users/${unknownId}/password`, { password: 'long enough 1' }],
      ['PUT', `/users/${unknownId}/roles`, { roles: [] }],
      ['GET', `/users/${unknownId}/factors`],
      ['DELETE', `/users/${unknownId}/sessions`],
    ] as const) {
      const response = await f.call(token, method, path, body);
      assert.deepEqual([response.status, response.body.error?.code], [404, 'not_found'], `${method} ${path}`);
    }

    await f.call(token, 'POST', '/users', { username: 'taken', password: 'long enough 1' });
    const taken = await f.call(token, 'POST', '/users', { username: 'TAKEN', password: 'long enough 2' });
    assert.deepEqual([taken.status, taken.body.error?.code], [409, 'conflict']);
    const after = await users();
    assert.deepEqual(
      after.users.map((user) => user.username).filter((name) => name !== 'taken'),
      before.users.map((user) => user.username),
    );
  });
});

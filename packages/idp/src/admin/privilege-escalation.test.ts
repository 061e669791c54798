import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { MANAGEMENT_SCOPES, managementApiIdentifier } from './management-api-identity.ts';
import { type ManagementFixture, openManagementFixture } from './testing/management-fixture.ts';

/**
 * Audit finding 1: one narrow scope led to all of them. A caller grants only scopes it holds, roles
 * need `update:roles`, and a caller acts on a client or a person only when it holds every management
 * scope they hold.
 */
describe('management API privilege escalation', () => {
  let f: ManagementFixture;
  let api: string;
  before(async () => {
    f = await openManagementFixture();
    api = managementApiIdentifier(f.idp.issuer);
  });
  after(() => f.close());

  test('update:clients alone cannot widen its own registration', async () => {
    const token = await f.machine(['update:clients'], 'narrow-robot');
    const patched = await f.call(token, 'PATCH', '/clients/narrow-robot', { scopes: [...MANAGEMENT_SCOPES] });
    assert.deepEqual([patched.status, patched.body.error?.code], [400, 'invalid_body']);
    const granted = await f.call(token, 'PUT', '/clients/narrow-robot/scopes', {
      resource: api,
      scopes: [...MANAGEMENT_SCOPES],
    });
    assert.deepEqual([granted.status, granted.body.error?.code], [403, 'missing_scope']);
    const fresh = await f.machine(['update:clients'], 'narrow-robot');
    const rotated = await f.call(fresh, 'POST', '/keys/rotate');
    assert.deepEqual([rotated.status, rotated.body.error?.code], [403, 'missing_scope']);
  });

  test('update:client_grants grants only scopes the caller holds, to itself or any client', async () => {
    const token = await f.machine(['update:client_grants', 'read:users'], 'grant-robot');
    const self = await f.call(token, 'PUT', '/clients/grant-robot/scopes', {
      resource: api,
      scopes: ['update:client_grants', 'read:users', 'update:keys'],
    });
    assert.deepEqual([self.status, self.body.error?.code], [403, 'scope_not_held']);
    assert.deepEqual(self.body.error?.details, { scopes: ['update:keys'] });
    await f.machine(['read:audit'], 'other-robot');
    const other = await f.call(token, 'PUT', '/clients/other-robot/scopes', {
      resource: api,
      scopes: ['read:users'],
    });
    assert.deepEqual([other.status, other.body.error?.code], [403, 'scope_not_held'], 'removing read:audit');
    await f.machine(['read:users'], 'reader-robot');
    const narrowed = await f.call(token, 'PUT', '/clients/reader-robot/scopes', {
      resource: api,
      scopes: [],
    });
    assert.equal(narrowed.status, 200);
    assert.deepEqual(narrowed.body.scopes, {});
  });

  test('a client cannot take over a more privileged client by rotating its secret or moving its redirects', async () => {
    const token = await f.machine(['update:clients', 'read:clients'], 'clients-robot');
    await f.machine([...MANAGEMENT_SCOPES], 'root-robot');
    const rotated = await f.call(token, 'POST', '/clients/root-robot/secret', { grace_seconds: 0 });
    assert.deepEqual([rotated.status, rotated.body.error?.code], [403, 'scope_not_held']);
    const patched = await f.call(token, 'PATCH', '/clients/root-robot', { client_name: 'mine now' });
    assert.deepEqual([patched.status, patched.body.error?.code], [403, 'scope_not_held']);
    await f.machine(['read:clients'], 'peer-robot');
    const peer = await f.call(token, 'PATCH', '/clients/peer-robot', { client_name: 'renamed' });
    assert.equal(peer.status, 200);
  });

  test('create:users alone cannot create an operator', async () => {
    const token = await f.machine(['create:users'], 'signup-robot');
    const created = await f.call(token, 'POST', '/users', {
      username: 'mallory',
      password: 'mallory passphrase',
      roles: ['admin'],
    });
    assert.deepEqual([created.status, created.body.error?.code], [400, 'invalid_body']);
    const plain = await f.call(token, 'POST', '/users', {
      username: 'mallory',
      password: 'mallory passphrase',
    });
    assert.equal(plain.status, 201);
    const promoted = await f.call(token, 'PUT', `/users/${plain.body.id}/roles`, { roles: ['admin'] });
    assert.deepEqual([promoted.status, promoted.body.error?.code], [403, 'missing_scope']);
  });

  test('update:roles grants the admin role only to a caller holding every management scope', async () => {
    const id = await f.person('trudy', false);
    const partial = await f.machine(['update:roles'], 'roles-robot');
    const refused = await f.call(partial, 'PUT', `/users/${id}/roles`, { roles: ['admin'] });
    assert.deepEqual([refused.status, refused.body.error?.code], [403, 'scope_not_held']);
    const root = await f.machine([...MANAGEMENT_SCOPES], 'root-robot');
    const granted = await f.call(root, 'PUT', `/users/${id}/roles`, { roles: ['admin'] });
    assert.equal(granted.status, 200);
    assert.deepEqual(granted.body.roles, ['admin']);
    assert.equal((await f.audit('admin.user.roles_changed')).length, 1);
  });

  test("update:users cannot take over an operator's account", async () => {
    const operator = await f.person('olga', true);
    const token = await f.machine(['update:users', 'read:users', 'delete:users'], 'helpdesk-robot');
    const password = await f.call(token, 'PUT', `/users/${operator}/password`, {
      password: 'taken over now',
    });
    assert.deepEqual([password.status, password.body.error?.code], [403, 'scope_not_held']);
    const factors = (await f.call(token, 'GET', `/users/${operator}/factors`)).body.items as { id: string }[];
    const factor = factors[0]?.id ?? '';
    const removed = await f.call(token, 'DELETE', `/users/${operator}/factors/${factor}`);
    assert.deepEqual([removed.status, removed.body.error?.code], [403, 'scope_not_held']);
    const email = await f.call(token, 'PATCH', `/users/${operator}`, { email: 'mallory@example.com' });
    assert.deepEqual([email.status, email.body.error?.code], [403, 'scope_not_held']);
    const sessions = await f.call(token, 'DELETE', `/users/${operator}/sessions`);
    assert.deepEqual([sessions.status, sessions.body.error?.code], [403, 'scope_not_held']);
    assert.equal((await f.audit('admin.user.sessions_revoked')).length, 0);
    // Lifting an operator's lock would give whoever is guessing their password more tries.
    const lock = await f.call(token, 'DELETE', `/users/${operator}/sign-in-lock`);
    assert.deepEqual([lock.status, lock.body.error?.code], [403, 'scope_not_held']);
    assert.equal((await f.audit('admin.user.sign_in_lock_cleared')).length, 0);
    const person = await f.person('pat', false);
    const reset = await f.call(token, 'PUT', `/users/${person}/password`, { password: 'a fresh passphrase' });
    assert.equal(reset.status, 204);
    const unlocked = await f.call(token, 'DELETE', `/users/${person}/sign-in-lock`);
    assert.equal(unlocked.status, 204);
    assert.equal((await f.audit('admin.user.sign_in_lock_cleared')).length, 1);
  });
});

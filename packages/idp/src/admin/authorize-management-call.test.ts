import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ACR_MULTI_FACTOR, parseBearerChallenges } from '@stepup/core';
import { managementApiIdentifier } from './management-api-identity.ts';
import {
  FRESH_AUTH_SECONDS,
  type ManagementFixture,
  openManagementFixture,
} from './testing/management-fixture.ts';

describe('management API authorization', () => {
  let f: ManagementFixture;
  let victimId: string;
  before(async () => {
    f = await openManagementFixture();
    await f.person('olivia', true);
    await f.person('nadia', false);
    victimId = await f.person('victim', false);
  });
  after(() => f.close());

  test('no token or a malformed token is 401 invalid_token; a token of another audience is 403 wrong_audience', async () => {
    const anonymous = await fetch(`${f.idp.issuer}/api/v1/users`);
    assert.equal(anonymous.status, 401);
    assert.equal(((await anonymous.json()) as { error: { code: string } }).error.code, 'invalid_token');
    assert.match(anonymous.headers.get('www-authenticate') ?? '', /^Bearer /);
    const garbage = await f.call('not.a.token', 'GET', '/users');
    assert.deepEqual([garbage.status, garbage.body.error?.code], [401, 'invalid_token']);
    // A token for another API of this provider, signed with the same keys: wrong audience.
    await f.idp.stepup.store.resourceServers.upsert({
      identifier: 'https://payroll.example/api',
      scopes: ['read:users'],
      accessTokenTtl: 300,
      signingAlg: 'RS256',
    });
    const secret = 'payroll-robot-secret-0123456789abcdef';
    await f.idp.addClient({
      client_id: 'payroll-robot',
      client_secret: secret,
      grant_types: ['client_credentials'],
      redirect_uris: [],
      response_types: [],
    });
    const response = await fetch(`${f.idp.issuer}/oauth/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`payroll-robot:${secret}`).toString('base64')}` },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        resource: 'https://payroll.example/api',
        scope: 'read:users',
      }),
    });
    const { access_token: otherAudience } = (await response.json()) as { access_token: string };
    const refused = await f.call(otherAudience, 'GET', '/users');
    assert.deepEqual([refused.status, refused.body.error?.code], [403, 'wrong_audience']);
  });

  test('a client without allowed scopes cannot get a token for the management API', async () => {
    const secret = 'plain-robot-secret-0123456789abcdefgh';
    await f.idp.addClient({
      client_id: 'plain-robot',
      client_secret: secret,
      grant_types: ['client_credentials'],
      redirect_uris: [],
      response_types: [],
    });
    const response = await fetch(`${f.idp.issuer}/oauth/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`plain-robot:${secret}`).toString('base64')}` },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        resource: managementApiIdentifier(f.idp.issuer),
        scope: 'read:users',
      }),
    });
    assert.equal(response.status, 400);
    assert.equal(((await response.json()) as { error: string }).error, 'invalid_target');
  });

  test('a machine client gets only the scopes it is allowed; others are 403 missing_scope', async () => {
    const refused = await f.call(await f.machine(['read:users']), 'DELETE', `/users/${victimId}`);
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error?.code, 'missing_scope');
    assert.equal(refused.body.error?.details.scope, 'delete:users');
    assert.match(
      refused.headers.get('www-authenticate') ?? '',
      /error="insufficient_scope", scope="delete:users"/,
    );
    assert.ok(await f.idp.stepup.store.userManagement.find(victimId), 'nothing was deleted');
  });

  test('a person without the admin role is 403 not_admin, and nothing changes', async () => {
    const token = await f.signIn('nadia');
    const refused = await f.call(token, 'PATCH', `/users/${victimId}`, { name: 'Changed' });
    assert.deepEqual([refused.status, refused.body.error?.code], [403, 'not_admin']);
    assert.equal((await f.idp.stepup.store.userManagement.find(victimId))?.name, null);
  });

  test('an operator signed in with MFA may act; a stale sign-in is refused for privileged changes', async () => {
    const token = await f.signIn('olivia');
    const listed = await f.call(token, 'GET', '/users?q=victim');
    assert.equal(listed.status, 200);
    assert.deepEqual(
      (listed.body.items as { id: string }[]).map((user) => user.id),
      [victimId],
    );

    f.advance(FRESH_AUTH_SECONDS + 1);
    const stale = await f.call(token, 'DELETE', `/users/${victimId}`);
    assert.equal(stale.status, 401);
    assert.equal(stale.body.error?.code, 'insufficient_user_authentication');
    assert.deepEqual(parseBearerChallenges(stale.headers.get('www-authenticate') ?? ''), [
      {
        error: 'insufficient_user_authentication',
        error_description: 'this operation needs a recent sign-in: authenticate again',
        acr_values: ACR_MULTI_FACTOR,
        max_age: FRESH_AUTH_SECONDS,
      },
    ]);
    assert.ok(await f.idp.stepup.store.userManagement.find(victimId), 'nothing was deleted');
    // Reading is not a privileged change: the same token still reads.
    assert.equal((await f.call(token, 'GET', `/users/${victimId}`)).status, 200);

    const fresh = await f.signIn('olivia');
    const deleted = await f.call(fresh, 'DELETE', `/users/${victimId}`);
    assert.equal(deleted.status, 204);
    assert.equal(await f.idp.stepup.store.userManagement.find(victimId), undefined);
    const [event] = await f.audit('admin.user.deleted');
    const oliviaId = (await f.idp.stepup.store.users.findByLogin('olivia'))?.id;
    assert.deepEqual(event?.actor, { type: 'user', id: oliviaId });
    assert.equal(event?.userId, victimId);
  });

  test('a blocked operator is refused', async () => {
    const mallory = await f.person('mallory', true);
    const token = await f.signIn('mallory');
    await f.idp.stepup.store.userManagement.update(mallory, { blocked: true });
    const refused = await f.call(token, 'GET', '/users');
    assert.deepEqual([refused.status, refused.body.error?.code], [403, 'not_admin']);
  });

  test('the OpenAPI document is public and names each route with its scope', async () => {
    const response = await fetch(`${f.idp.issuer}/api/v1/openapi.json`);
    assert.equal(response.status, 200);
    const document = (await response.json()) as {
      openapi: string;
      paths: Record<string, Record<string, { security: { bearer: string[] }[]; requestBody?: unknown }>>;
    };
    assert.equal(document.openapi, '3.1.0');
    assert.deepEqual(document.paths['/users/{id}']?.delete?.security, [{ bearer: ['delete:users'] }]);
    assert.deepEqual(document.paths['/actions/{name}']?.put?.security, [{ bearer: ['update:actions'] }]);
    const createUser = document.paths['/users']?.post?.requestBody as {
      content: { 'application/json': { schema: { required: string[] } } };
    };
    assert.deepEqual(createUser.content['application/json'].schema.required, ['username', 'password']);
  });
});

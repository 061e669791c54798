import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { managementApiIdentifier } from './management-api-identity.ts';
import { type ManagementFixture, openManagementFixture } from './testing/management-fixture.ts';

const ORDERS_API = 'https://orders.example/api';

/** Audit finding 2: scopes granted for one API were honoured on the management API. */
describe('management API scopes are bound to the API they were granted for', () => {
  let f: ManagementFixture;
  let root: string;
  before(async () => {
    f = await openManagementFixture();
    root = await f.machine(['create:clients', 'update:client_grants', 'create:apis']);
    const api = await f.call(root, 'POST', '/apis', { identifier: ORDERS_API, scopes: ['read:users'] });
    assert.equal(api.status, 201);
  });
  after(() => f.close());

  const tokenFor = (clientId: string, secret: string, resource: string, scope: string) =>
    fetch(`${f.idp.issuer}/oauth/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'client_credentials', resource, scope }),
    });

  test('read:users granted for the orders API is not read:users on the management API', async () => {
    const created = await f.call(root, 'POST', '/clients', {
      client_id: 'orders-robot',
      grant_types: ['client_credentials'],
    });
    assert.equal(created.status, 201);
    const secret = created.body.client_secret as string;
    const granted = await f.call(root, 'PUT', '/clients/orders-robot/scopes', {
      resource: ORDERS_API,
      scopes: ['read:users'],
    });
    assert.equal(granted.status, 200);
    assert.deepEqual(granted.body.scopes, { [ORDERS_API]: ['read:users'] });

    const management = await tokenFor(
      'orders-robot',
      secret,
      managementApiIdentifier(f.idp.issuer),
      'read:users',
    );
    assert.deepEqual(
      [management.status, ((await management.json()) as { error: string }).error],
      [400, 'invalid_target'],
    );
    const orders = await tokenFor('orders-robot', secret, ORDERS_API, 'read:users');
    const body = (await orders.json()) as { access_token: string; scope: string };
    assert.equal(body.scope, 'read:users');
    const refused = await f.call(body.access_token, 'GET', '/users');
    assert.deepEqual([refused.status, refused.body.error?.code], [403, 'wrong_audience']);
  });

  test('a grant names a registered API and only its scopes', async () => {
    const unknown = await f.call(root, 'PUT', '/clients/orders-robot/scopes', {
      resource: 'https://nowhere.example/api',
      scopes: ['read:users'],
    });
    assert.deepEqual([unknown.status, unknown.body.error?.code], [400, 'invalid_body']);
    const foreign = await f.call(root, 'PUT', '/clients/orders-robot/scopes', {
      resource: ORDERS_API,
      scopes: ['delete:users'],
    });
    assert.deepEqual([foreign.status, foreign.body.error?.code], [400, 'invalid_body']);
  });
});

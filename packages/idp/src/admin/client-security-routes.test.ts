import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { TEST_REDIRECT_URI } from '../testing/test-provider.ts';
import { expectCallback, expectPage, TestRelyingParty } from '../testing/test-relying-party.ts';
import { type ManagementFixture, openManagementFixture } from './testing/management-fixture.ts';

// The management API's per-client request security: PAR, signed request objects, DPoP, keys for
// private_key_jwt, and the fapi2 profile (README "PAR, request objects and DPoP").
describe('management API /clients: request security settings', () => {
  let f: ManagementFixture;
  let token: string;
  let publicJwk: JWK;
  let privateJwk: JWK;

  before(async () => {
    f = await openManagementFixture();
    token = await f.machine(['read:clients', 'create:clients', 'update:clients'], 'security-robot');
    const pair = await generateKeyPair('ES256', { extractable: true });
    publicJwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1' };
    privateJwk = { ...(await exportJWK(pair.privateKey)), kid: 'k1' };
  });
  after(() => f.close());

  test('a fapi2 client registered with its public keys: private_key_jwt, no secret, ES256, PAR enforced', async () => {
    const created = await f.call(token, 'POST', '/clients', {
      client_id: 'bank',
      redirect_uris: [TEST_REDIRECT_URI],
      client_profile: 'fapi2',
      jwks: { keys: [publicJwk] },
    });
    assert.equal(created.status, 201);
    assert.equal(created.body.client_secret, undefined);
    const client = created.body.client as Record<string, unknown>;
    assert.equal(client.token_endpoint_auth_method, 'private_key_jwt');
    assert.equal(client.client_profile, 'fapi2');
    assert.equal(client.id_token_signed_response_alg, 'ES256');
    assert.deepEqual(client.jwks, { keys: [publicJwk] });
    const rotation = await f.call(token, 'POST', '/clients/bank/secret', {});
    assert.deepEqual([rotation.status, rotation.body.error?.code], [409, 'conflict']);
    assert.equal((await f.idp.stepup.store.clients.find('bank'))?.client_secret, undefined);
    const rp = await TestRelyingParty.discover(f.idp.issuer, 'bank', {
      token_endpoint_auth_method: 'private_key_jwt',
    });
    const callback = expectCallback(await rp.open(await rp.authorizationUrl()));
    assert.equal(callback.searchParams.get('error'), 'invalid_request');
  });

  test('refused with the field named, and nothing stored: fapi2 without keys, a private key, keys on a public client', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ client_id: 'x1', redirect_uris: [TEST_REDIRECT_URI], client_profile: 'fapi2' }, 'client_profile'],
      [{ client_id: 'x2', redirect_uris: [TEST_REDIRECT_URI], jwks: { keys: [privateJwk] } }, 'jwks.keys.0'],
      [
        { client_id: 'x3', redirect_uris: [TEST_REDIRECT_URI], public: true, jwks: { keys: [publicJwk] } },
        'jwks',
      ],
      [
        {
          client_id: 'x4',
          redirect_uris: [TEST_REDIRECT_URI],
          client_profile: 'fapi2',
          jwks: { keys: [publicJwk] },
          id_token_signed_response_alg: 'HS256',
        },
        'id_token_signed_response_alg',
      ],
      [{ client_id: 'x5', redirect_uris: [TEST_REDIRECT_URI], client_profile: 'gold' }, 'client_profile'],
      [
        { client_id: 'x6', redirect_uris: [TEST_REDIRECT_URI], jwks_uri: 'http://keys.example/jwks' },
        'jwks_uri',
      ],
    ];
    for (const [body, field] of cases) {
      const refused = await f.call(token, 'POST', '/clients', body);
      assert.deepEqual(
        [refused.status, refused.body.error?.code, refused.body.error?.details.field],
        [400, 'invalid_body', field],
        JSON.stringify(body),
      );
      assert.equal(await f.idp.stepup.store.clients.find(String(body.client_id)), undefined);
    }
  });

  test('PATCH require_pushed_authorization_requests: the URL is refused while it is on, accepted again once off', async () => {
    const created = await f.call(token, 'POST', '/clients', {
      client_id: 'payroll',
      redirect_uris: [TEST_REDIRECT_URI],
    });
    const secret = created.body.client_secret as string;
    const rp = await TestRelyingParty.discover(f.idp.issuer, 'payroll', { client_secret: secret });
    expectPage(await rp.open(await rp.authorizationUrl()));

    const on = await f.call(token, 'PATCH', '/clients/payroll', {
      require_pushed_authorization_requests: true,
    });
    assert.equal((on.body as Record<string, unknown>).require_pushed_authorization_requests, true);
    const refused = expectCallback(await rp.inNewBrowser().open(await rp.authorizationUrl()));
    assert.equal(refused.searchParams.get('error'), 'invalid_request');
    expectPage(await rp.inNewBrowser().open(await rp.pushedAuthorizationUrl()));

    await f.call(token, 'PATCH', '/clients/payroll', { require_pushed_authorization_requests: false });
    expectPage(await rp.inNewBrowser().open(await rp.authorizationUrl()));
  });

  test('PATCH dpop_bound_access_tokens is stored and read back; the secret stays', async () => {
    const created = await f.call(token, 'POST', '/clients', {
      client_id: 'hr',
      redirect_uris: [TEST_REDIRECT_URI],
    });
    const changed = await f.call(token, 'PATCH', '/clients/hr', { dpop_bound_access_tokens: true });
    assert.equal((changed.body as Record<string, unknown>).dpop_bound_access_tokens, true);
    assert.equal((await f.idp.stepup.store.clients.find('hr'))?.dpop_bound_access_tokens, true);
    assert.ok(created.body.client_secret);
    assert.equal((changed.body as Record<string, unknown>).token_endpoint_auth_method, 'client_secret_basic');
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ACR_MULTI_FACTOR } from '@stepup/core';
import { decodeProtectedHeader, exportJWK, generateKeyPair, type JWK } from 'jose';
import * as oidc from 'openid-client';
import { CLIENT_ASSERTION_TYPE, signClientAssertion } from '../testing/client-assertion.ts';
import { generateDpopKey } from '../testing/dpop-proof.ts';
import { startTestProvider, TEST_REDIRECT_URI, type TestProvider } from '../testing/test-provider.ts';
import {
  expectCallback,
  expectPage,
  submitPassword,
  TestRelyingParty,
} from '../testing/test-relying-party.ts';
import { PROVIDER_ROUTES } from './provider-routes.ts';

const PASSWORD = 'correct horse battery';
const CLIENT_SECRET = 'fapi-client-secret-0123456789abcdef012';

// FAPI 2.0 Security Profile (final), section 5.3.2, as the fapi2 client profile applies it. openid-client
// (a certified RP) plays the client: PAR + JAR + DPoP + private_key_jwt.
describe('the fapi2 client profile', () => {
  let idp: TestProvider;
  let privateKey: CryptoKey;
  let rsaKey: CryptoKey;
  let jwks: { keys: JWK[] };

  before(async () => {
    // A code lifetime above FAPI's 60 seconds, which fapi2 clients do not get.
    idp = await startTestProvider({ ttl: { authorizationCode: 300 } });
    await idp.addUser('alice', PASSWORD);
    const pair = await generateKeyPair('ES256', { extractable: true });
    const rsa = await generateKeyPair('RS256', { extractable: true });
    privateKey = pair.privateKey;
    rsaKey = rsa.privateKey;
    jwks = {
      keys: [
        { ...(await exportJWK(pair.publicKey)), alg: 'ES256', use: 'sig', kid: 'fapi-es' },
        { ...(await exportJWK(rsa.publicKey)), alg: 'RS256', use: 'sig', kid: 'fapi-rs' },
      ],
    };
    await idp.addClient({
      client_id: 'bank',
      client_profile: 'fapi2',
      token_endpoint_auth_method: 'private_key_jwt',
      jwks,
    });
    await idp.addClient({ client_id: 'standard', client_secret: CLIENT_SECRET });
    await idp.addClient({
      client_id: 'fapi-with-secret',
      client_profile: 'fapi2',
      client_secret: CLIENT_SECRET,
    });
    await idp.addClient({
      client_id: 'fapi-hs256',
      client_profile: 'fapi2',
      token_endpoint_auth_method: 'private_key_jwt',
      jwks,
      id_token_signed_response_alg: 'HS256',
    });
  });
  after(() => idp.close());

  const bank = () =>
    TestRelyingParty.discover(
      idp.issuer,
      'bank',
      {},
      oidc.PrivateKeyJwt({ key: privateKey, kid: 'fapi-es' }),
    );

  async function signInThroughBank(params: Record<string, string> = {}) {
    const rp = await bank();
    const dpop = oidc.getDPoPHandle(rp.config, await generateDpopKey());
    const pending = await rp.signedAuthorizationUrl(params, privateKey, { push: true, dpop });
    const login = expectPage(await rp.open(pending));
    const callback = expectCallback(await submitPassword(rp.browser, login.html, 'alice', PASSWORD));
    return { rp, dpop, pending, callback };
  }

  test('openid-client completes PAR + JAR + DPoP + private_key_jwt: a DPoP-bound token and an ES256 ID token', async () => {
    const { rp, dpop, pending, callback } = await signInThroughBank();
    const tokens = await rp.redeem(callback, pending, pending.verifier, dpop);
    assert.equal(tokens.token_type, 'dpop');
    assert.equal(decodeProtectedHeader(tokens.id_token ?? '').alg, 'ES256');
    assert.equal(tokens.claims()?.aud, 'bank');
  });

  test('step-up pushed by a fapi2 client is challenged like any other', async () => {
    const { rp, dpop, pending, callback } = await signInThroughBank();
    await rp.redeem(callback, pending, pending.verifier, dpop);
    const stepUp = await rp.signedAuthorizationUrl(
      { acr_values: ACR_MULTI_FACTOR, prompt: 'none' },
      privateKey,
      {
        push: true,
        dpop,
      },
    );
    assert.equal(expectCallback(await rp.open(stepUp)).searchParams.get('error'), 'interaction_required');
  });

  test('refresh tokens are not rotated (5.3.2.1): the same one keeps working, bound to the client', async () => {
    const { rp, dpop, pending, callback } = await signInThroughBank({
      scope: 'openid offline_access',
      prompt: 'consent',
    });
    const tokens = await rp.redeem(callback, pending, pending.verifier, dpop);
    const refreshToken = tokens.refresh_token ?? '';
    assert.ok(refreshToken, 'a refresh token was issued');
    const first = await oidc.refreshTokenGrant(rp.config, refreshToken, undefined, { DPoP: dpop });
    assert.equal(first.refresh_token, refreshToken, 'the same refresh token, not a new one');
    assert.equal(first.token_type, 'dpop');
    const second = await oidc.refreshTokenGrant(rp.config, refreshToken, undefined, { DPoP: dpop });
    assert.equal(second.token_type, 'dpop');
  });

  test('iss is in the authorization response (RFC 9207)', async () => {
    const { callback } = await signInThroughBank();
    assert.equal(callback.searchParams.get('iss'), idp.issuer);
  });

  test('authorization codes live 60 seconds for fapi2 clients, the configured 300 for others', async () => {
    const lifetime = async (callback: URL) => {
      const code = await idp.stepup.provider.AuthorizationCode.find(callback.searchParams.get('code') ?? '');
      return (code?.exp ?? 0) - (code?.iat ?? 0);
    };
    assert.equal(await lifetime((await signInThroughBank()).callback), 60);
    const rp = await TestRelyingParty.discover(idp.issuer, 'standard', { client_secret: CLIENT_SECRET });
    const login = expectPage(await rp.open(await rp.authorizationUrl()));
    assert.equal(
      await lifetime(expectCallback(await submitPassword(rp.browser, login.html, 'alice', PASSWORD))),
      300,
    );
  });

  test('PAR required: a request in the URL is refused with invalid_request', async () => {
    const rp = await bank();
    const callback = expectCallback(await rp.open(await rp.authorizationUrl()));
    assert.equal(callback.searchParams.get('error'), 'invalid_request');
  });

  test('PKCE required: a pushed request without code_challenge is refused with invalid_request', async () => {
    const rp = await bank();
    await assert.rejects(
      oidc.buildAuthorizationUrlWithPAR(rp.config, {
        redirect_uri: TEST_REDIRECT_URI,
        scope: 'openid',
        state: oidc.randomState(),
      }),
      (error: oidc.ResponseBodyError) => {
        assert.equal(error.error, 'invalid_request');
        return true;
      },
    );
  });

  test('private_key_jwt only: a client secret is refused with invalid_client', async () => {
    const response = await fetch(new URL(PROVIDER_ROUTES.pushed_authorization_request, idp.issuer), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: 'bank', client_secret: CLIENT_SECRET, response_type: 'code' }),
    });
    assert.equal(response.status, 401);
    assert.equal(((await response.json()) as { error: string }).error, 'invalid_client');
  });

  test('a fapi2 client registered with a client secret is refused as it loads, with invalid_client_metadata', async () => {
    const rp = await TestRelyingParty.discover(idp.issuer, 'fapi-with-secret', {
      client_secret: CLIENT_SECRET,
    });
    await assert.rejects(rp.pushedAuthorizationUrl(), (error: oidc.ResponseBodyError) => {
      assert.equal(error.error, 'invalid_client_metadata');
      return true;
    });
  });

  test('a fapi2 client registered for HS256 ID tokens is refused as it loads, with invalid_client_metadata', async () => {
    const rp = await TestRelyingParty.discover(
      idp.issuer,
      'fapi-hs256',
      {},
      oidc.PrivateKeyJwt({ key: privateKey, kid: 'fapi-es' }),
    );
    await assert.rejects(rp.pushedAuthorizationUrl(), (error: oidc.ResponseBodyError) => {
      assert.equal(error.error, 'invalid_client_metadata');
      return true;
    });
  });

  test('no RS256 (nor HS256) client assertion: one signed RS256 is refused with invalid_client', async () => {
    const push = async (key: CryptoKey, alg: string) => {
      const assertion = await signClientAssertion({
        clientId: 'bank',
        audience: idp.issuer,
        privateKey: key,
        alg,
      });
      const response = await fetch(new URL(PROVIDER_ROUTES.pushed_authorization_request, idp.issuer), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          client_id: 'bank',
          client_assertion_type: CLIENT_ASSERTION_TYPE,
          client_assertion: assertion,
          response_type: 'code',
          scope: 'openid',
          redirect_uri: TEST_REDIRECT_URI,
          code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
          code_challenge_method: 'S256',
        }),
      });
      return [response.status, ((await response.json()) as { error?: string }).error];
    };
    assert.deepEqual(await push(rsaKey, 'RS256'), [401, 'invalid_client']);
    assert.deepEqual(await push(privateKey, 'ES256'), [201, undefined]);
  });

  test('a request object signed RS256 is refused with invalid_request_object', async () => {
    const rp = await bank();
    await assert.rejects(
      rp.signedAuthorizationUrl({}, rsaKey, { push: true }),
      (error: oidc.ResponseBodyError) => {
        assert.equal(error.error, 'invalid_request_object');
        return true;
      },
    );
  });

  test('DPoP required: redeeming the code without a proof is refused with invalid_grant', async () => {
    const { rp, pending, callback } = await signInThroughBank();
    await assert.rejects(rp.redeem(callback, pending), (error: oidc.ResponseBodyError) => {
      assert.equal(error.error, 'invalid_grant');
      return true;
    });
  });
});

describe('requestSecurity.defaultClientProfile: fapi2', () => {
  let idp: TestProvider;

  before(async () => {
    idp = await startTestProvider({ requestSecurity: { defaultClientProfile: 'fapi2' } });
    await idp.addClient({ client_id: 'legacy', client_secret: CLIENT_SECRET });
    await idp.addClient({ client_id: 'opted-out', client_secret: CLIENT_SECRET, client_profile: 'standard' });
  });
  after(() => idp.close());

  test('a client whose registration names no profile is held to fapi2: its secret is refused with invalid_client_metadata', async () => {
    const rp = await TestRelyingParty.discover(idp.issuer, 'legacy', { client_secret: CLIENT_SECRET });
    await assert.rejects(rp.pushedAuthorizationUrl(), (error: oidc.ResponseBodyError) => {
      assert.equal(error.error, 'invalid_client_metadata');
      return true;
    });
  });

  test('a client registered with client_profile "standard" keeps its own rules', async () => {
    const rp = await TestRelyingParty.discover(idp.issuer, 'opted-out', { client_secret: CLIENT_SECRET });
    expectPage(await rp.open(await rp.authorizationUrl()));
  });

  test("the provider's own account page still signs in", async () => {
    const page = await fetch(`${idp.issuer}/account`, { redirect: 'manual' });
    const authorization = await fetch(new URL(page.headers.get('location') ?? '', idp.issuer), {
      redirect: 'manual',
    });
    assert.equal(authorization.status, 303);
    assert.match(authorization.headers.get('location') ?? '', /^\/interaction\//);
  });
});

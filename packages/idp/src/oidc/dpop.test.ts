import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { calculateJwkThumbprint, decodeJwt, exportJWK } from 'jose';
import * as oidc from 'openid-client';
import { ALLOWED_SCOPES_METADATA } from '../admin/management-api-identity.ts';
import { createDpopProof, generateDpopKey } from '../testing/dpop-proof.ts';
import { startTestProvider, type TestProvider } from '../testing/test-provider.ts';
import {
  expectCallback,
  expectPage,
  submitPassword,
  TestRelyingParty,
} from '../testing/test-relying-party.ts';
import { PROVIDER_ROUTES } from './provider-routes.ts';

const CLIENT_SECRET = 'dpop-client-secret-0123456789abcdef012';
const PASSWORD = 'correct horse battery';
const API = 'https://salary-api.example/';

describe('DPoP (RFC 9449): sender-constrained tokens', () => {
  let idp: TestProvider;

  before(async () => {
    idp = await startTestProvider();
    await idp.addUser('alice', PASSWORD);
    await idp.stepup.store.resourceServers.upsert({
      identifier: API,
      scopes: ['read:salary'],
      accessTokenTtl: 300,
      signingAlg: 'ES256',
    });
    await idp.addClient({
      client_id: 'dpop-required',
      client_secret: CLIENT_SECRET,
      dpop_bound_access_tokens: true,
    });
    await idp.addClient({ client_id: 'spa', token_endpoint_auth_method: 'none' });
    await idp.addClient({
      client_id: 'machine',
      client_secret: CLIENT_SECRET,
      token_endpoint_auth_method: 'client_secret_post',
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      [ALLOWED_SCOPES_METADATA]: { [API]: ['read:salary'] },
    });
  });
  after(() => idp.close());

  async function signIn(rp: TestRelyingParty, dpop?: oidc.DPoPHandle, params: Record<string, string> = {}) {
    const pending = await rp.authorizationUrl(params);
    const login = expectPage(await rp.open(pending));
    const callback = expectCallback(await submitPassword(rp.browser, login.html, 'alice', PASSWORD));
    return { callback, pending, tokens: () => rp.redeem(callback, pending, pending.verifier, dpop) };
  }

  test('discovery offers DPoP with ES256', async () => {
    const document = (await (await fetch(`${idp.issuer}/.well-known/openid-configuration`)).json()) as {
      dpop_signing_alg_values_supported: string[];
    };
    assert.ok(document.dpop_signing_alg_values_supported.includes('ES256'));
  });

  test('a proof without the nonce the provider issued is refused with use_dpop_nonce and a DPoP-Nonce', async () => {
    const key = await generateDpopKey();
    const htu = new URL(PROVIDER_ROUTES.token, idp.issuer).href;
    const response = await fetch(htu, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        dpop: await createDpopProof(key, { htm: 'POST', htu }),
      },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: 'machine',
        client_secret: CLIENT_SECRET,
      }),
    });
    assert.equal(response.status, 400);
    assert.equal(((await response.json()) as { error: string }).error, 'use_dpop_nonce');
    assert.match(response.headers.get('dpop-nonce') ?? '', /^[\w-]{20,}$/);
  });

  test('a JWT access token for an API carries cnf.jkt, the thumbprint of the client key', async () => {
    const key = await generateDpopKey();
    const config = await oidc.discovery(
      new URL(idp.issuer),
      'machine',
      { client_secret: CLIENT_SECRET },
      oidc.ClientSecretPost(CLIENT_SECRET),
      { execute: [oidc.allowInsecureRequests] },
    );
    const tokens = await oidc.clientCredentialsGrant(
      config,
      { resource: API, scope: 'read:salary' },
      { DPoP: oidc.getDPoPHandle(config, key) },
    );
    assert.equal(tokens.token_type, 'dpop');
    const claims = decodeJwt(tokens.access_token);
    assert.equal(claims.aud, API);
    assert.deepEqual(claims.cnf, { jkt: await calculateJwkThumbprint(await exportJWK(key.publicKey)) });
  });

  test('a client registered with dpop_bound_access_tokens is refused a code redemption without DPoP, with invalid_grant', async () => {
    const rp = await TestRelyingParty.discover(idp.issuer, 'dpop-required', { client_secret: CLIENT_SECRET });
    const { tokens } = await signIn(rp);
    await assert.rejects(tokens(), (error: oidc.ResponseBodyError) => {
      assert.equal(error.error, 'invalid_grant');
      return true;
    });
  });

  test('a DPoP-bound access token is refused at userinfo as a bearer token, accepted with a proof', async () => {
    const rp = await TestRelyingParty.discover(idp.issuer, 'dpop-required', { client_secret: CLIENT_SECRET });
    const dpop = oidc.getDPoPHandle(rp.config, await generateDpopKey());
    const tokens = await (await signIn(rp, dpop)).tokens();
    assert.equal(tokens.token_type, 'dpop');
    const asBearer = await fetch(new URL(PROVIDER_ROUTES.userinfo, idp.issuer), {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    assert.equal(asBearer.status, 401);
    const sub = tokens.claims()?.sub ?? '';
    const info = await oidc.fetchUserInfo(rp.config, tokens.access_token, sub, { DPoP: dpop });
    assert.equal(info.sub, sub);
    // A proof by another key does not make the token usable.
    const stranger = oidc.getDPoPHandle(rp.config, await generateDpopKey());
    await assert.rejects(oidc.fetchUserInfo(rp.config, tokens.access_token, sub, { DPoP: stranger }));
  });

  test('a code pushed with one DPoP key (dpop_jkt, RFC 9449 10) is refused when redeemed with another: invalid_grant', async () => {
    const rp = await TestRelyingParty.discover(idp.issuer, 'dpop-required', { client_secret: CLIENT_SECRET });
    const pushedWith = oidc.getDPoPHandle(rp.config, await generateDpopKey());
    const stranger = oidc.getDPoPHandle(rp.config, await generateDpopKey());
    const redeem = async (dpop: oidc.DPoPHandle) => {
      const app = rp.inNewBrowser();
      const pending = await app.pushedAuthorizationUrl({}, pushedWith);
      const login = expectPage(await app.open(pending));
      const callback = expectCallback(await submitPassword(app.browser, login.html, 'alice', PASSWORD));
      return app.redeem(callback, pending, pending.verifier, dpop);
    };
    await assert.rejects(redeem(stranger), (error: oidc.ResponseBodyError) => {
      assert.equal(error.error, 'invalid_grant');
      return true;
    });
    assert.equal((await redeem(pushedWith)).token_type, 'dpop');
  });

  test("a public client's refresh token is bound to its DPoP key: another key is refused with invalid_grant", async () => {
    const rp = await TestRelyingParty.discover(
      idp.issuer,
      'spa',
      { token_endpoint_auth_method: 'none' },
      oidc.None(),
    );
    const key = await generateDpopKey();
    const dpop = oidc.getDPoPHandle(rp.config, key);
    const tokens = await (
      await signIn(rp, dpop, { scope: 'openid offline_access', prompt: 'consent' })
    ).tokens();
    const refreshToken = tokens.refresh_token ?? '';
    assert.ok(refreshToken, 'a refresh token was issued');
    const stranger = oidc.getDPoPHandle(rp.config, await generateDpopKey());
    await assert.rejects(
      oidc.refreshTokenGrant(rp.config, refreshToken, undefined, { DPoP: stranger }),
      (error: oidc.ResponseBodyError) => {
        assert.equal(error.error, 'invalid_grant');
        return true;
      },
    );
    const refreshed = await oidc.refreshTokenGrant(rp.config, refreshToken, undefined, { DPoP: dpop });
    assert.equal(refreshed.token_type, 'dpop');
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ACR_MULTI_FACTOR, ACR_ONE_FACTOR } from '@stepup/core';
import * as jose from 'jose';
import * as oidc from 'openid-client';
import { totpCodeAt } from '../factors/totp/totp.ts';
import { getJsonOnFreshConnection } from '../testing/get-json-on-fresh-connection.ts';
import { postTokenRequest } from '../testing/post-token-request.ts';
import { startTestProvider, TEST_REDIRECT_URI, type TestProvider } from '../testing/test-provider.ts';
import {
  expectCallback,
  expectPage,
  submitPassword,
  submitTotp,
  TestRelyingParty,
} from '../testing/test-relying-party.ts';
import { PROVIDER_ROUTES } from './provider-routes.ts';

const PASSWORD = 'correct horse battery';
const CLIENT_SECRET = 'lifecycle-client-secret-0123456789abcdef';
const TOTP_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
// OIDC Core 11: offline_access is honoured only together with prompt=consent.
const OFFLINE = { scope: 'openid offline_access', prompt: 'consent' };
const now = () => Math.floor(Date.now() / 1000);

function isInvalidGrant(error: unknown): boolean {
  assert.ok(error instanceof oidc.ResponseBodyError, `expected a ResponseBodyError, got ${String(error)}`);
  assert.equal(error.error, 'invalid_grant');
  return true;
}

async function signIn(rp: TestRelyingParty, params: Record<string, string> = {}, username = 'alice') {
  const pending = await rp.authorizationUrl(params);
  const login = expectPage(await rp.open(pending));
  const callback = expectCallback(await submitPassword(rp.browser, login.html, username, PASSWORD));
  return { pending, callback };
}

describe('codes, tokens and keys', () => {
  let idp: TestProvider;
  let aliceId: string;

  before(async () => {
    // Strict single use: the reuse interval for retried refreshes is tested in refresh-token-reuse.test.ts.
    idp = await startTestProvider({ refreshTokenReuseIntervalSeconds: 0 });
    aliceId = (await idp.addUser('alice', PASSWORD, { email: 'alice@example.com' })).id;
    await idp.addClient({ client_id: 'app', client_secret: CLIENT_SECRET });
    await idp.addClient({ client_id: 'public-app', token_endpoint_auth_method: 'none' });
  });
  after(() => idp.close());

  let userCount = 0;
  /** A user of their own with TOTP: accepted time steps only move forward, per factor. */
  async function newTotpUser(): Promise<string> {
    userCount += 1;
    const username = `totp-user-${userCount}`;
    await idp.importTotp((await idp.addUser(username, PASSWORD)).id, TOTP_SECRET);
    return username;
  }

  const app = () => TestRelyingParty.discover(idp.issuer, 'app', { client_secret: CLIENT_SECRET });

  const postToken = (body: Record<string, string>) =>
    postTokenRequest(idp.issuer, { client_id: 'app', client_secret: CLIENT_SECRET }, body);

  async function userinfo(accessToken: string) {
    return fetch(new URL(PROVIDER_ROUTES.userinfo, idp.issuer), {
      headers: { authorization: `Bearer ${accessToken}` },
    });
  }

  function redeemBody(callback: URL, verifier: string) {
    return {
      grant_type: 'authorization_code',
      code: callback.searchParams.get('code') ?? '',
      code_verifier: verifier,
      redirect_uri: TEST_REDIRECT_URI,
    };
  }

  test('a wrong PKCE verifier at the token endpoint is invalid_grant', async () => {
    const rp = await app();
    const { pending, callback } = await signIn(rp);
    await assert.rejects(rp.redeem(callback, pending, oidc.randomPKCECodeVerifier()), isInvalidGrant);
  });

  test('a public client must send a code_challenge (RFC 9700 2.1.1)', async () => {
    const rp = await TestRelyingParty.discover(idp.issuer, 'public-app');
    const withPkce = await rp.authorizationUrl();
    assert.match(expectPage(await rp.open(withPkce)).html, /name="password"/);

    const pending = await rp.authorizationUrl();
    pending.url.searchParams.delete('code_challenge');
    pending.url.searchParams.delete('code_challenge_method');
    const callback = expectCallback(await rp.open(pending));
    assert.equal(callback.searchParams.get('error'), 'invalid_request');
    assert.equal(callback.searchParams.get('code'), null);
    assert.equal(callback.searchParams.get('state'), pending.state);
  });

  test('a code redeemed twice is invalid_grant and revokes the tokens of the first redemption', async () => {
    const rp = await app();
    const { pending, callback } = await signIn(rp);
    const tokens = await rp.redeem(callback, pending);
    assert.equal((await userinfo(tokens.access_token)).status, 200);

    const replay = await postToken(redeemBody(callback, pending.verifier));
    assert.equal(replay.status, 400);
    assert.equal(replay.body.error, 'invalid_grant');
    const revoked = await userinfo(tokens.access_token);
    assert.equal(revoked.status, 401);
    assert.match(revoked.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
  });

  test('ten parallel redemptions of one code: exactly one succeeds', async () => {
    const rp = await app();
    const { pending, callback } = await signIn(rp);
    const results = await Promise.all(
      Array.from({ length: 10 }, () => postToken(redeemBody(callback, pending.verifier))),
    );
    assert.equal(results.filter((result) => result.status === 200).length, 1);
    const refused = results.filter((result) => result.status !== 200);
    assert.equal(refused.length, 9);
    for (const result of refused) {
      assert.equal(result.status, 400);
      assert.equal(result.body.error, 'invalid_grant');
    }
  });

  test('a refresh keeps acr, amr and auth_time; a token from before the step-up never upgrades', async () => {
    const username = await newTotpUser();
    const rp = await app();
    const login = await signIn(rp, OFFLINE, username);
    const passwordTokens = await rp.redeem(login.callback, login.pending);
    assert.equal(passwordTokens.claims()?.acr, ACR_ONE_FACTOR);
    const passwordRefresh = passwordTokens.refresh_token;
    assert.ok(passwordRefresh, 'offline_access with prompt=consent gives a refresh token');

    const stepUp = await rp.authorizationUrl({ ...OFFLINE, acr_values: ACR_MULTI_FACTOR });
    const challenge = expectPage(await rp.open(stepUp));
    const code = totpCodeAt(TOTP_SECRET, now());
    const mfaTokens = await rp.redeem(
      expectCallback(await submitTotp(rp.browser, challenge.html, code)),
      stepUp,
    );
    const original = mfaTokens.claims();
    assert.equal(original?.acr, ACR_MULTI_FACTOR);
    assert.deepEqual(original?.amr, ['mfa', 'otp', 'pwd']);
    assert.ok(mfaTokens.refresh_token);

    const refreshed = (await oidc.refreshTokenGrant(rp.config, mfaTokens.refresh_token)).claims();
    assert.equal(refreshed?.acr, ACR_MULTI_FACTOR);
    assert.deepEqual(refreshed?.amr, ['mfa', 'otp', 'pwd']);
    assert.equal(refreshed?.auth_time, original?.auth_time);

    const old = (await oidc.refreshTokenGrant(rp.config, passwordRefresh)).claims();
    assert.equal(old?.acr, ACR_ONE_FACTOR);
    assert.deepEqual(old?.amr, ['pwd']);
    assert.equal(old?.auth_time, passwordTokens.claims()?.auth_time);
  });

  test('with no reuse interval, a rotated refresh token used again is invalid_grant and revokes the newest one too', async () => {
    const rp = await app();
    const login = await signIn(rp, OFFLINE);
    const first = await rp.redeem(login.callback, login.pending);
    assert.ok(first.refresh_token);
    const rotated = await oidc.refreshTokenGrant(rp.config, first.refresh_token);
    assert.ok(rotated.refresh_token);
    assert.notEqual(rotated.refresh_token, first.refresh_token);

    await assert.rejects(oidc.refreshTokenGrant(rp.config, first.refresh_token), isInvalidGrant);
    await assert.rejects(oidc.refreshTokenGrant(rp.config, rotated.refresh_token), isInvalidGrant);
    assert.equal((await userinfo(rotated.access_token)).status, 401);
  });

  test('with no reuse interval, ten parallel refreshes with one refresh token: exactly one succeeds', async () => {
    const rp = await app();
    const login = await signIn(rp, OFFLINE);
    const { refresh_token } = await rp.redeem(login.callback, login.pending);
    assert.ok(refresh_token);
    const results = await Promise.all(
      Array.from({ length: 10 }, () => postToken({ grant_type: 'refresh_token', refresh_token })),
    );
    assert.equal(results.filter((result) => result.status === 200).length, 1);
    for (const result of results.filter((r) => r.status !== 200)) {
      assert.equal(result.status, 400);
      assert.equal(result.body.error, 'invalid_grant');
    }
  });

  test('an HS256 client gets ID tokens MACed with its client secret', async () => {
    const secret = 'hs256-client-secret-that-is-long-enough-0123';
    await idp.addClient({
      client_id: 'hs-app',
      client_secret: secret,
      id_token_signed_response_alg: 'HS256',
    });
    const rp = await TestRelyingParty.discover(idp.issuer, 'hs-app', {
      client_secret: secret,
      id_token_signed_response_alg: 'HS256',
    });
    const { pending, callback } = await signIn(rp);
    const idToken = (await rp.redeem(callback, pending)).id_token ?? '';
    assert.equal(jose.decodeProtectedHeader(idToken).alg, 'HS256');
    const options = { algorithms: ['HS256'], issuer: idp.issuer, audience: 'hs-app' };
    const { payload } = await jose.jwtVerify(idToken, new TextEncoder().encode(secret), options);
    assert.equal(payload.sub, aliceId);
    await assert.rejects(
      jose.jwtVerify(idToken, new TextEncoder().encode(`${secret}-wrong`), options),
      (error: unknown) => error instanceof jose.errors.JWSSignatureVerificationFailed,
    );
  });

  for (const alg of ['ES256', 'EdDSA']) {
    test(`an ${alg} client gets ID tokens that verify against the provider's JWKS`, async () => {
      const clientId = `${alg.toLowerCase()}-app`;
      await idp.addClient({
        client_id: clientId,
        client_secret: CLIENT_SECRET,
        id_token_signed_response_alg: alg,
      });
      const rp = await TestRelyingParty.discover(idp.issuer, clientId, {
        client_secret: CLIENT_SECRET,
        id_token_signed_response_alg: alg,
      });
      const { pending, callback } = await signIn(rp);
      const idToken = (await rp.redeem(callback, pending)).id_token ?? '';
      assert.equal(jose.decodeProtectedHeader(idToken).alg, alg);
      const jwks = jose.createRemoteJWKSet(new URL(PROVIDER_ROUTES.jwks, idp.issuer));
      const { payload } = await jose.jwtVerify(idToken, jwks, {
        algorithms: [alg],
        issuer: idp.issuer,
        audience: clientId,
      });
      assert.equal(payload.sub, aliceId);
    });
  }

  test('the JWKS holds only public keys', async () => {
    const response = await fetch(new URL(PROVIDER_ROUTES.jwks, idp.issuer));
    assert.equal(response.status, 200);
    const { keys } = (await response.json()) as { keys: jose.JWK[] };
    assert.deepEqual(keys.map((key) => key.alg).sort(), ['ES256', 'EdDSA', 'RS256']);
    for (const key of keys) {
      for (const field of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k']) {
        assert.equal(Object.hasOwn(key, field), false, `${key.kid} publishes "${field}"`);
      }
    }
  });

  test('userinfo answers sub and the profile and email claims, without amr', async () => {
    const rp = await app();
    const { pending, callback } = await signIn(rp, { scope: 'openid profile email' });
    const tokens = await rp.redeem(callback, pending);
    const response = await userinfo(tokens.access_token);
    assert.equal(response.status, 200);
    const claims = (await response.json()) as Record<string, unknown>;
    assert.deepEqual(claims, {
      sub: aliceId,
      preferred_username: 'alice',
      email: 'alice@example.com',
      email_verified: true,
    });
    assert.equal(Object.hasOwn(claims, 'amr'), false);
  });
});

describe('signing keys across a restart', () => {
  test('a restart over the same data keeps the key ids, and earlier ID tokens still verify', async () => {
    const first = await startTestProvider();
    let second: TestProvider | undefined;
    try {
      await first.addUser('alice', PASSWORD);
      await first.addClient({ client_id: 'app', client_secret: CLIENT_SECRET });
      const rp = await TestRelyingParty.discover(first.issuer, 'app', { client_secret: CLIENT_SECRET });
      const { pending, callback } = await signIn(rp);
      const idToken = (await rp.redeem(callback, pending)).id_token ?? '';
      // Each request on a fresh connection: a pooled keep-alive socket to the first server, closed by
      // its shutdown, could otherwise be picked for the second server on the same port.
      const jwksOf = (idp: TestProvider) =>
        getJsonOnFreshConnection(new URL(PROVIDER_ROUTES.jwks, idp.issuer));
      const kids = async (idp: TestProvider) =>
        ((await jwksOf(idp)) as jose.JSONWebKeySet).keys.map((key) => key.kid);
      const before = await kids(first);
      await first.close({ removeData: false });

      second = await startTestProvider({ dataDir: first.dataDir, port: Number(new URL(first.issuer).port) });
      assert.equal(second.issuer, first.issuer);
      assert.deepEqual(await kids(second), before);
      const jwks = jose.createLocalJWKSet((await jwksOf(second)) as jose.JSONWebKeySet);
      const { payload } = await jose.jwtVerify(idToken, jwks, {
        algorithms: ['RS256'],
        issuer: second.issuer,
        audience: 'app',
      });
      assert.equal(typeof payload.sub, 'string');
    } finally {
      if (second) await second.close();
      else await first.close();
    }
  });
});

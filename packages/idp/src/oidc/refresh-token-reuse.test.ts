import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ACR_MULTI_FACTOR } from '@stepup/core';
import * as jose from 'jose';
import { totpCodeAt } from '../factors/totp/totp.ts';
import { postTokenRequest, type TokenEndpointAnswer } from '../testing/post-token-request.ts';
import { providerStores } from '../testing/provider-stores.ts';
import { startTestProvider, type TestProvider } from '../testing/test-provider.ts';
import {
  expectCallback,
  expectPage,
  submitPassword,
  submitTotp,
  TestRelyingParty,
} from '../testing/test-relying-party.ts';
import { PROVIDER_ROUTES } from './provider-routes.ts';

const PASSWORD = 'correct horse battery';
const CLIENT_SECRET = 'reuse-client-secret-0123456789abcdef';
const TOTP_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const REUSE_INTERVAL = 10;
// OIDC Core 11: offline_access is honoured only together with prompt=consent.
const OFFLINE = { scope: 'openid offline_access', prompt: 'consent' };

const STORES = await providerStores();

function claimsOf(answer: TokenEndpointAnswer) {
  assert.equal(answer.status, 200, `token endpoint: ${JSON.stringify(answer.body)}`);
  const { acr, amr, auth_time, sub } = jose.decodeJwt(String(answer.body.id_token));
  return { acr, amr, auth_time, sub };
}

for (const store of STORES) {
  describe(`a refresh token retried on ${store.name}`, { skip: store.skip ?? false }, () => {
    let idp: TestProvider;
    /** The provider's clock: the system's, moved forward by the tests instead of sleeping. */
    let offset = 0;
    const clock = () => Math.floor(Date.now() / 1000) + offset;

    before(async () => {
      await store.clear();
      idp = await startTestProvider({
        ...store.settings(),
        clock,
        refreshTokenReuseIntervalSeconds: REUSE_INTERVAL,
      });
      await idp.addClient({ client_id: 'app', client_secret: CLIENT_SECRET });
    });
    after(() => idp?.close());

    const refresh = (refreshToken: string) =>
      postTokenRequest(
        idp.issuer,
        { client_id: 'app', client_secret: CLIENT_SECRET },
        { grant_type: 'refresh_token', refresh_token: refreshToken },
      );
    const userinfo = async (accessToken: unknown) =>
      (
        await fetch(new URL(PROVIDER_ROUTES.userinfo, idp.issuer), {
          headers: { authorization: `Bearer ${String(accessToken)}` },
        })
      ).status;

    let users = 0;
    /** A new user with TOTP, signed in with it (multi-factor): the tokens and their refresh token. */
    async function signInWithTotp() {
      users += 1;
      const username = `reuse-${users}`;
      const user = await idp.addUser(username, PASSWORD);
      await idp.importTotp(user.id, TOTP_SECRET);
      const rp = await TestRelyingParty.discover(idp.issuer, 'app', { client_secret: CLIENT_SECRET });
      const pending = await rp.authorizationUrl({ ...OFFLINE, acr_values: ACR_MULTI_FACTOR });
      const login = expectPage(await rp.open(pending));
      const challenge = expectPage(await submitPassword(rp.browser, login.html, username, PASSWORD));
      const callback = expectCallback(
        await submitTotp(rp.browser, challenge.html, totpCodeAt(TOTP_SECRET, clock())),
      );
      const tokens = await rp.redeem(callback, pending);
      assert.ok(tokens.refresh_token, 'offline_access with prompt=consent gives a refresh token');
      assert.equal(tokens.claims()?.acr, ACR_MULTI_FACTOR);
      return { userId: user.id, refreshToken: tokens.refresh_token, username };
    }

    test('a retry within the interval gets the same claims as the refresh it repeats, and the grant stays', async () => {
      const { refreshToken } = await signInWithTotp();
      const first = await refresh(refreshToken);
      // The answer to `first` was lost; the client retries with the same token.
      const retry = await refresh(refreshToken);
      assert.deepEqual(claimsOf(retry), claimsOf(first));
      assert.deepEqual(claimsOf(retry).amr, ['mfa', 'otp', 'pwd']);
      assert.notEqual(retry.body.refresh_token, first.body.refresh_token);

      // Both new refresh tokens, and every access token, keep working.
      assert.equal(await userinfo(first.body.access_token), 200);
      assert.equal(await userinfo(retry.body.access_token), 200);
      assert.deepEqual(claimsOf(await refresh(String(first.body.refresh_token))), claimsOf(first));
      assert.deepEqual(claimsOf(await refresh(String(retry.body.refresh_token))), claimsOf(first));
    });

    test('100 concurrent retries within the interval all succeed and the grant survives', async () => {
      const { refreshToken } = await signInWithTotp();
      const first = await refresh(refreshToken);
      const expected = claimsOf(first);
      const retries = await Promise.all(Array.from({ length: 100 }, () => refresh(refreshToken)));
      for (const retry of retries) assert.deepEqual(claimsOf(retry), expected);
      assert.equal(new Set(retries.map((retry) => retry.body.refresh_token)).size, 100);
      assert.equal(await userinfo(first.body.access_token), 200);
      assert.deepEqual(claimsOf(await refresh(String(retries[99]?.body.refresh_token))), expected);
    });

    test('a reuse after the interval revokes the grant, the retries’ tokens included, and is audited', async () => {
      const { refreshToken, userId } = await signInWithTotp();
      const first = await refresh(refreshToken);
      const retry = await refresh(refreshToken);
      assert.equal(retry.status, 200);

      offset += REUSE_INTERVAL;
      const late = await refresh(refreshToken);
      assert.equal(late.status, 400);
      assert.equal(late.body.error, 'invalid_grant');
      for (const issued of [first, retry]) {
        assert.equal((await refresh(String(issued.body.refresh_token))).body.error, 'invalid_grant');
        assert.equal(await userinfo(issued.body.access_token), 401);
      }

      await idp.stepup.auditWritesSettled();
      const { events } = await idp.stepup.store.auditEvents.query(
        { type: 'refresh_token.reused', userId },
        { limit: 10 },
      );
      assert.deepEqual(
        events.map(({ type, outcome, clientId, ip }) => ({ type, outcome, clientId, ip })),
        [{ type: 'refresh_token.reused', outcome: 'failure', clientId: 'app', ip: '127.0.0.1' }],
      );
      assert.equal(typeof events[0]?.details.grantId, 'string');
    });

    test('a retry runs the refresh-time Actions: one that now refuses the refresh refuses the retry', async () => {
      const { refreshToken, username } = await signInWithTotp();
      assert.equal((await refresh(refreshToken)).status, 200);
      await idp.deployAction(
        `refuse-${username}`,
        `exports.onExecutePostLogin = async (event, api) => {
          if (event.transaction.protocol === 'oauth2-refresh-token' && event.user.username === '${username}') {
            api.access.deny('refresh refused');
          }
        };`,
      );
      const retry = await refresh(refreshToken);
      assert.equal(retry.status, 400);
      assert.equal(retry.body.error, 'invalid_grant');
    });
  });
}

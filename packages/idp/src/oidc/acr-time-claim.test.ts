import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ACR_MULTI_FACTOR, ACR_ONE_FACTOR, acrTimeClaimName } from '@stepup/core';
import * as jose from 'jose';
import * as oidc from 'openid-client';
import { listPendingChallenges } from '../authenticator/list-pending-challenges.ts';
import { respondToChallenge } from '../authenticator/respond-to-challenge.ts';
import { totpCodeAt } from '../factors/totp/totp.ts';
import { enrollTestDevice, readPushPage } from '../testing/push-login.ts';
import { startTestProvider, type TestProvider } from '../testing/test-provider.ts';
import {
  expectCallback,
  expectPage,
  submitPassword,
  submitTotp,
  TestRelyingParty,
} from '../testing/test-relying-party.ts';

const PASSWORD = 'correct horse battery';
const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const CLIENT_SECRET = 'acr-time-client-secret-0123456789abcdef';
// OIDC Core 11: offline_access is honoured only together with prompt=consent.
const OFFLINE = { scope: 'openid offline_access', prompt: 'consent' };
const MFA_MAX_AGE = 300;
const API = 'https://payroll.example/api';
const now = () => Math.floor(Date.now() / 1000);

describe('the ID token says when the authentication reached its level', () => {
  let idp: TestProvider;
  let claimName: string;
  // The provider's clock: pinned to a past second for each step, the real time otherwise (oidc-provider
  // signs `iat` with the real time, so a pinned time in the past keeps the claim within `iat`).
  let pinned: number | undefined;
  const clock = () => pinned ?? now();
  /** Runs `step` with the provider's clock at `at`. */
  async function at<T>(time: number, step: () => Promise<T>): Promise<T> {
    pinned = time;
    try {
      return await step();
    } finally {
      pinned = undefined;
    }
  }

  before(async () => {
    idp = await startTestProvider({
      clock,
      refreshTokenReuseIntervalSeconds: 0,
      acrLadder: [
        { acr: ACR_ONE_FACTOR, factors: 1 },
        { acr: ACR_MULTI_FACTOR, factors: 2, maxAge: MFA_MAX_AGE },
      ],
    });
    claimName = acrTimeClaimName(idp.issuer);
    await idp.addClient({ client_id: 'salary', client_secret: CLIENT_SECRET });
    await idp.addClient({ client_id: 'forger', client_secret: CLIENT_SECRET });
    await idp.stepup.store.resourceServers.upsert({
      identifier: API,
      scopes: ['payroll:read'],
      accessTokenTtl: 300,
      signingAlg: 'RS256',
    });
    // An Action that tries to set the claim by hand, for the client `forger`.
    await idp.deployAction(
      'forge-acr-time',
      `exports.onExecutePostLogin = async (event, api) => {
        if (event.client.client_id !== 'forger') return;
        api.idToken.setCustomClaim(${JSON.stringify(claimName)}, 1);
        api.idToken.setCustomClaim('https://example.com/ran', true);
        api.accessToken.setCustomClaim(${JSON.stringify(claimName)}, 1);
        api.accessToken.setCustomClaim('https://example.com/ran', true);
      };`,
    );
  });
  after(() => idp.close());

  let userCount = 0;
  /** A user of their own with TOTP: accepted time steps only move forward, per factor. */
  async function newTotpUser(): Promise<string> {
    userCount += 1;
    const username = `acr-time-user-${userCount}`;
    await idp.importTotp((await idp.addUser(username, PASSWORD)).id, SECRET);
    return username;
  }

  /** A password at `passwordAt`, then TOTP at `totpAt` for the MFA acr; the step-up's tokens. */
  async function signInWithTotp(passwordAt: number, totpAt: number, params: Record<string, string> = {}) {
    const username = await newTotpUser();
    const rp = await TestRelyingParty.discover(idp.issuer, 'salary', { client_secret: CLIENT_SECRET });
    const pending = await rp.authorizationUrl({ ...params, acr_values: ACR_MULTI_FACTOR });
    const login = expectPage(await rp.open(pending));
    const challenge = await at(passwordAt, async () =>
      expectPage(await submitPassword(rp.browser, login.html, username, PASSWORD)),
    );
    assert.match(challenge.html, /name="code"/);
    const callback = await at(totpAt, async () =>
      expectCallback(await submitTotp(rp.browser, challenge.html, totpCodeAt(SECRET, totpAt))),
    );
    return { rp, username, tokens: await rp.redeem(callback, pending) };
  }

  test('after a password then TOTP, it is the time of the TOTP code, auth_time the password’s', async () => {
    const base = now() - 100;
    const { tokens } = await signInWithTotp(base, base + 10);
    const claims = tokens.claims();
    assert.equal(claims?.acr, ACR_MULTI_FACTOR);
    assert.equal(claims?.auth_time, base);
    assert.equal(claims?.[claimName], base + 10);
    assert.ok((claims?.[claimName] as number) <= (claims?.iat ?? 0));
  });

  test('after a password then a push approval, it is the time of the approval', async () => {
    const base = now() - 100;
    userCount += 1;
    const user = await idp.addUser(`acr-time-push-${userCount}`, PASSWORD);
    const device = await enrollTestDevice(idp, user.id);
    const rp = await TestRelyingParty.discover(idp.issuer, 'salary', { client_secret: CLIENT_SECRET });
    const pending = await rp.authorizationUrl({ acr_values: ACR_MULTI_FACTOR });
    const login = expectPage(await rp.open(pending));
    const waiting = await at(base, async () =>
      expectPage(await submitPassword(rp.browser, login.html, user.username, PASSWORD)),
    );
    const push = readPushPage(waiting);
    const callback = await at(base + 10, async () => {
      const [challenge] = await listPendingChallenges(device, { now: clock });
      assert.ok(challenge, 'the device has the request');
      await respondToChallenge(
        device,
        challenge.id,
        { decision: 'approve', number: push.number },
        { now: clock },
      );
      return expectCallback(await rp.browser.navigate(push.nextUrl));
    });
    const claims = (await rp.redeem(callback, pending)).claims();
    assert.equal(claims?.acr, ACR_MULTI_FACTOR);
    assert.deepEqual(claims?.amr, ['mfa', 'pwd', 'swk']);
    assert.equal(claims?.auth_time, base);
    assert.equal(claims?.[claimName], base + 10);
  });

  test('a password alone: it equals auth_time', async () => {
    const base = now() - 100;
    const username = await newTotpUser();
    const rp = await TestRelyingParty.discover(idp.issuer, 'salary', { client_secret: CLIENT_SECRET });
    const pending = await rp.authorizationUrl();
    const login = expectPage(await rp.open(pending));
    const callback = await at(base, async () =>
      expectCallback(await submitPassword(rp.browser, login.html, username, PASSWORD)),
    );
    const claims = (await rp.redeem(callback, pending)).claims();
    assert.equal(claims?.acr, ACR_ONE_FACTOR);
    assert.equal(claims?.auth_time, base);
    assert.equal(claims?.[claimName], base);
  });

  test('an Action cannot set it: the ID token has the provider’s value, an access token none', async () => {
    const base = now() - 100;
    const username = await newTotpUser();
    const rp = await TestRelyingParty.discover(idp.issuer, 'forger', { client_secret: CLIENT_SECRET });
    const pending = await rp.authorizationUrl({ resource: API, scope: 'openid payroll:read' });
    const login = expectPage(await rp.open(pending));
    const callback = await at(base, async () =>
      expectCallback(await submitPassword(rp.browser, login.html, username, PASSWORD)),
    );
    const tokens = await rp.redeem(callback, pending);
    const claims = tokens.claims();
    assert.equal(claims?.['https://example.com/ran'], true, 'the Action ran (control)');
    assert.equal(claims?.auth_time, base);
    assert.equal(claims?.[claimName], base);
    // Nor in an API's access token, which carries the Action's other claims.
    const accessToken = jose.decodeJwt(tokens.access_token);
    assert.equal(accessToken['https://example.com/ran'], true);
    assert.equal(Object.hasOwn(accessToken, claimName), false);
  });

  test('silent authentication keeps it; prompt=login resets it to the new password', async () => {
    const base = now() - 100;
    const { rp, username } = await signInWithTotp(base, base + 10);

    const silent = await rp.authorizationUrl({ prompt: 'none', acr_values: ACR_MULTI_FACTOR });
    const silentCallback = await at(base + 20, async () => expectCallback(await rp.open(silent)));
    const silentClaims = (await rp.redeem(silentCallback, silent)).claims();
    assert.equal(silentClaims?.acr, ACR_MULTI_FACTOR);
    assert.equal(silentClaims?.auth_time, base);
    assert.equal(silentClaims?.[claimName], base + 10);

    const again = await rp.authorizationUrl({ prompt: 'login' });
    const login = expectPage(await rp.open(again));
    const callback = await at(base + 30, async () =>
      expectCallback(await submitPassword(rp.browser, login.html, username, PASSWORD)),
    );
    const claims = (await rp.redeem(callback, again)).claims();
    assert.equal(claims?.acr, ACR_ONE_FACTOR);
    assert.deepEqual(claims?.amr, ['pwd']);
    assert.equal(claims?.auth_time, base + 30);
    assert.equal(claims?.[claimName], base + 30);
  });

  test('a refresh keeps it, after a later step-up of the same session too', async () => {
    const base = now() - 100;
    const { rp, tokens } = await signInWithTotp(base, base + 10, OFFLINE);
    assert.ok(tokens.refresh_token, 'offline_access with prompt=consent gives a refresh token');

    // A later TOTP code on the same session: a new login, which the earlier refresh token is not.
    const stepUp = await rp.authorizationUrl({ acr_values: ACR_MULTI_FACTOR, max_age: '0' });
    expectPage(await rp.open(stepUp));

    const refreshed = await at(base + 40, () =>
      oidc.refreshTokenGrant(rp.config, tokens.refresh_token ?? ''),
    );
    assert.equal(refreshed.claims()?.acr, ACR_MULTI_FACTOR);
    assert.equal(refreshed.claims()?.auth_time, base);
    assert.equal(refreshed.claims()?.[claimName], base + 10);
    assert.ok(refreshed.refresh_token);
    const rotated = await oidc.refreshTokenGrant(rp.config, refreshed.refresh_token);
    assert.equal(rotated.claims()?.[claimName], base + 10);
  });

  test('once the MFA level has expired, the one-factor level issued says its own latest proof', async () => {
    const base = now() - MFA_MAX_AGE - 100;
    const { rp } = await signInWithTotp(base, base + 10);
    const silent = await rp.authorizationUrl({ prompt: 'none' });
    const claims = (await rp.redeem(expectCallback(await rp.open(silent)), silent)).claims();
    assert.equal(claims?.acr, ACR_ONE_FACTOR);
    assert.deepEqual(claims?.amr, ['otp', 'pwd']);
    assert.equal(claims?.auth_time, base);
    // Both proofs still count toward this level's amr: the latest is the TOTP code.
    assert.equal(claims?.[claimName], base + 10);
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ACR_MULTI_FACTOR, ACR_ONE_FACTOR, ACR_PHISHING_RESISTANT } from '@stepup/core';
import * as oidc from 'openid-client';
import { listPendingChallenges } from '../authenticator/list-pending-challenges.ts';
import { respondToChallenge } from '../authenticator/respond-to-challenge.ts';
import { totpCodeAt } from '../factors/totp/totp.ts';
import { enrollTestDevice, readPushPage } from '../testing/push-login.ts';
import { SoftwareAuthenticator } from '../testing/software-authenticator.ts';
import { formAction, hiddenField, type TestBrowser } from '../testing/test-browser.ts';
import { startTestProvider, type TestProvider } from '../testing/test-provider.ts';
import {
  expectCallback,
  expectPage,
  type PendingLogin,
  submitPassword,
  submitTotp,
  TestRelyingParty,
} from '../testing/test-relying-party.ts';

const PASSWORD = 'correct horse battery';
const CLIENT_SECRET = 'reauth-client-secret-0123456789abcdef';
const TOTP_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
/** How long before the re-authentication the person signed in and stepped up. */
const EARLIER = 600;

type Navigation = Awaited<ReturnType<TestBrowser['navigate']>>;
type ShownPage = ReturnType<typeof expectPage>;

/** A second factor as the tests drive it: enrolled for a user, proven on the page it shows. */
interface SecondFactorUnderTest {
  name: string;
  /** What a password and this factor add up to on the default ladder. */
  acr: string;
  amr: string[];
  enroll(userId: string): Promise<(rp: TestRelyingParty, page: ShownPage) => Promise<Navigation>>;
}

/**
 * OIDC Core 3.1.2.1: `prompt=login` and `max_age=0` ask for an authentication now. Like Keycloak, no
 * level from an earlier authentication is reused then: only what is proven in this interaction counts
 * for `acr`, `amr` and `auth_time`. With `max_age=N`, only proofs younger than N count.
 *
 * The provider's clock starts {@link EARLIER} seconds behind the relying party's for the first
 * sign-in and step-up, then catches up: openid-client (the RP) measures `auth_time` with its own
 * clock, so a stale `auth_time` is refused by it as by any application.
 */
describe('forced re-authentication re-proves every requested level', () => {
  let idp: TestProvider;
  let offset = 0;
  const clock = () => Math.floor(Date.now() / 1000) + offset;

  before(async () => {
    idp = await startTestProvider({ clock });
    await idp.addClient({ client_id: 'app', client_secret: CLIENT_SECRET });
  });
  after(() => idp.close());

  const FACTORS: SecondFactorUnderTest[] = [
    {
      name: 'TOTP',
      acr: ACR_MULTI_FACTOR,
      amr: ['mfa', 'otp', 'pwd'],
      async enroll(userId) {
        await idp.importTotp(userId, TOTP_SECRET);
        return (rp, page) => submitTotp(rp.browser, page.html, totpCodeAt(TOTP_SECRET, clock()));
      },
    },
    {
      name: 'push',
      acr: ACR_MULTI_FACTOR,
      amr: ['mfa', 'pwd', 'swk'],
      async enroll(userId) {
        const device = await enrollTestDevice(idp, userId);
        return async (rp, page) => {
          const push = readPushPage(page);
          const [challenge] = await listPendingChallenges(device, { now: clock });
          assert.ok(challenge, 'the device has the request');
          await respondToChallenge(
            device,
            challenge.id,
            { decision: 'approve', number: push.number },
            { now: clock },
          );
          return rp.browser.navigate(push.nextUrl);
        };
      },
    },
    {
      name: 'a security key',
      // A password and a security key are phishing resistant: more than the MFA acr asked for.
      acr: ACR_PHISHING_RESISTANT,
      amr: ['hwk', 'mfa', 'pwd'],
      async enroll(userId) {
        const key = new SoftwareAuthenticator();
        await idp.stepup.store.webauthnCredentials.add({
          id: key.credentialId,
          userId,
          publicKey: key.publicKey,
          counter: 0,
          transports: ['usb'],
          aaguid: '00000000-0000-0000-0000-000000000000',
          deviceType: 'singleDevice',
          backedUp: false,
          attachment: 'cross-platform',
          name: 'Key',
          now: clock(),
        });
        return async (rp, page) => {
          const csrf = hiddenField(page.html, 'csrf');
          const action = formAction(page.html, '/webauthn');
          const options = await rp.browser.request(`${action}/options`, { form: { csrf } });
          assert.equal(options.status, 200);
          const { challenge } = (await options.json()) as { challenge: string };
          const response = key.assert({ challenge, origin: idp.issuer, rpId: 'localhost' });
          return rp.browser.navigate(action, { form: { csrf, response: JSON.stringify(response) } });
        };
      },
    },
  ];

  let userCount = 0;

  /**
   * {@link EARLIER} seconds ago: a new person signs in with the password and steps up with the
   * factor. Returns their application and how to prove the factor again.
   */
  async function steppedUpEarlier(factor: SecondFactorUnderTest) {
    offset = -EARLIER;
    userCount += 1;
    const username = `reauth-${userCount}`;
    const user = await idp.addUser(username, PASSWORD);
    const prove = await factor.enroll(user.id);
    const rp = await TestRelyingParty.discover(idp.issuer, 'app', { client_secret: CLIENT_SECRET });
    const startedAt = clock();
    const pending = await rp.authorizationUrl({ acr_values: ACR_MULTI_FACTOR });
    const login = expectPage(await rp.open(pending));
    const factorPage = expectPage(await submitPassword(rp.browser, login.html, username, PASSWORD));
    const tokens = await rp.redeem(expectCallback(await prove(rp, factorPage)), pending);
    assert.equal(tokens.claims()?.acr, factor.acr);
    const authTime = tokens.claims()?.auth_time ?? 0;
    assert.ok(authTime >= startedAt && authTime <= clock());
    return { rp, username, prove };
  }

  /** Opens the request and expects the password page; returns the page after the password. */
  async function reenterPassword(rp: TestRelyingParty, pending: PendingLogin, username: string) {
    const login = expectPage(await rp.open(pending));
    assert.match(login.html, /name="password"/, 'the password is asked again');
    return submitPassword(rp.browser, login.html, username, PASSWORD);
  }

  /** Requests that the earlier sign-in cannot serve: forced, or older than `max_age` allows. */
  const FORCING: { name: string; params: Record<string, string> }[] = [
    { name: 'max_age=0', params: { max_age: '0' } },
    { name: 'prompt=login', params: { prompt: 'login' } },
    { name: `max_age=${EARLIER / 5}`, params: { max_age: String(EARLIER / 5) } },
  ];

  for (const factor of FACTORS) {
    for (const forcing of FORCING) {
      test(`${forcing.name} with the MFA acr after a step-up with ${factor.name} asks the password and ${factor.name} again, and auth_time is the new login`, async () => {
        const { rp, username, prove } = await steppedUpEarlier(factor);
        offset = 0;
        const requestedAt = clock();
        const pending = await rp.authorizationUrl({ acr_values: ACR_MULTI_FACTOR, ...forcing.params });
        const factorPage = expectPage(await reenterPassword(rp, pending, username));
        // openid-client checks auth_time against max_age (with its 30 s tolerance).
        const tokens = await rp.redeem(expectCallback(await prove(rp, factorPage)), pending);
        const claims = tokens.claims();
        assert.equal(claims?.acr, factor.acr);
        assert.deepEqual(claims?.amr, factor.amr);
        assert.ok(
          (claims?.auth_time ?? 0) >= requestedAt,
          `auth_time ${claims?.auth_time} is not before the request (${requestedAt})`,
        );
      });
    }

    test(`max_age shorter than the age of ${factor.name} asks ${factor.name} again, not the younger password`, async () => {
      const { rp, username, prove } = await steppedUpEarlier(factor);
      // A minute ago the person signed in again with the password alone.
      offset = -60;
      const again = await rp.authorizationUrl({ prompt: 'login' });
      const passwordOnly = await rp.redeem(expectCallback(await reenterPassword(rp, again, username)), again);
      assert.deepEqual(passwordOnly.claims()?.amr, ['pwd']);

      offset = 0;
      const pending = await rp.authorizationUrl({ acr_values: ACR_MULTI_FACTOR, max_age: '120' });
      const factorPage = expectPage(await rp.open(pending));
      assert.doesNotMatch(factorPage.html, /name="password"/, 'the password is young enough');
      const tokens = await rp.redeem(expectCallback(await prove(rp, factorPage)), pending);
      const claims = tokens.claims();
      assert.equal(claims?.acr, factor.acr);
      assert.deepEqual(claims?.amr, factor.amr);
      assert.equal(
        claims?.auth_time,
        passwordOnly.claims()?.auth_time,
        'the earliest proof that counts: the password',
      );
    });
  }

  for (const forcing of FORCING) {
    test(`${forcing.name} without acr_values after a step-up gives amr ["pwd"], the one-factor acr and a fresh auth_time`, async () => {
      const [totp] = FACTORS;
      assert.ok(totp);
      const { rp, username } = await steppedUpEarlier(totp);
      offset = 0;
      const requestedAt = clock();
      const pending = await rp.authorizationUrl(forcing.params);
      const tokens = await rp.redeem(expectCallback(await reenterPassword(rp, pending, username)), pending);
      const claims = tokens.claims();
      assert.equal(claims?.acr, ACR_ONE_FACTOR);
      assert.deepEqual(claims?.amr, ['pwd']);
      assert.ok((claims?.auth_time ?? 0) >= requestedAt, `auth_time ${claims?.auth_time} is stale`);
    });
  }

  test('a refresh and a silent authentication after a forced MFA re-authentication keep what it proved', async () => {
    const [totp] = FACTORS;
    assert.ok(totp);
    const { rp, username, prove } = await steppedUpEarlier(totp);
    offset = 0;
    const pending = await rp.authorizationUrl({
      scope: 'openid offline_access',
      prompt: 'login consent',
      acr_values: ACR_MULTI_FACTOR,
    });
    const factorPage = expectPage(await reenterPassword(rp, pending, username));
    const tokens = await rp.redeem(expectCallback(await prove(rp, factorPage)), pending);
    const reauthenticated = tokens.claims();
    assert.deepEqual(reauthenticated?.amr, ['mfa', 'otp', 'pwd']);
    assert.ok(tokens.refresh_token, 'offline_access with prompt=consent gives a refresh token');

    const refreshed = (await oidc.refreshTokenGrant(rp.config, tokens.refresh_token)).claims();
    assert.equal(refreshed?.acr, ACR_MULTI_FACTOR);
    assert.deepEqual(refreshed?.amr, ['mfa', 'otp', 'pwd']);
    assert.equal(refreshed?.auth_time, reauthenticated?.auth_time);

    const silent = await rp.authorizationUrl({ prompt: 'none', acr_values: ACR_MULTI_FACTOR, max_age: '60' });
    const silentClaims = (await rp.redeem(expectCallback(await rp.open(silent)), silent)).claims();
    assert.equal(silentClaims?.acr, ACR_MULTI_FACTOR);
    assert.deepEqual(silentClaims?.amr, ['mfa', 'otp', 'pwd']);
    assert.equal(silentClaims?.auth_time, reauthenticated?.auth_time);
  });
});

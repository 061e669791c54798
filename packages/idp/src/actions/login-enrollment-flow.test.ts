import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ACR_MULTI_FACTOR } from '@stepup/core';
import * as oidc from 'openid-client';
import { credentialsFromKeyFile } from '../authenticator/device-key-file.ts';
import { enrollDevice } from '../authenticator/enroll-device.ts';
import { listPendingChallenges } from '../authenticator/list-pending-challenges.ts';
import { RecoveryCodes } from '../factors/recovery-codes/recovery-codes.ts';
import { totpCodeAt } from '../factors/totp/totp.ts';
import { REFRESH_NEEDS_ENROLLMENT } from '../oidc/refresh-token-actions.ts';
import { recordingLogger } from '../testing/push-login.ts';
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
const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const RP_ID = 'localhost';

/** One rule per client: the enrollment each one asks for, as an operator would write them. */
const ENROLL_ACTION = `exports.onExecutePostLogin = async (event, api) => {
  switch (event.client.client_id) {
    case 'enroll-key':
      api.authentication.enrollWith({ type: 'webauthn-roaming' });
      break;
    case 'enroll-push':
      api.authentication.enrollWith('guardian');
      break;
    case 'enroll-any':
      api.authentication.enrollWithAny([{ type: 'webauthn-roaming' }, { type: 'google-authenticator' }]);
      break;
    case 'enroll-email':
      api.authentication.enrollWith({ type: 'email' });
      break;
    case 'enroll-codes':
      api.authentication.enrollWithAny([{ type: 'recovery-code' }]);
      break;
    case 'enroll-two':
      api.authentication.enrollWith({ type: 'otp' });
      api.authentication.enrollWith({ type: 'push-notification' });
      break;
    case 'enroll-on-refresh':
      if (event.transaction.protocol === 'oauth2-refresh-token') api.authentication.enrollWith('otp');
      break;
  }
};`;

const CLIENTS = [
  'enroll-key',
  'enroll-push',
  'enroll-any',
  'enroll-email',
  'enroll-codes',
  'enroll-two',
  'enroll-on-refresh',
  'plain',
];
const secretOf = (client: string) => `${client}-secret-0123456789abcdefghijkl`;

describe('post-login Actions: enrollWith / enrollWithAny in the login flow', () => {
  let idp: TestProvider;
  let users = 0;
  // TOTP steps are single use: tests that prove TOTP twice move the clock to the next step.
  let offset = 0;
  const clock = () => Math.floor(Date.now() / 1000) + offset;
  const audit = recordingLogger();

  before(async () => {
    idp = await startTestProvider({ clock, logger: audit.logger });
    for (const client of CLIENTS) await idp.addClient({ client_id: client, client_secret: secretOf(client) });
    await idp.deployAction('enrollment-rules', ENROLL_ACTION);
  });
  after(() => idp.close());

  async function newUser(options: { totp?: boolean; recoveryCodes?: boolean } = {}) {
    users += 1;
    const user = await idp.addUser(`enrolling-${users}`, PASSWORD);
    if (options.totp) await idp.importTotp(user.id, SECRET);
    if (options.recoveryCodes)
      await new RecoveryCodes(idp.stepup.store.recoveryCodes).issue(user.id, clock());
    return user;
  }

  const rpFor = (client: string) =>
    TestRelyingParty.discover(idp.issuer, client, { client_secret: secretOf(client) });

  /** Starts a login at `client` and submits the password: the page that comes next, or the callback. */
  async function afterPassword(rp: TestRelyingParty, username: string, params: Record<string, string> = {}) {
    const pending = await rp.authorizationUrl(params);
    const login = expectPage(await rp.open(pending));
    return { pending, next: await submitPassword(rp.browser, login.html, username, PASSWORD) };
  }

  /** The interaction's own path (`/interaction/<uid>`) of a login page. */
  const interactionPath = (page: { url: string }) => new URL(page.url).pathname;

  async function registrationOptions(browser: TestBrowser, path: string, csrf: string) {
    const response = await browser.request(`${path}/webauthn-enrollment/options`, { form: { csrf } });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  /** Answers the enrollment page with a new security key, as the page's script would. */
  async function enrollSecurityKey(browser: TestBrowser, page: { html: string; url: string }) {
    const csrf = hiddenField(page.html, 'csrf');
    const options = await registrationOptions(browser, interactionPath(page), csrf);
    assert.equal(options.status, 200);
    const key = new SoftwareAuthenticator();
    const response = JSON.stringify(
      key.register({ challenge: String(options.body.challenge), origin: idp.issuer, rpId: RP_ID }),
    );
    return browser.navigate(formAction(page.html, '/webauthn-enrollment'), { form: { csrf, response } });
  }

  /** Leaves the page of new recovery codes, if it is the one shown. */
  async function pastRecoveryCodes(
    browser: TestBrowser,
    result: Awaited<ReturnType<TestBrowser['navigate']>>,
  ) {
    if ('left' in result) return result;
    assert.match(result.html, /Save your recovery codes/);
    return browser.navigate(formAction(result.html, '/recovery-codes/continue'), {
      form: { csrf: hiddenField(result.html, 'csrf') },
    });
  }

  const isTotpChallenge = (html: string) => /action="[^"]*\/totp"/.test(html) && /name="code"/.test(html);
  const isKeyEnrollment = (html: string) => /action="[^"]*\/webauthn-enrollment"/.test(html);
  const factorEvents = (userId: string) =>
    audit.events.filter((entry) => entry.userId === userId && entry.event === 'factor.enrolled');

  async function redeem(
    rp: TestRelyingParty,
    result: Awaited<ReturnType<TestBrowser['navigate']>>,
    pending: PendingLogin,
  ) {
    return rp.redeem(expectCallback(result), pending);
  }

  test('a person with TOTP and enrollWith(webauthn-roaming) proves TOTP first, then enrolls the key', async () => {
    const user = await newUser({ totp: true });
    const rp = await rpFor('enroll-key');
    const { pending, next } = await afterPassword(rp, user.username);
    const challenge = expectPage(next);
    assert.ok(isTotpChallenge(challenge.html), 'the existing factor is challenged first');
    assert.ok(!isKeyEnrollment(challenge.html), 'no enrollment before the proof');

    offset += 30;
    const enrollment = expectPage(await submitTotp(rp.browser, challenge.html, totpCodeAt(SECRET, clock())));
    assert.ok(isKeyEnrollment(enrollment.html), 'the enrollment of the key asked for');
    assert.match(enrollment.html, /data-options-url="\/interaction\/[^"]+\/webauthn-enrollment\/options"/);

    // The person had no recovery codes: a first set comes with the new factor.
    const done = await pastRecoveryCodes(rp.browser, await enrollSecurityKey(rp.browser, enrollment));
    const tokens = await redeem(rp, done, pending);
    // What was proven: the password, a TOTP code and the new key (its registration is a proof of possession).
    assert.equal(tokens.claims()?.acr, 'http://schemas.openid.net/pape/policies/2007/06/phishing-resistant');
    assert.deepEqual(tokens.claims()?.amr, ['hwk', 'mfa', 'otp', 'pwd']);
    assert.equal((await idp.stepup.store.webauthnCredentials.listForUser(user.id)).length, 1);
    assert.deepEqual(
      factorEvents(user.id).map((entry) => entry.factor),
      ['security-key'],
    );
  });

  test('a person with TOTP and enrollWith(guardian) proves TOTP, enrolls a push device, and keeps their recovery codes', async () => {
    const user = await newUser({ totp: true, recoveryCodes: true });
    const rp = await rpFor('enroll-push');
    const { pending, next } = await afterPassword(rp, user.username);
    const challenge = expectPage(next);
    assert.ok(isTotpChallenge(challenge.html));
    assert.ok(!/authenticator#enroll=/.test(challenge.html), 'no enrollment link before the proof');

    offset += 30;
    const enrollment = expectPage(await submitTotp(rp.browser, challenge.html, totpCodeAt(SECRET, clock())));
    assert.match(enrollment.html, /Get sign-in requests on your phone/);
    const link = /<a href="(http:\/\/localhost:\d+\/authenticator#enroll=[\w-]+)">/.exec(
      enrollment.html,
    )?.[1];
    assert.ok(link, 'shows the enrollment link');
    const nextUrl = /data-push-next="([^"]+)"/.exec(enrollment.html)?.[1] ?? '';
    const device = await credentialsFromKeyFile(await enrollDevice(link, 'Work phone'));

    // The level was reached with TOTP: the new device is enrolled, not claimed as proven.
    const tokens = await redeem(rp, await rp.browser.navigate(nextUrl), pending);
    assert.equal(tokens.claims()?.acr, ACR_MULTI_FACTOR);
    assert.deepEqual(tokens.claims()?.amr, ['mfa', 'otp', 'pwd']);
    assert.deepEqual(await listPendingChallenges(device), [], 'no push request was needed');
    const devices = await idp.stepup.store.pushDevices.listForUser(user.id);
    assert.deepEqual(
      devices.map((entry) => entry.name),
      ['Work phone'],
    );
    assert.equal(await new RecoveryCodes(idp.stepup.store.recoveryCodes).remaining(user.id), 10);
  });

  test('a person with no second factor goes straight to the enrollment asked for', async () => {
    const user = await newUser();
    const rp = await rpFor('enroll-key');
    const { pending, next } = await afterPassword(rp, user.username);
    const enrollment = expectPage(next);
    // Not the authenticator app the first-use enrollment would offer first: the key the Action named.
    assert.ok(isKeyEnrollment(enrollment.html));
    assert.ok(!/Try another way/i.test(enrollment.html), 'only the factor asked for');
    const done = await pastRecoveryCodes(rp.browser, await enrollSecurityKey(rp.browser, enrollment));
    const tokens = await redeem(rp, done, pending);
    assert.equal(tokens.claims()?.acr, 'http://schemas.openid.net/pape/policies/2007/06/phishing-resistant');
    assert.deepEqual(tokens.claims()?.amr, ['hwk', 'mfa', 'pwd']);
    assert.equal(await new RecoveryCodes(idp.stepup.store.recoveryCodes).remaining(user.id), 10);
  });

  test('enrollWithAny offers the factors in the order named; the other one is under "try another way"', async () => {
    const user = await newUser();
    const rp = await rpFor('enroll-any');
    const { pending, next } = await afterPassword(rp, user.username);
    const first = expectPage(next);
    assert.ok(isKeyEnrollment(first.html), 'the first factor named is shown first');
    assert.match(first.html, /Try another way/);
    const csrf = hiddenField(first.html, 'csrf');
    const totpPage = expectPage(
      await rp.browser.navigate(formAction(first.html, '/choose'), { form: { csrf, method: 'totp' } }),
    );
    assert.match(totpPage.html, /data:image\/png;base64,/, 'the authenticator app enrollment');
    const shownSecret = (
      /<code class="secret">([A-Z2-7 ]+)<\/code>/.exec(totpPage.html)?.[1] ?? ''
    ).replaceAll(' ', '');
    assert.ok(shownSecret, 'the TOTP secret is shown');
    const done = await pastRecoveryCodes(
      rp.browser,
      await rp.browser.navigate(formAction(totpPage.html, '/totp-enrollment'), {
        form: { csrf, code: totpCodeAt(shownSecret, clock()) },
      }),
    );
    const tokens = await redeem(rp, done, pending);
    assert.deepEqual(tokens.claims()?.amr, ['mfa', 'otp', 'pwd']);
    assert.equal((await idp.stepup.store.factors.listForUser(user.id)).length, 1);
  });

  test('a person with TOTP cannot reach the enrollment before proving TOTP: options, registration and page all refused', async () => {
    const user = await newUser({ totp: true });
    const rp = await rpFor('enroll-key');
    const { next } = await afterPassword(rp, user.username);
    const challenge = expectPage(next);
    const path = interactionPath(challenge);
    const csrf = hiddenField(challenge.html, 'csrf');

    const options = await registrationOptions(rp.browser, path, csrf);
    assert.equal(options.status, 409);
    assert.deepEqual(options.body, { error: 'not_now' });

    // A registration made up without options: refused before it is even read.
    const key = new SoftwareAuthenticator();
    const forged = JSON.stringify(key.register({ challenge: 'AAAA', origin: idp.issuer, rpId: RP_ID }));
    const posted = await rp.browser.request(`${path}/webauthn-enrollment`, {
      form: { csrf, response: forged },
    });
    assert.equal(posted.status, 303);
    assert.equal(posted.headers.get('location'), path);
    // Nor the authenticator-app enrollment, nor a made-up TOTP secret.
    const totp = await rp.browser.request(`${path}/totp-enrollment`, {
      form: { csrf, code: totpCodeAt(SECRET, clock()) },
    });
    assert.equal(totp.status, 303);

    const again = expectPage(await rp.browser.navigate(path));
    assert.ok(isTotpChallenge(again.html), 'still the TOTP challenge');
    assert.deepEqual(await idp.stepup.store.webauthnCredentials.listForUser(user.id), []);
    assert.equal((await idp.stepup.store.factors.listForUser(user.id)).length, 1);
    assert.deepEqual(factorEvents(user.id), []);
  });

  test('a factor added elsewhere while the enrollment page is open ends trust on first use for this login', async () => {
    const user = await newUser();
    const rp = await rpFor('enroll-key');
    const { next } = await afterPassword(rp, user.username);
    const enrollment = expectPage(next);
    assert.ok(isKeyEnrollment(enrollment.html));
    await idp.importTotp(user.id, SECRET);

    const options = await registrationOptions(
      rp.browser,
      interactionPath(enrollment),
      hiddenField(enrollment.html, 'csrf'),
    );
    assert.equal(options.status, 409);
    const again = expectPage(await rp.browser.navigate(interactionPath(enrollment)));
    assert.ok(isTotpChallenge(again.html), 'the new factor is proven first');
    assert.deepEqual(await idp.stepup.store.webauthnCredentials.listForUser(user.id), []);
  });

  test('a wrong TOTP code does not open the enrollment either', async () => {
    const user = await newUser({ totp: true });
    const rp = await rpFor('enroll-key');
    const { next } = await afterPassword(rp, user.username);
    const challenge = expectPage(next);
    const wrong = expectPage(await submitTotp(rp.browser, challenge.html, '000000'));
    assert.equal(wrong.page.status, 401);
    assert.ok(isTotpChallenge(wrong.html));
    const options = await registrationOptions(
      rp.browser,
      interactionPath(challenge),
      hiddenField(wrong.html, 'csrf'),
    );
    assert.equal(options.status, 409);
  });

  test('a session that already has MFA still proves a factor in this login before enrolling', async () => {
    const user = await newUser({ totp: true });
    const plain = await rpFor('plain');
    const pending = await plain.authorizationUrl({ acr_values: ACR_MULTI_FACTOR });
    const login = expectPage(await plain.open(pending));
    const challenge = expectPage(await submitPassword(plain.browser, login.html, user.username, PASSWORD));
    offset += 30;
    const mfa = await plain.redeem(
      expectCallback(await submitTotp(plain.browser, challenge.html, totpCodeAt(SECRET, clock()))),
      pending,
    );
    assert.equal(mfa.claims()?.acr, ACR_MULTI_FACTOR);

    // Same browser, the client whose rule asks for a key: silently, that needs a page.
    const keyRp = (await rpFor('enroll-key')).inBrowser(plain.browser);
    const silent = await keyRp.authorizationUrl({ prompt: 'none' });
    assert.equal(expectCallback(await keyRp.open(silent)).searchParams.get('error'), 'interaction_required');

    const stepUp = await keyRp.authorizationUrl();
    const again = expectPage(await keyRp.open(stepUp));
    assert.ok(isTotpChallenge(again.html), 'a factor proven earlier in the session is not enough');
    offset += 30;
    const enrollment = expectPage(await submitTotp(keyRp.browser, again.html, totpCodeAt(SECRET, clock())));
    assert.ok(isKeyEnrollment(enrollment.html));
    const tokens = await redeem(
      keyRp,
      await pastRecoveryCodes(keyRp.browser, await enrollSecurityKey(keyRp.browser, enrollment)),
      stepUp,
    );
    assert.deepEqual(tokens.claims()?.amr, ['hwk', 'mfa', 'otp', 'pwd']);
  });

  for (const [client, factor] of [
    ['enroll-email', '"email"'],
    ['enroll-codes', '"recovery-code"'],
  ] as const) {
    test(`enrollWith(${factor}) is refused with access_denied naming the factor, before any challenge`, async () => {
      for (const options of [{}, { totp: true }]) {
        const user = await newUser(options);
        const rp = await rpFor(client);
        const { next } = await afterPassword(rp, user.username);
        const callback = expectCallback(next);
        assert.equal(callback.searchParams.get('error'), 'access_denied');
        assert.equal(
          callback.searchParams.get('error_description'),
          `an Action asked to enroll ${factor}, which can not be enrolled during sign-in`,
        );
        assert.equal(callback.searchParams.get('code'), null);
        assert.deepEqual(factorEvents(user.id), []);
      }
    });
  }

  test('two enrollWith calls that no one factor satisfies are refused, naming both', async () => {
    const user = await newUser();
    const rp = await rpFor('enroll-two');
    const callback = expectCallback((await afterPassword(rp, user.username)).next);
    assert.equal(callback.searchParams.get('error'), 'access_denied');
    assert.equal(
      callback.searchParams.get('error_description'),
      'the Actions asked to enroll "otp" and "push-notification" in one sign-in; no one factor is all of them',
    );
    assert.deepEqual(await idp.stepup.store.factors.listForUser(user.id), []);
  });

  test('enrollWith at a refresh answers invalid_grant: nobody is there to enroll', async () => {
    const user = await newUser();
    const rp = await rpFor('enroll-on-refresh');
    const { pending, next } = await afterPassword(rp, user.username, {
      scope: 'openid offline_access',
      prompt: 'consent',
    });
    const tokens = await redeem(rp, next, pending);
    await assert.rejects(oidc.refreshTokenGrant(rp.config, tokens.refresh_token ?? ''), (error: unknown) => {
      assert.ok(error instanceof oidc.ResponseBodyError);
      assert.equal(error.error, 'invalid_grant');
      assert.equal(error.error_description, REFRESH_NEEDS_ENROLLMENT);
      return true;
    });
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ACR_MULTI_FACTOR, ACR_ONE_FACTOR } from '@stepup/core';
import { totpCodeAt } from '../factors/totp/totp.ts';
import { loadProviderKeys } from '../oidc/provider-keys.ts';
import { recordingLogger } from '../testing/push-login.ts';
import { formAction, hiddenField, TestBrowser } from '../testing/test-browser.ts';
import { startTestProvider, type TestProvider } from '../testing/test-provider.ts';
import {
  expectCallback,
  expectPage,
  submitPassword,
  submitTotp,
  TestRelyingParty,
} from '../testing/test-relying-party.ts';
import { rememberedBrowserCookieName, sealRememberedBrowser } from './remembered-browser-cookie.ts';

const PASSWORD = 'correct horse battery';
const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const DAY = 24 * 3600;

/** portal: MFA that a remembered browser may skip; payroll: MFA that must always be challenged. */
const ACTION = `exports.onExecutePostLogin = async (event, api) => {
  if (event.client.client_id === 'portal') api.multifactor.enable('any', { allowRememberBrowser: true });
  if (event.client.client_id === 'payroll') api.multifactor.enable('any', { allowRememberBrowser: false });
};`;

describe('remember this browser', () => {
  let idp: TestProvider;
  let offset = 0;
  let users = 0;
  const clock = () => Math.floor(Date.now() / 1000) + offset;
  const { logger, events } = recordingLogger();

  before(async () => {
    idp = await startTestProvider({ clock, logger, rememberBrowser: { days: 30 } });
    for (const client of ['portal', 'payroll']) {
      await idp.addClient({ client_id: client, client_secret: `${client}-secret-0123456789abcdefghijkl` });
    }
    await idp.deployAction('mfa-rules', ACTION);
  });
  after(() => idp.close());

  async function newUser() {
    users += 1;
    const user = await idp.addUser(`remember-${users}`, PASSWORD);
    await idp.importTotp(user.id, SECRET);
    return user;
  }

  const rpFor = (client: string, browser?: TestBrowser) =>
    TestRelyingParty.discover(idp.issuer, client, {
      client_secret: `${client}-secret-0123456789abcdefghijkl`,
    }).then((rp) => (browser ? rp.inBrowser(browser) : rp));

  /** Password, then the TOTP page; returns the page after the code. */
  async function passwordAndTotp(
    rp: TestRelyingParty,
    username: string,
    params: Record<string, string> = {},
  ) {
    const pending = await rp.authorizationUrl(params);
    const login = expectPage(await rp.open(pending));
    const challenge = expectPage(await submitPassword(rp.browser, login.html, username, PASSWORD));
    assert.match(challenge.html, /name="code"/, 'the second factor is asked');
    // Each test moves time on by a step so one TOTP value is never replayed.
    offset += 30;
    return { pending, after: await submitTotp(rp.browser, challenge.html, totpCodeAt(SECRET, clock())) };
  }

  /** A login in a fresh browser that carries only the given cookies; the page after the password. */
  async function loginWithCookies(client: string, username: string, cookies: Record<string, string>) {
    const browser = new TestBrowser(idp.issuer);
    for (const [name, value] of Object.entries(cookies)) browser.setCookie(name, value);
    const rp = await rpFor(client, browser);
    const pending = await rp.authorizationUrl();
    const login = expectPage(await rp.open(pending));
    return { rp, pending, result: await submitPassword(browser, login.html, username, PASSWORD) };
  }

  async function rememberOnce(username: string) {
    const rp = await rpFor('portal');
    const { pending, after } = await passwordAndTotp(rp, username);
    const offer = expectPage(after);
    assert.match(offer.html, /Remember this browser for 30 days/);
    const callback = expectCallback(
      await rp.browser.navigate(formAction(offer.html, '/remember-browser'), {
        form: { csrf: hiddenField(offer.html, 'csrf'), remember: 'yes' },
      }),
    );
    const tokens = await rp.redeem(callback, pending);
    assert.equal(tokens.claims()?.acr, ACR_MULTI_FACTOR);
    assert.deepEqual(tokens.claims()?.amr, ['mfa', 'otp', 'pwd']);
    const [name] = rp.browser.cookieNames().filter((cookie) => cookie.startsWith('stepup_remember_'));
    assert.ok(name);
    return { name, value: rp.browser.cookie(name) ?? '' };
  }

  test('a remembered browser skips the Action’s second factor and claims only the password', async () => {
    const user = await newUser();
    const cookie = await rememberOnce(user.username);
    assert.equal(cookie.name, rememberedBrowserCookieName(user.id));
    assert.ok(events.some((event) => event.event === 'browser.remembered' && event.userId === user.id));

    const { rp, pending, result } = await loginWithCookies('portal', user.username, {
      [cookie.name]: cookie.value,
    });
    const tokens = await rp.redeem(expectCallback(result), pending);
    assert.equal(tokens.claims()?.acr, ACR_ONE_FACTOR);
    assert.deepEqual(tokens.claims()?.amr, ['pwd'], 'no mfa: no second factor was seen in this session');
    assert.ok(events.some((event) => event.event === 'browser.remembered_used' && event.userId === user.id));
  });

  test('leaving the box unticked remembers nothing', async () => {
    const user = await newUser();
    const rp = await rpFor('portal');
    const { after } = await passwordAndTotp(rp, user.username);
    const offer = expectPage(after);
    expectCallback(
      await rp.browser.navigate(formAction(offer.html, '/remember-browser'), {
        form: { csrf: hiddenField(offer.html, 'csrf') },
      }),
    );
    assert.deepEqual(
      rp.browser.cookieNames().filter((cookie) => cookie.startsWith('stepup_remember_')),
      [],
    );
  });

  test('the offer refuses a post without the CSRF token and remembers nothing', async () => {
    const user = await newUser();
    const rp = await rpFor('portal');
    const { after } = await passwordAndTotp(rp, user.username);
    const offer = expectPage(after);
    const refused = await rp.browser.request(formAction(offer.html, '/remember-browser'), {
      form: { remember: 'yes' },
    });
    assert.equal(refused.status, 403);
    assert.equal(rp.browser.cookie(rememberedBrowserCookieName(user.id)), undefined);
  });

  test('allowRememberBrowser: false never offers and always challenges, even with a valid cookie', async () => {
    const user = await newUser();
    const rp = await rpFor('payroll');
    const { after } = await passwordAndTotp(rp, user.username);
    expectCallback(after); // straight back: no offer
    const cookie = await rememberOnce(user.username);
    const { result } = await loginWithCookies('payroll', user.username, { [cookie.name]: cookie.value });
    assert.match(expectPage(result).html, /name="code"/);
  });

  test('an application that requests the multi-factor acr gets a real challenge', async () => {
    const user = await newUser();
    const cookie = await rememberOnce(user.username);
    const browser = new TestBrowser(idp.issuer);
    browser.setCookie(cookie.name, cookie.value);
    const rp = await rpFor('portal', browser);
    const { pending, after } = await passwordAndTotp(rp, user.username, { acr_values: ACR_MULTI_FACTOR });
    const tokens = await rp.redeem(expectCallback(after), pending);
    assert.deepEqual(tokens.claims()?.amr, ['mfa', 'otp', 'pwd']);
  });

  test("another person's cookie, a tampered one, or one past its period is challenged", async () => {
    const alice = await newUser();
    const bob = await newUser();
    const bobs = await rememberOnce(bob.username);
    // Bob's cookie under Alice's cookie name: the subject inside does not match.
    const swapped = await loginWithCookies('portal', alice.username, {
      [rememberedBrowserCookieName(alice.id)]: bobs.value,
    });
    assert.match(expectPage(swapped.result).html, /name="code"/);

    const alices = await rememberOnce(alice.username);
    const [payload = '', mac = ''] = alices.value.split('.');
    const forgedPayload = Buffer.from(
      JSON.stringify({ sub: alice.id, epoch: 0, exp: clock() + 3650 * DAY }),
    ).toString('base64url');
    for (const value of [`${forgedPayload}.${mac}`, `${payload}.${mac.slice(0, -2)}AA`, payload]) {
      const tampered = await loginWithCookies('portal', alice.username, { [alices.name]: value });
      assert.match(expectPage(tampered.result).html, /name="code"/, value);
    }

    // Signed with the provider's key, but its period has ended.
    const { cookieKeys } = await loadProviderKeys(idp.stepup.store, idp.stepup.secretKeyring);
    const lapsed = sealRememberedBrowser({ userId: alice.id, epoch: 0, expiresAt: clock() - 1 }, cookieKeys);
    const expired = await loginWithCookies('portal', alice.username, { [alices.name]: lapsed });
    assert.match(expectPage(expired.result).html, /name="code"/);
  });

  test('raising the epoch voids every cookie issued before', async () => {
    const user = await newUser();
    const { cookieKeys } = await loadProviderKeys(idp.stepup.store, idp.stepup.secretKeyring);
    const valid = sealRememberedBrowser({ userId: user.id, epoch: 0, expiresAt: clock() + DAY }, cookieKeys);
    const name = rememberedBrowserCookieName(user.id);
    const before = await loginWithCookies('portal', user.username, { [name]: valid });
    expectCallback(before.result);
    await idp.stepup.store.users.forgetRememberedBrowsers(user.id);
    const afterwards = await loginWithCookies('portal', user.username, { [name]: valid });
    assert.match(expectPage(afterwards.result).html, /name="code"/);
  });

  test('prompt=none: a remembered browser gets a code silently; without the cookie, interaction_required', async () => {
    const user = await newUser();
    const { cookieKeys } = await loadProviderKeys(idp.stepup.store, idp.stepup.secretKeyring);
    const name = rememberedBrowserCookieName(user.id);
    const value = sealRememberedBrowser({ userId: user.id, epoch: 0, expiresAt: clock() + DAY }, cookieKeys);
    const first = await loginWithCookies('portal', user.username, { [name]: value });
    expectCallback(first.result);

    const silent = await first.rp.authorizationUrl({ prompt: 'none' });
    const callback = expectCallback(await first.rp.open(silent));
    const tokens = await first.rp.redeem(callback, silent);
    assert.deepEqual(tokens.claims()?.amr, ['pwd']);

    first.rp.browser.setCookie(name, '');
    const refused = await first.rp.authorizationUrl({ prompt: 'none' });
    const answer = expectCallback(await first.rp.open(refused));
    assert.equal(answer.searchParams.get('error'), 'interaction_required');
  });
});

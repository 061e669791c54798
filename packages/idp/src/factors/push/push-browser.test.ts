import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ACR_MULTI_FACTOR } from '@stepup/core';
import type { Browser } from 'playwright-core';
import { listPendingChallenges } from '../../authenticator/list-pending-challenges.ts';
import { respondToChallenge } from '../../authenticator/respond-to-challenge.ts';
import { type CallbackServer, launchChromium, startCallbackServer } from '../../testing/chromium.ts';
import { enrollTestDevice, pushEnrollmentLink } from '../../testing/push-login.ts';
import { startTestProvider, type TestProvider } from '../../testing/test-provider.ts';
import { TestRelyingParty } from '../../testing/test-relying-party.ts';

const PASSWORD = 'correct horse battery';
const CLIENT_SECRET = 'push-browser-secret-0123456789abcdef';

describe('push in Chromium: the authenticator app and the waiting page', () => {
  let idp: TestProvider;
  let browser: Browser;
  let callback: CallbackServer;

  before(async () => {
    [idp, browser, callback] = await Promise.all([
      startTestProvider(),
      launchChromium(),
      startCallbackServer(),
    ]);
    await idp.addClient({
      client_id: 'app',
      client_secret: CLIENT_SECRET,
      client_name: 'Salary',
      redirect_uris: [callback.redirectUri],
    });
  });
  after(async () => {
    await browser?.close();
    await callback?.close();
    await idp?.close();
  });

  async function authorize() {
    const rp = await TestRelyingParty.discover(idp.issuer, 'app', { client_secret: CLIENT_SECRET });
    return rp.authorizationUrl({ redirect_uri: callback.redirectUri, acr_values: ACR_MULTI_FACTOR });
  }

  test('enroll the app from the QR link, get the request at once, pick the number: the login page continues by itself', async () => {
    await idp.addUser('olivia', PASSWORD);
    const laptop = await browser.newContext();
    const phone = await browser.newContext();
    try {
      const login = await laptop.newPage();
      await login.goto((await authorize()).url.href);
      await login.fill('#username', 'olivia');
      await login.fill('#password', PASSWORD);
      await login.click('button[type="submit"]');
      await login.waitForSelector('text=Get sign-in requests on your phone');
      const link = await login.getAttribute('.push-link a', 'href');
      assert.ok(link);

      const app = await phone.newPage();
      await app.goto(link);
      await app.fill('#device-name', "Olivia's phone");
      await app.click('#enroll-form button');
      // The app says "a request is on its way" until it comes, which is at once here.
      // The login page noticed the new device and shows the number of the first request.
      const number = await (await login.waitForSelector('.push-number', { timeout: 10_000 })).textContent();
      const choice = await app.waitForSelector(`.push-choice >> text="${number}"`, { timeout: 10_000 });
      assert.equal(new URL(app.url()).hash, '', 'the spent token leaves the address bar');
      assert.match((await app.textContent('.push-request-title')) ?? '', /Salary wants to sign you in/);
      assert.equal(
        await app.isVisible('#app-status'),
        false,
        'the request came: the note that it would goes',
      );
      assert.equal(await app.textContent('[data-field="ip"]'), '127.0.0.1');

      // The first second factor brings recovery codes; the page gets there without a reload by hand.
      // The approval shows on the login page, which moves on by itself. (The app's own "Approved."
      // note can be replaced at once by the refreshed, now empty, list of requests.)
      await choice.click();
      await login.waitForSelector('form[action$="/recovery-codes/continue"]', { timeout: 20_000 });
      const landed = await callback.follow(login, () =>
        login.click('form[action$="/recovery-codes/continue"] button'),
      );
      assert.ok(landed.searchParams.get('code'));

      // Installable: the manifest is linked and the service worker takes the app's scope.
      const scope = await app.evaluate(async () => (await navigator.serviceWorker.ready).scope);
      assert.equal(scope, `${idp.issuer}/authenticator`);
    } finally {
      await laptop.close();
      await phone.close();
    }
  });

  test('a wrong number in the app refuses the request and both screens say so; the login ends unmet', async () => {
    const user = await idp.addUser('rita', PASSWORD);
    const laptop = await browser.newContext();
    const phone = await browser.newContext();
    try {
      const app = await phone.newPage();
      await app.goto(await pushEnrollmentLink(idp, user.id, Math.floor(Date.now() / 1000)));
      await app.fill('#device-name', "Rita's phone");
      await app.click('#enroll-form button');
      await app.waitForSelector('text=This device is added');

      const login = await laptop.newPage();
      await login.goto((await authorize()).url.href);
      await login.fill('#username', 'rita');
      await login.fill('#password', PASSWORD);
      await login.click('button[type="submit"]');
      const number = await (await login.waitForSelector('.push-number', { timeout: 10_000 })).textContent();
      await app.waitForSelector('.push-choice', { timeout: 10_000 });
      const wrong = app
        .locator('.push-choice')
        .filter({ hasNotText: new RegExp(`^${number}$`) })
        .first();
      await wrong.click();
      await app.waitForSelector('text=Refused: the number you picked is not the one on the sign-in page');

      // The waiting page is woken by the denial and shows why, with the way on to the application.
      await login.waitForSelector('[data-push-refusal="wrong_number"]', { timeout: 10_000 });
      const landed = await callback.follow(login, () => login.click('a.button-primary'));
      assert.equal(landed.searchParams.get('error'), 'unmet_authentication_requirements');
    } finally {
      await laptop.close();
      await phone.close();
    }
  });

  test('without JavaScript the waiting page refreshes itself and continues after the approval', async () => {
    const user = await idp.addUser('paul', PASSWORD);
    const device = await enrollTestDevice(idp, user.id);
    const laptop = await browser.newContext({ javaScriptEnabled: false });
    try {
      const login = await laptop.newPage();
      await login.goto((await authorize()).url.href);
      await login.fill('#username', 'paul');
      await login.fill('#password', PASSWORD);
      await login.click('button[type="submit"]');
      const number = Number(await login.textContent('.push-number'));
      const [challenge] = await listPendingChallenges(device);
      assert.ok(challenge);
      const landed = await callback.follow(login, () =>
        respondToChallenge(device, challenge.id, { decision: 'approve', number }),
      );
      assert.ok(landed.searchParams.get('code'));
    } finally {
      await laptop.close();
    }
  });

  test('a device added outside a sign-in (from /account) promises no request; no empty status bar', async () => {
    const user = await idp.addUser('orla', PASSWORD);
    const phone = await browser.newContext();
    try {
      const app = await phone.newPage();
      await app.goto(`${idp.issuer}/authenticator`);
      await app.waitForSelector('#no-devices:not([hidden])');
      assert.equal(await app.isVisible('#app-status'), false, 'nothing to say: no bar at all');

      // The link /account shows (a new page: the fragment alone would not load the app again).
      const added = await phone.newPage();
      await added.goto(await pushEnrollmentLink(idp, user.id, Math.floor(Date.now() / 1000)));
      await added.click('#enroll-form button');
      await added.waitForSelector('text=This device is added');
      const status = (await added.textContent('#app-status')) ?? '';
      assert.doesNotMatch(status, /on its way/);
      assert.match(status, /Sign-in requests for orla will show up here/);
      assert.equal(await added.isVisible('#requests-empty'), true);
    } finally {
      await phone.close();
    }
  });
});

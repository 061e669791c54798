import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { listPendingChallenges } from '../authenticator/list-pending-challenges.ts';
import { respondToChallenge } from '../authenticator/respond-to-challenge.ts';
import { relyingPartyFor } from '../factors/webauthn/webauthn-relying-party.ts';
import { addVirtualAuthenticator, launchChromium } from '../testing/chromium.ts';
import { resetLinksSentTo } from '../testing/outbox.ts';
import { enrollTestDevice } from '../testing/push-login.ts';
import { SoftwareAuthenticator } from '../testing/software-authenticator.ts';
import { startTestProvider, type TestProvider } from '../testing/test-provider.ts';

const PASSWORD = 'correct horse battery';
const NEW_PASSWORD = 'violet kettle across the dune';

describe('a forgotten password in Chromium, through the development outbox', () => {
  let idp: TestProvider;
  let browser: Browser;

  before(async () => {
    [idp, browser] = await Promise.all([startTestProvider(), launchChromium()]);
  });
  after(async () => {
    await browser.close();
    await idp.close();
  });

  test('sign-in page → ask for a link → follow it from the outbox → set a new password → sign in', async () => {
    const user = await idp.addUser('chromium-forgot', PASSWORD, { email: 'forgot@example.com' });
    const page = await (await browser.newContext()).newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));

    await page.goto(`${idp.issuer}/account`);
    await page.click('text=Forgot your password?');
    await page.fill('input[name="login"]', user.username);
    await page.click('button:has-text("Email me a link")');
    await page.waitForSelector('[data-reset-requested]');
    await idp.stepup.accountMailSettled();
    const [link] = resetLinksSentTo(idp.dataDir, 'forgot@example.com');
    assert.ok(link, 'the outbox holds the link');

    await page.goto(link);
    await page.fill('input[name="new_password"]', 'password');
    await page.fill('input[name="confirm_password"]', 'password');
    await page.click('button:has-text("Set new password")');
    await page.waitForSelector('#reset-error');
    assert.match((await page.textContent('#reset-error')) ?? '', /list of common and leaked passwords/);

    await page.fill('input[name="new_password"]', NEW_PASSWORD);
    await page.fill('input[name="confirm_password"]', NEW_PASSWORD);
    await page.click('button:has-text("Set new password")');
    await page.waitForSelector('[data-reset-done]');

    await page.click('text=Go to your account');
    await page.fill('input[name="username"]', user.username);
    await page.fill('input[name="password"]', NEW_PASSWORD);
    await page.click('button[type="submit"]');
    await page.waitForURL(`${idp.issuer}/account`);
    assert.equal(await page.textContent('h1'), 'Sign-in security');
    assert.deepEqual(problems, []);
  });

  test('a person with the authenticator app: the reset page sends a request, the approval moves it on by itself', async () => {
    const user = await idp.addUser('chromium-forgot-push', PASSWORD, { email: 'forgot-push@example.com' });
    const device = await enrollTestDevice(idp, user.id);
    const page = await (await browser.newContext()).newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));

    await page.goto(`${idp.issuer}/account/password/forgot`);
    await page.fill('input[name="login"]', 'forgot-push@example.com');
    await page.click('button:has-text("Email me a link")');
    await page.waitForSelector('[data-reset-requested]');
    await idp.stepup.accountMailSettled();
    const [link] = resetLinksSentTo(idp.dataDir, 'forgot-push@example.com');
    assert.ok(link, 'the outbox holds the link');

    await page.goto(link);
    assert.equal(await page.isVisible('input[name="new_password"]'), false, 'no password form yet');
    await page.click('button:has-text("Send a request to my phone")');
    const number = Number(await (await page.waitForSelector('.push-number')).textContent());
    const [request] = await listPendingChallenges(device);
    assert.ok(request);
    assert.equal(request.clientName, 'Password reset');
    await respondToChallenge(device, request.id, { decision: 'approve', number });

    // No click: the page's event stream wakes it and it shows the password form.
    await page.waitForSelector('[data-reset-push-approved]', { timeout: 10_000 });
    await page.fill('input[name="new_password"]', NEW_PASSWORD);
    await page.fill('input[name="confirm_password"]', NEW_PASSWORD);
    await page.click('button:has-text("Set new password")');
    await page.waitForSelector('[data-reset-done]');
    assert.deepEqual(problems, []);
  });

  test('a person with a security key: the reset page runs the key, then the password is set', async () => {
    const user = await idp.addUser('chromium-forgot-key', PASSWORD, { email: 'forgot-key@example.com' });
    const key = new SoftwareAuthenticator();
    await idp.stepup.store.webauthnCredentials.add(
      key.securityKeyRecord(user.id, Math.floor(Date.now() / 1000)),
    );
    const context = await browser.newContext();
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    // Chromium's virtual authenticator holds the very key the store has.
    const authenticator = await addVirtualAuthenticator(page, 'security-key');
    await authenticator.cdp.send('WebAuthn.addCredential', {
      authenticatorId: authenticator.authenticatorId,
      credential: key.virtualCredential(relyingPartyFor(idp.issuer).id),
    });

    await page.goto(`${idp.issuer}/account/password/forgot`);
    await page.fill('input[name="login"]', 'forgot-key@example.com');
    await page.click('button:has-text("Email me a link")');
    await page.waitForSelector('[data-reset-requested]');
    await idp.stepup.accountMailSettled();
    const [link] = resetLinksSentTo(idp.dataDir, 'forgot-key@example.com');
    assert.ok(link, 'the outbox holds the link');

    await page.goto(link);
    await page.fill('input[name="new_password"]', NEW_PASSWORD);
    await page.fill('input[name="confirm_password"]', NEW_PASSWORD);
    await page.click('button:has-text("Use my security key and set the password")');
    await page.waitForSelector('[data-reset-done]');
    const [used] = await authenticator.credentials();
    assert.equal(used?.signCount, 1, 'the key signed once');
    assert.deepEqual(problems, []);
    await context.close();
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ACR_PHISHING_RESISTANT } from '@stepup/core';
import type { Browser, Page } from 'playwright-core';
import { totpCodeAt } from '../factors/totp/totp.ts';
import {
  addVirtualAuthenticator,
  type CallbackServer,
  launchChromium,
  startCallbackServer,
} from '../testing/chromium.ts';
import { startTestProvider, type TestProvider } from '../testing/test-provider.ts';
import { TestRelyingParty } from '../testing/test-relying-party.ts';

const PASSWORD = 'correct horse battery';
const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const CLIENT_SECRET = 'account-webauthn-client-secret-0123456789';

describe('adding a passkey on the account page in Chromium (virtual authenticator)', () => {
  let idp: TestProvider;
  let browser: Browser;
  let callback: CallbackServer;
  let offset = 0;
  const clock = () => Math.floor(Date.now() / 1000) + offset;

  before(async () => {
    [idp, browser, callback] = await Promise.all([
      startTestProvider({ clock }),
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

  async function clickThrough(page: Page, selector: string): Promise<void> {
    await Promise.all([page.waitForNavigation(), page.locator(selector).click()]);
  }

  test('verify with TOTP, add a passkey, see it listed; it then signs in by itself', async (t) => {
    const user = await idp.addUser('account-passkey', PASSWORD);
    await idp.importTotp(user.id, SECRET);
    const context = await browser.newContext();
    t.after(() => context.close());
    const page = await context.newPage();
    const authenticator = await addVirtualAuthenticator(page, 'platform-passkey');
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));

    await page.goto(`${idp.issuer}/account`);
    await page.fill('input[name="username"]', user.username);
    await page.fill('input[name="password"]', PASSWORD);
    await clickThrough(page, 'form[action$="/password"] button[type="submit"]');
    await clickThrough(page, 'text=Verify it’s you');
    offset += 30;
    await page.fill('input[name="code"]', totpCodeAt(SECRET, clock()));
    await clickThrough(page, 'form:has(input[name="code"]) button[type="submit"]');
    assert.equal(page.url(), `${idp.issuer}/account?notice=verified`);

    await clickThrough(page, 'button:has-text("Add a security key or passkey")');
    assert.equal(await page.textContent('h1'), 'Add a security key or passkey');
    await page.fill('form[data-webauthn="register"] input[name="name"]', 'Laptop passkey');
    await clickThrough(page, 'form[data-webauthn="register"] button');
    // A first set of recovery codes (the person had none), then back to the account page.
    await clickThrough(page, 'form[action="/account"] button');
    assert.equal(page.url(), `${idp.issuer}/account`);
    const listed = page.locator('.factor:has-text("Laptop passkey") .factor-meta');
    assert.match((await listed.textContent()) ?? '', /^Security key or passkey · Added /);

    const [stored, ...more] = await idp.stepup.store.webauthnCredentials.listForUser(user.id);
    assert.deepEqual(more, []);
    const [virtual] = await authenticator.credentials();
    assert.equal(stored?.id, Buffer.from(virtual?.credentialId ?? '', 'base64').toString('base64url'));
    assert.deepEqual([stored?.name, stored?.attachment], ['Laptop passkey', 'platform']);
    assert.deepEqual(problems, []);

    // Signed out, an application asks for the phishing-resistant level: the new passkey signs in alone.
    await context.clearCookies();
    const rp = await TestRelyingParty.discover(idp.issuer, 'app', { client_secret: CLIENT_SECRET });
    const pending = await rp.authorizationUrl({
      redirect_uri: callback.redirectUri,
      acr_values: ACR_PHISHING_RESISTANT,
    });
    await page.goto(pending.url.href);
    const landed = await callback.follow(page, () => page.locator('form[action$="/passkey"] button').click());
    const claims = (await rp.redeem(landed, pending)).claims();
    assert.equal(claims?.sub, user.id);
    assert.equal(claims?.acr, ACR_PHISHING_RESISTANT);
    assert.deepEqual(claims?.amr, ['mfa', 'swk', 'user']);
    assert.notEqual(
      (await idp.stepup.store.webauthnCredentials.findById(stored?.id ?? ''))?.lastUsedAt,
      null,
    );
  });
});

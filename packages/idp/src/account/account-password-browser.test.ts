import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { totpCodeAt } from '../factors/totp/totp.ts';
import { launchChromium } from '../testing/chromium.ts';
import { startTestProvider, type TestProvider } from '../testing/test-provider.ts';

const PASSWORD = 'correct horse battery';
const NEW_PASSWORD = 'violet kettle across the dune';
const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

describe('changing the password and removing a factor in Chromium', () => {
  let idp: TestProvider;
  let browser: Browser;
  let offset = 0;
  let users = 0;
  const clock = () => Math.floor(Date.now() / 1000) + offset;

  before(async () => {
    [idp, browser] = await Promise.all([startTestProvider({ clock }), launchChromium()]);
  });
  after(async () => {
    await browser.close();
    await idp.close();
  });

  async function newUser(totpApps = 1) {
    users += 1;
    const user = await idp.addUser(`chromium-password-${users}`, PASSWORD);
    for (let app = 0; app < totpApps; app += 1) await idp.importTotp(user.id, SECRET);
    return user;
  }

  /** A fresh browser profile signed in to the account page with `password`; false when refused. */
  async function signIn(username: string, password: string): Promise<{ page: Page; signedIn: boolean }> {
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${idp.issuer}/account`);
    await page.fill('input[name="username"]', username);
    await page.fill('input[name="password"]', password);
    await page.click('button[type="submit"]');
    await page.waitForLoadState();
    return { page, signedIn: new URL(page.url()).pathname === '/account' };
  }

  async function verify(page: Page) {
    await page.click('text=Verify it’s you');
    offset += 30;
    await page.fill('input[name="code"]', totpCodeAt(SECRET, clock()));
    await page.click('button[type="submit"]');
    await page.waitForURL(`${idp.issuer}/account?notice=verified`);
  }

  test('the blocklist message shows on the page; a change ends the other session; only the new password works', async () => {
    const user = await newUser();
    const other = await signIn(user.username, PASSWORD);
    assert.equal(other.signedIn, true);
    const { page } = await signIn(user.username, PASSWORD);
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    await verify(page);

    await page.fill('input[name="current_password"]', PASSWORD);
    await page.fill('input[name="new_password"]', '12345678');
    await page.fill('input[name="confirm_password"]', '12345678');
    await page.click('button:has-text("Change password")');
    await page.waitForLoadState();
    assert.match((await page.textContent('#password-error')) ?? '', /list of common and leaked passwords/);

    await page.fill('input[name="current_password"]', PASSWORD);
    await page.fill('input[name="new_password"]', NEW_PASSWORD);
    await page.fill('input[name="confirm_password"]', NEW_PASSWORD);
    await page.click('button:has-text("Change password")');
    await page.waitForURL(`${idp.issuer}/account?notice=password-changed`);
    assert.match((await page.textContent('[role="status"]')) ?? '', /Your password was changed/);

    await other.page.goto(`${idp.issuer}/account`);
    assert.equal(await other.page.locator('input[name="password"]').count(), 1, 'the other session ended');
    assert.equal((await signIn(user.username, PASSWORD)).signedIn, false, 'the old password fails');
    assert.equal((await signIn(user.username, NEW_PASSWORD)).signedIn, true, 'the new one works');
    assert.deepEqual(problems, []);
  });

  test('Remove asks for confirmation; Keep it keeps the factor, Yes removes it', async () => {
    const user = await newUser(2);
    const { page } = await signIn(user.username, PASSWORD);
    await verify(page);
    const first = page.locator('.factor').first();
    await first.locator('button:has-text("Remove")').click();
    await page.waitForURL(`${idp.issuer}/account/factors/remove`);
    assert.match((await page.textContent('[data-confirm-removal]')) ?? '', /no longer signs you in/);
    assert.equal((await idp.stepup.store.factors.listForUser(user.id)).length, 2, 'asking removed nothing');

    await page.click('text=Keep it');
    await page.waitForURL(`${idp.issuer}/account`);
    assert.equal((await idp.stepup.store.factors.listForUser(user.id)).length, 2);

    await page.locator('.factor').first().locator('button:has-text("Remove")').click();
    await page.click('button:has-text("Yes, remove it")');
    await page.waitForURL(`${idp.issuer}/account?notice=removed`);
    assert.equal((await idp.stepup.store.factors.listForUser(user.id)).length, 1);
  });
});

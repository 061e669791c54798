import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { totpCodeAt } from '../factors/totp/totp.ts';
import { launchChromium } from '../testing/chromium.ts';
import { startTestProvider, type TestProvider } from '../testing/test-provider.ts';

const PASSWORD = 'correct horse battery';
const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

describe('the account page in Chromium', () => {
  let idp: TestProvider;
  let browser: Browser;
  let offset = 0;
  const clock = () => Math.floor(Date.now() / 1000) + offset;

  before(async () => {
    [idp, browser] = await Promise.all([startTestProvider({ clock }), launchChromium()]);
  });
  after(async () => {
    await browser.close();
    await idp.close();
  });

  test('sign in, verify with TOTP, rename the factor; the page loads under the CSP without errors', async () => {
    const user = await idp.addUser('chromium-account', PASSWORD);
    await idp.importTotp(user.id, SECRET);
    const context = await browser.newContext();
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));

    await page.goto(`${idp.issuer}/account`);
    await page.fill('input[name="username"]', user.username);
    await page.fill('input[name="password"]', PASSWORD);
    await page.click('button[type="submit"]');
    await page.waitForURL(`${idp.issuer}/account`);
    assert.equal(await page.textContent('h1'), 'Sign-in security');

    await page.click('text=Verify it’s you');
    offset += 30;
    await page.fill('input[name="code"]', totpCodeAt(SECRET, clock()));
    await page.click('button[type="submit"]');
    await page.waitForURL(`${idp.issuer}/account?notice=verified`);

    await page.click('.factor summary:has-text("Rename")');
    await page.fill('.factor input[name="name"]', 'Office phone');
    await page.click('.factor button:has-text("Save name")');
    await page.waitForURL(`${idp.issuer}/account?notice=renamed`);
    assert.equal(await page.textContent('.factor-name strong'), 'Office phone');
    const [factor] = await idp.stepup.store.factors.listForUser(user.id);
    assert.equal(factor?.name, 'Office phone');
    await page.screenshot({
      path: new URL('../../../../e2e/screenshots/account-page.png', import.meta.url).pathname,
    });
    assert.deepEqual(problems, []);
    await context.close();
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { enrollDevice } from '../authenticator/enroll-device.ts';
import { totpCodeAt } from '../factors/totp/totp.ts';
import { launchChromium } from '../testing/chromium.ts';
import { startTestProvider, type TestProvider } from '../testing/test-provider.ts';

const PASSWORD = 'correct horse battery';
const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

describe('adding a phone from the account page in Chromium', () => {
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

  test('the page moves on by itself once the phone is added; the recovery codes can be copied and downloaded', async () => {
    const user = await idp.addUser('chromium-phone', PASSWORD);
    await idp.importTotp(user.id, SECRET);
    const context = await browser.newContext();
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: idp.issuer });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    await page.goto(`${idp.issuer}/account`);
    await page.fill('input[name="username"]', user.username);
    await page.fill('input[name="password"]', PASSWORD);
    await page.click('button[type="submit"]');
    await page.click('text=Verify it’s you');
    offset += 30;
    await page.fill('input[name="code"]', totpCodeAt(SECRET, clock()));
    await page.click('button[type="submit"]');
    await page.waitForURL(`${idp.issuer}/account?notice=verified`);

    const listening = page.waitForRequest(/\/account\/push\/events\?since=\d+$/);
    await page.click('button:has-text("Add a phone for sign-in requests")');
    await page.waitForURL(`${idp.issuer}/account/push/new`);
    // The page's script waits on its event stream before the device is added.
    await listening;
    const link = await page.getAttribute('.push-link a', 'href');
    assert.ok(link);
    await enrollDevice(link, 'Pixel');
    // No click: the page sends its own "I've added it" form, and a first set of recovery codes follows.
    await page.waitForURL(`${idp.issuer}/account/push/done`);
    assert.match((await page.textContent('h1')) ?? '', /Save your recovery codes/);
    const codes = await page.locator('[data-recovery-codes-list] code').allTextContents();
    assert.equal(codes.length, 10);

    // Copy (a script from this origin, under the page's CSP) puts every code on the clipboard.
    await page.click('[data-recovery-codes-copy]');
    await page.waitForSelector('[data-recovery-codes-copy]:text-is("Copied")');
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), `${codes.join('\n')}\n`);
    // Download saves them as a text file, with no request to the server.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.click('[data-recovery-codes-download]'),
    ]);
    assert.equal(download.suggestedFilename(), 'stepup-recovery-codes-chromium-phone.txt');
    const saved = await download.path();
    const { readFileSync } = await import('node:fs');
    const text = readFileSync(saved, 'utf8');
    for (const code of codes) assert.ok(text.includes(code), `the file holds ${code}`);
    assert.deepEqual(problems, []);
  });
});

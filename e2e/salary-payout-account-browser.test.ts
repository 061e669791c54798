import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../packages/idp/src/testing/chromium.ts';
import { PAYOUT_ACCOUNT_CHANGE } from './support/rich-authorization-provider.ts';
import {
  type SalaryOnRichAuthorizationProvider,
  startSalaryOnRichAuthorizationProvider,
} from './support/salary-on-rich-authorization-provider.ts';

// The payout account page in Chromium, under the app's CSP, against a bare oidc-provider with rich
// authorization requests that approves whatever it is asked (the phone display is the provider's
// part, tested with Stepup's own provider). What is checked here is the app's: the form, its
// messages, and that only an approval of exactly the account entered saves it.

describe('salary payout account page in Chromium', () => {
  let running: SalaryOnRichAuthorizationProvider;
  let browser: Browser;

  before(async () => {
    running = await startSalaryOnRichAuthorizationProvider();
    browser = await launchChromium();
  });
  after(async () => {
    await browser.close();
    await running.close();
  });
  beforeEach(() => {
    running.saves.length = 0;
    running.warnings.length = 0;
  });

  async function openPayoutPage(): Promise<Page> {
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${running.app}/salary`);
    await page.click('#payout-account-link');
    await page.waitForURL(`${running.app}/payout-account`);
    return page;
  }

  async function enter(page: Page, iban: string, holder: string): Promise<void> {
    await page.fill('#iban', iban);
    await page.fill('#holder', holder);
    await page.click('form.stacked-form button[type=submit]');
  }

  test('a mistyped IBAN is explained on the page and nothing is saved; a correct one is saved after the approval', async () => {
    const page = await openPayoutPage();
    await enter(page, 'DE89 3704 0044 0532 0130 01', 'Alice Example');
    assert.equal(
      await page.textContent('[data-problem="iban_checksum"]'),
      'The IBAN’s check digits do not match: a character is probably mistyped.',
    );
    assert.deepEqual(running.saves, []);

    await enter(page, 'GB82 WEST 1234 5698 7654 32', 'Alice Example');
    await page.waitForURL(`${running.app}/payout-account?saved=1`);
    assert.equal(await page.textContent('#current-iban'), 'GB82 WEST 1234 5698 7654 32');
    assert.match((await page.textContent('#saved')) ?? '', /is saved/);
    assert.deepEqual(running.saves, ['alice GB82WEST12345698765432 Alice Example']);
  });

  test('an authorization request rewritten in flight to another IBAN ends on the app’s 403 page, nothing saved', async () => {
    const page = await openPayoutPage();
    const before = await page.textContent('#current-iban');
    // The app's redirect to the provider, rewritten on its way to the browser (as a proxy could).
    const confirmRequest = (url: URL) =>
      url.origin === running.app && url.pathname === '/payout-account/confirm';
    await page.route(confirmRequest, async (route) => {
      const response = await route.fetch({ maxRedirects: 0 });
      const location = new URL(response.headers().location ?? '');
      location.searchParams.set(
        'authorization_details',
        JSON.stringify([
          { type: PAYOUT_ACCOUNT_CHANGE, iban: 'DE89370400440532013000', holder: 'Alice Example' },
        ]),
      );
      await route.fulfill({ response, headers: { ...response.headers(), location: location.href } });
    });
    const refused = page.waitForResponse((response) => new URL(response.url()).pathname === '/auth/callback');
    // Where the form leads for this entry (Playwright routes only the first request of a redirect chain).
    await page.goto(`${running.app}/payout-account/confirm?iban=NL91ABNA0417164300&holder=Alice+Example`);
    assert.equal((await refused).status(), 403);
    await page.waitForLoadState();
    assert.equal(await page.textContent('h1'), 'The approval did not match your change');
    assert.equal(await page.textContent('#error-code'), 'authorization_details_mismatch');
    assert.deepEqual(running.saves, []);
    await page.unrouteAll();
    await page.goto(`${running.app}/payout-account`);
    assert.equal(await page.textContent('#current-iban'), before);
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { NO_TRANSACTION_FACTOR } from '../packages/idp/src/interaction/next-step.ts';
import { launchChromium } from '../packages/idp/src/testing/chromium.ts';
import {
  clickThrough,
  heading,
  LAPTOP,
  phoneWithAuthenticator,
  recordNavigations,
  type SalaryScenario,
  screenshots,
  signInWithPassword,
  startSalaryScenario,
} from './support/salary-scenario.ts';

// The payout account change of the salary app against Stepup's own provider, both as `npm start`
// runs them (demo tenant and all): the provider's page and the authenticator show the IBAN and
// holder, the phone's approval is bound to them, and only that approval saves the account, once.

const NEW_IBAN = 'DE89 3704 0044 0532 0130 00';
const SUMMARY = 'Change salary payout account: to DE89370400440532013000, holder Alice Example';

describe('salary app: payout account change approved on the phone (RFC 9396)', () => {
  let scenario: SalaryScenario;
  let browser: Browser;

  before(async () => {
    [scenario, browser] = await Promise.all([startSalaryScenario(), launchChromium()]);
  });
  after(async () => {
    await browser?.close();
    await scenario?.close();
  });

  async function userId(username: string): Promise<string> {
    const user = await scenario.demo.stepup.store.users.findByLogin(username);
    assert.ok(user, username);
    return user.id;
  }

  /** Signs `username` in with the demo password, opens the payout page and sends a new account. */
  async function changePayoutAccount(page: Page, username: string): Promise<void> {
    await page.goto(`${scenario.appUrl}/payout-account`);
    await signInWithPassword(page, username, scenario.passwordOf(username));
    assert.equal(new URL(page.url()).pathname, '/payout-account');
    await page.fill('#iban', NEW_IBAN);
    await page.fill('#holder', 'Alice Example');
    await clickThrough(page, 'form.stacked-form button[type=submit]');
    // The transaction-bound step-up asks for the password again (prompt=login).
    assert.equal(new URL(page.url()).origin, scenario.issuer);
    await signInWithPassword(page, username, scenario.passwordOf(username));
  }

  test('alice: the page and the phone show the IBAN and holder, she picks the number, the account is saved; the approval does not save twice', async (t) => {
    const shot = screenshots('payout-approve');
    const phone = await phoneWithAuthenticator(browser, scenario, await userId('alice'));
    const laptop = await browser.newContext(LAPTOP);
    t.after(() => Promise.all([laptop.close(), phone.context.close()]));
    const page = await laptop.newPage();
    const visits = recordNavigations(page);

    await changePayoutAccount(page, 'alice');
    const number = (
      (await (await page.waitForSelector('.push-number', { timeout: 10_000 })).textContent()) ?? ''
    ).trim();
    assert.match(number, /^\d{2}$/);
    assert.equal(await page.textContent('[data-transaction]'), `You are approving: ${SUMMARY}`);
    await shot(page, 'provider-page');

    const shown = await phone.app.waitForSelector('[data-field="transaction"]:visible', { timeout: 10_000 });
    assert.equal(await shown.textContent(), `Approve: ${SUMMARY}`);
    // The README's picture (docs/screenshots/payout-approval.png) is this one.
    await shot(phone.app, 'phone-request');

    await Promise.all([
      page.waitForURL(`${scenario.appUrl}/payout-account?saved=1`, { timeout: 15_000 }),
      phone.app.click(`.push-choice >> text="${number}"`),
    ]);
    assert.equal(await heading(page), 'Payout account');
    assert.equal((await page.textContent('#current-iban'))?.trim(), NEW_IBAN);
    assert.equal((await page.textContent('#current-holder'))?.trim(), 'Alice Example');
    assert.match((await page.textContent('#saved')) ?? '', /is saved/);
    await shot(page, 'saved');

    // Replay: the confirm link that saved, visited again, goes back to the provider for a new
    // approval instead of saving.
    const confirm = visits.findLast((visit) => new URL(visit.url).pathname === '/payout-account/confirm');
    assert.ok(confirm);
    const saves = visits.filter((visit) => new URL(visit.url).search === '?saved=1').length;
    await page.goto(confirm.url);
    assert.equal(new URL(page.url()).origin, scenario.issuer, 'a new approval is asked for');
    assert.equal(
      visits.filter((visit) => new URL(visit.url).search === '?saved=1').length,
      saves,
      'not saved again',
    );
  });

  test('bob (TOTP only): told to add a phone or a security key, nothing saved', async (t) => {
    const laptop = await browser.newContext(LAPTOP);
    t.after(() => laptop.close());
    const page = await laptop.newPage();
    const visits = recordNavigations(page);

    await changePayoutAccount(page, 'bob');
    const callback = visits.at(-1);
    assert.equal(new URL(callback?.url ?? '').pathname, '/auth/callback');
    assert.equal(callback?.status, 403);
    assert.match((await page.textContent('#error-code')) ?? '', /unmet_authentication_requirements/);
    assert.equal(await page.textContent('#provider-said'), NO_TRANSACTION_FACTOR);

    await page.goto(`${scenario.appUrl}/payout-account`);
    assert.equal((await page.textContent('#current-iban'))?.trim(), 'NL02 ABNA 0123 4567 89');
  });
});

import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { ACR_MULTI_FACTOR } from '@stepup/core';
import { CookieJarBrowser, type Page } from './support/cookie-jar-browser.ts';
import { PAYOUT_ACCOUNT_CHANGE } from './support/rich-authorization-provider.ts';
import {
  type SalaryOnRichAuthorizationProvider,
  startSalaryOnRichAuthorizationProvider,
} from './support/salary-on-rich-authorization-provider.ts';

// The salary app's payout account page, run for real against a bare oidc-provider with rich
// authorization requests (see ./support/rich-authorization-provider.ts): the account changes only
// when the provider approved exactly the IBAN and holder entered. The payout accounts are the app's
// own in-memory store, counted: the number of saves is the outcome.

const NEW_IBAN = 'GB82WEST12345698765432';
const ATTACKER_IBAN = 'DE89370400440532013000';
const DEMO_IBAN = 'DE75512108001245126199';

describe('salary app: changing the payout account needs an approval of exactly that account', () => {
  let running: SalaryOnRichAuthorizationProvider;
  let op: SalaryOnRichAuthorizationProvider['op'];
  let app: string;
  let saves: string[];
  let warnings: string[];

  before(async () => {
    running = await startSalaryOnRichAuthorizationProvider();
    ({ op, app, saves, warnings } = running);
  });

  after(() => running.close());

  beforeEach(() => {
    op.behaviour.acr = ACR_MULTI_FACTOR;
    delete op.behaviour.authTime;
    saves.length = 0;
    warnings.length = 0;
  });

  async function signedIn(): Promise<{ browser: CookieJarBrowser; page: Page }> {
    const browser = new CookieJarBrowser();
    const page = await browser.navigate(`${app}/payout-account`);
    assert.equal(page.status, 200);
    assert.equal(page.url, `${app}/payout-account`);
    return { browser, page };
  }

  const currentIban = (page: Page) => /id="current-iban"><code>([^<]*)</.exec(page.body)?.[1];

  test('the salary page links to it; it shows the current account and a form', async () => {
    const { browser, page } = await signedIn();
    assert.equal(currentIban(page), 'DE75 5121 0800 1245 1261 99');
    assert.match(page.body, /id="current-holder">Alice Example</);
    assert.match(page.body, /<form class="stacked-form" method="post" action="\/payout-account">/);
    assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'none'/);
    const salary = await browser.navigate(`${app}/salary`);
    assert.equal(salary.status, 200, `${warnings.join(' ')} ${salary.body.slice(0, 0)}`);
    assert.match(salary.body, /href="\/payout-account" id="payout-account-link"/);
  });

  test('an approved change is saved: the provider was asked for exactly the normalized IBAN and holder', async () => {
    const { browser, page } = await signedIn();
    const start = browser.visited.length;
    const done = await browser.submit(page, '/payout-account', {
      iban: 'gb82 west 1234 5698 7654 32',
      holder: '  Alice   Example ',
    });
    assert.equal(done.status, 200);
    assert.equal(done.url, `${app}/payout-account?saved=1`);
    assert.match(done.body, /id="saved"/);
    assert.equal(currentIban(done), 'GB82 WEST 1234 5698 7654 32');
    const authorize = browser.visited
      .slice(start)
      .map((url) => new URL(url))
      .find((url) => url.pathname === '/auth');
    assert.deepEqual(JSON.parse(authorize?.searchParams.get('authorization_details') ?? ''), [
      { holder: 'Alice Example', iban: NEW_IBAN, type: PAYOUT_ACCOUNT_CHANGE },
    ]);
    assert.deepEqual(saves, [`alice ${NEW_IBAN} Alice Example`]);
  });

  test('an invalid IBAN is refused with a clear message (400) and changes nothing, without asking for an approval', async () => {
    const { browser, page } = await signedIn();
    const start = browser.visited.length;
    const refused = await browser.submit(page, '/payout-account', {
      iban: 'DE89 3704 0044 0532 0130 01',
      holder: '',
    });
    assert.equal(refused.status, 400);
    assert.match(refused.body, /data-problem="iban_checksum"/);
    assert.match(refused.body, /data-problem="holder_missing"/);
    assert.match(refused.body, /value="DE89 3704 0044 0532 0130 01"/, 'the entry is kept for fixing');
    assert.ok(
      browser.visited.slice(start).every((url) => new URL(url).origin === app),
      'no trip to the provider',
    );
    assert.deepEqual(saves, []);
  });

  test('a hand-edited confirm link with a bad IBAN is refused (400) before any approval', async () => {
    const { browser } = await signedIn();
    const page = await browser.navigate(`${app}/payout-account/confirm?iban=DE00123&holder=Mallory`);
    assert.equal(page.status, 400);
    assert.match(page.body, /data-problem="iban_format"/);
    assert.deepEqual(saves, []);
  });

  test('the IBAN changed in flight (the approval is for another account) → 403 page, nothing saved', async () => {
    const { browser, page } = await signedIn();
    const confirm = await browser.request(`${app}/payout-account`, {
      form: { iban: NEW_IBAN, holder: 'Alice Example' },
    });
    assert.equal(confirm.status, 303);
    const started = await browser.request(new URL(confirm.headers.get('location') ?? '', app).href);
    const authorize = new URL(started.headers.get('location') ?? '');
    authorize.searchParams.set(
      'authorization_details',
      JSON.stringify([{ type: PAYOUT_ACCOUNT_CHANGE, iban: ATTACKER_IBAN, holder: 'Alice Example' }]),
    );
    const refused = await browser.navigate(authorize.href);
    assert.equal(refused.status, 403);
    assert.match(refused.body, /<h1>The approval did not match your change<\/h1>/);
    assert.match(refused.body, /id="error-code">authorization_details_mismatch</);
    assert.deepEqual(warnings, ['authorization_details_mismatch']);
    assert.deepEqual(saves, []);
    assert.equal(currentIban(await browser.navigate(`${app}/payout-account`)), currentIban(page));
  });

  test('an approval older than the request (stale) → 403 page, nothing saved', async () => {
    const { browser, page } = await signedIn();
    op.behaviour.authTime = () => Math.floor(Date.now() / 1000) - 600;
    const refused = await browser.submit(page, '/payout-account', {
      iban: NEW_IBAN,
      holder: 'Alice Example',
    });
    assert.equal(refused.status, 403);
    assert.match(refused.body, /id="error-code">approval_stale</);
    assert.deepEqual(saves, []);
  });

  test('replaying the saving request with the same session does not save again: a new approval is asked for', async () => {
    const { browser, page } = await signedIn();
    await browser.submit(page, '/payout-account', { iban: NEW_IBAN, holder: 'Alice Example' });
    assert.equal(saves.length, 1);
    const confirmUrl = `${app}/payout-account/confirm?iban=${NEW_IBAN}&holder=Alice+Example`;
    const replay = await browser.request(confirmUrl);
    assert.equal(replay.status, 302);
    assert.equal(new URL(replay.headers.get('location') ?? '').origin, op.issuer);
    assert.ok(warnings.includes('approval_replayed'));
    assert.equal(saves.length, 1);
    // And a spent approval cannot be moved to the demo account either.
    const moved = await browser.request(
      `${app}/payout-account/confirm?iban=${DEMO_IBAN}&holder=Alice+Example`,
    );
    assert.equal(moved.status, 302);
    assert.equal(saves.length, 1);
  });
});

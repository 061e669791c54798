import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../packages/idp/src/testing/chromium.ts';
import { recordPushedRequests } from './support/pushed-requests.ts';
import {
  clickThrough,
  heading,
  LAPTOP,
  PASSWORD,
  PHONE,
  phoneWithAuthenticator,
  recordNavigations,
  type SalaryScenario,
  screenshots,
  sessionClaims,
  signInWithPassword,
  startSalaryScenario,
} from './support/salary-scenario.ts';

// The seed scenario with push and number matching, in Chromium: a laptop tab signs in to the salary
// app, a second browser context is the phone running the authenticator web app (/authenticator).

const MFA = 'http://schemas.openid.net/pape/policies/2007/06/multi-factor';

describe('salary app: push step-up with number matching', () => {
  let scenario: SalaryScenario;
  let browser: Browser;
  const par = recordPushedRequests();

  before(async () => {
    [scenario, browser] = await Promise.all([
      startSalaryScenario({ employees: ['dave', 'frank'], rpOptions: { fetch: par.fetch } }),
      launchChromium(),
    ]);
  });
  after(async () => {
    await browser?.close();
    await scenario?.close();
  });

  test('password sign-in, profile, then the salary page asks for push: the phone picks the number and the salary appears', async (t) => {
    const shot = screenshots('push-approve');
    const dave = await scenario.addEmployee('dave');
    const phone = await phoneWithAuthenticator(browser, scenario, dave.id);
    const laptop = await browser.newContext(LAPTOP);
    t.after(() => Promise.all([laptop.close(), phone.context.close()]));
    const page = await laptop.newPage();
    const visits = recordNavigations(page);

    await page.goto(scenario.appUrl);
    assert.equal(await heading(page), 'Your pay, behind a second step');
    await shot(page, 'home');
    await clickThrough(page, 'main a:text("Sign in")');
    assert.equal(new URL(page.url()).origin, scenario.issuer, 'the provider signs people in');
    await shot(page, 'provider-sign-in');
    await signInWithPassword(page, 'dave', PASSWORD);

    // Signed in with a password: the profile says so, in words.
    assert.equal(new URL(page.url()).pathname, '/profile');
    assert.equal(await page.textContent('.facts dd strong'), 'One factor');
    assert.match((await page.textContent('#salary-access')) ?? '', /will ask you for a second step/);
    await shot(page, 'profile-password');

    // The salary page sends the browser to the provider with the seed's acr; push goes out by itself.
    await clickThrough(page, 'nav a:text("Salary")');
    const authorize = visits
      .map((visit) => new URL(visit.url))
      .findLast((url) => url.pathname === '/authorize');
    // Pushed (RFC 9126): the browser's URL holds only the request_uri, the acr is in the pushed request.
    assert.deepEqual([...(authorize?.searchParams.keys() ?? [])].sort(), ['client_id', 'request_uri']);
    assert.equal(par.pushed.at(-1)?.get('acr_values'), MFA);
    assert.equal(await heading(page), 'Approve the sign-in on your phone');
    const number = ((await page.textContent('.push-number')) ?? '').trim();
    assert.match(number, /^\d{2}$/);
    await shot(page, 'push-number');

    // The phone shows the request with three numbers; the person picks the one on the laptop.
    const choice = await phone.app.waitForSelector(`.push-choice >> text="${number}"`, { timeout: 10_000 });
    assert.equal(await phone.app.locator('.push-choice').count(), 3);
    assert.match((await phone.app.textContent('.push-request-title')) ?? '', /Salary wants to sign you in/);
    await shot(phone.app, 'phone-request');
    // The phone says so for a few seconds only: both are awaited together. (Its wording depends on
    // whether the answer's response or the event stream's "resolved" arrives first.)
    await Promise.all([
      page.waitForURL(`${scenario.appUrl}/salary`, { timeout: 15_000 }),
      phone.app.locator('.push-request-result', { hasText: /^Approved/ }).waitFor(),
      choice.click(),
    ]);

    assert.equal(visits.at(-1)?.status, 200);
    assert.equal(await heading(page), 'Your salary history');
    assert.equal(await page.textContent('#current-salary'), '€64,000');
    await shot(page, 'salary');

    // The session's ID token says what was proven: the seed's acr and amr with mfa.
    const claims = await sessionClaims(page, scenario.appUrl);
    assert.equal(claims.acr, MFA);
    assert.deepEqual(claims.amr, ['mfa', 'pwd', 'swk']);
    assert.equal(claims.preferred_username, 'dave');
    assert.equal(await page.textContent('.facts dd strong'), 'Two-step verification');
    await page.click('.raw-claims summary');
    await shot(page, 'profile-mfa');
  });

  test('denied on the phone: a clear 403 refusal, no loop, no salary, still signed in with the password', async (t) => {
    const shot = screenshots('push-deny');
    const frank = await scenario.addEmployee('frank');
    const phone = await phoneWithAuthenticator(browser, scenario, frank.id);
    const laptop = await browser.newContext(LAPTOP);
    t.after(() => Promise.all([laptop.close(), phone.context.close()]));
    const page = await laptop.newPage();
    // The page's own clock, so the test can run its timers forward instead of waiting on them.
    await page.clock.install();
    const visits = recordNavigations(page);

    await page.goto(`${scenario.appUrl}/profile`);
    await signInWithPassword(page, 'frank', PASSWORD);
    await clickThrough(page, 'nav a:text("Salary")');
    await page.waitForSelector('.push-number');
    const before = visits.length;

    const deny = await phone.app.waitForSelector('.push-deny', { timeout: 10_000 });
    await Promise.all([
      page.waitForURL((url) => url.pathname === '/auth/callback', { timeout: 15_000 }),
      phone.app.waitForSelector('text=Denied.').then(() => shot(phone.app, 'phone-denied')),
      deny.click(),
    ]);

    const callback = visits.at(-1);
    assert.equal(callback?.status, 403);
    assert.equal(await heading(page), 'The second step did not go through');
    assert.match(
      (await page.textContent('main')) ?? '',
      /stays closed\. You are still signed in for everything else/,
    );
    assert.match((await page.textContent('#error-code')) ?? '', /unmet_authentication_requirements/);
    assert.match((await page.textContent('#provider-said')) ?? '', /denied/);
    assert.equal(await page.locator('#current-salary').count(), 0);
    await shot(page, 'refusal');

    // No loop: nothing on the page leaves it, not a refresh now nor a timer a minute on; one trip
    // to the provider and back, nothing after it.
    assert.equal(await page.locator('meta[http-equiv="refresh" i]').count(), 0);
    await page.clock.runFor(60_000);
    // A navigation a timer started would destroy this context: the evaluation would fail.
    assert.equal(await page.evaluate(() => document.readyState), 'complete');
    assert.equal(visits.at(-1), callback);
    assert.equal(page.url(), callback?.url);
    const trip = visits.slice(before);
    assert.equal(trip.filter((visit) => new URL(visit.url).pathname === '/authorize').length, 0);
    assert.equal(trip.filter((visit) => new URL(visit.url).pathname === '/auth/callback').length, 1);

    // The password session is untouched, and the salary page still asks.
    const claims = await sessionClaims(page, scenario.appUrl);
    assert.deepEqual(claims.amr, ['pwd']);
    const again = await page.request.get(`${scenario.appUrl}/salary`, { maxRedirects: 0 });
    assert.equal(again.status(), 302);
    assert.ok(new URL(again.headers().location ?? '').searchParams.has('request_uri'));
    assert.equal(par.pushed.at(-1)?.get('acr_values'), MFA);
  });

  test('a demo employee with no second factor adds the authenticator during the step-up, then sees the salary', async (t) => {
    // The README's walk-through follows alice: its screenshots in docs/screenshots are copies of
    // this test's push-enroll-01 (profile), -04 (push-number), -05 (authenticator) and -07 (salary).
    const shot = screenshots('push-enroll');
    const laptop = await browser.newContext(LAPTOP);
    const phoneContext = await browser.newContext(PHONE);
    t.after(() => Promise.all([laptop.close(), phoneContext.close()]));
    const page = await laptop.newPage();

    // As the printed instructions say: open the app, sign in as alice with the printed password.
    assert.ok(scenario.printed.some((line) => line.includes(`Open ${scenario.appUrl}`)));
    await page.goto(scenario.appUrl);
    await clickThrough(page, 'main a:text("Sign in")');
    await signInWithPassword(page, 'alice', scenario.passwordOf('alice'));
    assert.equal(await page.textContent('.facts dd strong'), 'One factor');
    await shot(page, 'profile-password');
    await clickThrough(page, 'nav a:text("Salary")');
    assert.equal(await heading(page), 'Get sign-in requests on your phone');
    await shot(page, 'add-phone');

    const link = (await page.getAttribute('.push-link a', 'href')) ?? '';
    assert.ok(link.startsWith(`${scenario.issuer}/authenticator#`));
    const app = await phoneContext.newPage();
    await app.goto(link);
    await app.fill('#device-name', "Alice's phone");
    await shot(app, 'phone-add-device');
    await app.click('#enroll-form button');

    // The sign-in tab moves on by itself to the first request. (The app's "a request is on its way"
    // goes as soon as the request shows, which may be at once: not waited for.)
    const number = (
      (await (await page.waitForSelector('.push-number', { timeout: 10_000 })).textContent()) ?? ''
    ).trim();
    await shot(page, 'push-number');
    const choice = await app.waitForSelector(`.push-choice >> text="${number}"`, { timeout: 10_000 });
    await shot(app, 'phone-request');
    // A first second factor brings recovery codes, shown once.
    await Promise.all([
      page.waitForSelector('form[action$="/recovery-codes/continue"]', { timeout: 10_000 }),
      choice.click(),
    ]);
    assert.equal(await heading(page), 'Save your recovery codes');
    await shot(page, 'recovery-codes');
    const [salary] = await Promise.all([
      page.waitForNavigation({ url: `${scenario.appUrl}/salary` }),
      page.click('form[action$="/recovery-codes/continue"] button'),
    ]);
    assert.equal(salary?.status(), 200);
    assert.equal(await heading(page), 'Your salary history');
    assert.equal(await page.textContent('#current-salary'), '€72,400');
    await shot(page, 'salary');

    const claims = await sessionClaims(page, scenario.appUrl);
    assert.equal(claims.acr, MFA);
    assert.ok(Array.isArray(claims.amr) && claims.amr.includes('mfa'));
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { acrTimeClaimName } from '@stepup/core';
import type { Browser } from 'playwright-core';
import { totpCodeAt } from '../packages/idp/src/factors/totp/totp.ts';
import { launchChromium } from '../packages/idp/src/testing/chromium.ts';
import {
  clickThrough,
  heading,
  LAPTOP,
  PASSWORD,
  recordNavigations,
  type SalaryScenario,
  screenshots,
  securityKeyFor,
  sessionClaims,
  signInWithPassword,
  startSalaryScenario,
} from './support/salary-scenario.ts';

// The salary page's step-up with the other second factors, in Chromium: the demo employee with TOTP
// (the secret `npm start` prints), and a security key (Chromium's virtual authenticator).

const MFA = 'http://schemas.openid.net/pape/policies/2007/06/multi-factor';
const PHISHING_RESISTANT = 'http://schemas.openid.net/pape/policies/2007/06/phishing-resistant';

describe('salary app: step-up with TOTP and with a security key', () => {
  let scenario: SalaryScenario;
  let browser: Browser;

  before(async () => {
    [scenario, browser] = await Promise.all([startSalaryScenario({ employees: ['erin'] }), launchChromium()]);
  });
  after(async () => {
    await browser?.close();
    await scenario?.close();
  });

  test('TOTP: bob types the code of the secret npm start printed, and sees his salary', async (t) => {
    const shot = screenshots('totp');
    const bob = scenario.demo.tenant?.employees.find((employee) => employee.username === 'bob');
    const totp = bob?.totp;
    assert.ok(totp);
    assert.ok(scenario.printed.some((line) => line.includes(totp.secret)));
    assert.ok(scenario.printed.some((line) => line.includes(totp.uri)));
    const laptop = await browser.newContext(LAPTOP);
    t.after(() => laptop.close());
    const page = await laptop.newPage();
    const visits = recordNavigations(page);

    await page.goto(`${scenario.appUrl}/profile`);
    await signInWithPassword(page, 'bob', scenario.passwordOf('bob'));
    assert.equal(await heading(page), 'Bob Nguyen');
    await clickThrough(page, 'nav a:text("Salary")');
    assert.equal(await heading(page), 'Enter your verification code');
    await page.fill('#code', totpCodeAt(totp.secret, Math.floor(Date.now() / 1000)));
    await shot(page, 'code');
    await clickThrough(page, 'form[action$="/totp"] button[type="submit"]');

    assert.equal(new URL(page.url()).href, `${scenario.appUrl}/salary`);
    assert.equal(visits.at(-1)?.status, 200);
    assert.equal(await heading(page), 'Your salary history');
    assert.equal(await page.textContent('#current-salary'), '€54,600');
    // The provider says when the code was entered (acr_time): the page dates the second step by it.
    assert.match(
      (await page.textContent('#verified')) ?? '',
      /^You passed two-step verification (just now|\d+ seconds ago): password \+ one-time code\. You signed in /,
    );
    await shot(page, 'salary');
    const claims = await sessionClaims(page, scenario.appUrl);
    assert.equal(claims.acr, MFA);
    assert.deepEqual(claims.amr, ['mfa', 'otp', 'pwd']);
    const acrTime = claims[acrTimeClaimName(scenario.issuer)];
    assert.ok(
      typeof acrTime === 'number' && typeof claims.auth_time === 'number' && typeof claims.iat === 'number',
    );
    assert.ok(
      claims.auth_time <= acrTime && acrTime <= claims.iat,
      'acr_time lies between auth_time and iat',
    );
    assert.match((await page.textContent('.facts')) ?? '', /Second step acr_time/);

    // Sign out: the app's session, then the provider's (RP-initiated logout, confirmed there).
    await clickThrough(page, 'nav button:text("Sign out")');
    assert.equal(new URL(page.url()).origin, scenario.issuer);
    await clickThrough(page, 'button[name="logout"][value="yes"]');
    assert.equal(page.url(), `${scenario.appUrl}/`);
    assert.equal(await page.locator('main a:text("Sign in")').count(), 1);
    await page.goto(`${scenario.appUrl}/profile`);
    assert.equal(await page.locator('#password').count(), 1, 'the provider asks for the password again');
  });

  test('security key: the salary page opens after a touch of the key, at the phishing-resistant level', async (t) => {
    const shot = screenshots('security-key');
    const erin = await scenario.addEmployee('erin');
    const laptop = await browser.newContext(LAPTOP);
    t.after(() => laptop.close());
    const page = await laptop.newPage();
    await securityKeyFor(page, scenario, erin.id);

    // Straight to the salary page: one trip to the provider for both steps.
    await page.goto(`${scenario.appUrl}/salary`);
    await signInWithPassword(page, 'erin', PASSWORD);
    assert.equal(await heading(page), 'Use your security key or passkey');
    await shot(page, 'use-key');
    const [salary] = await Promise.all([
      page.waitForNavigation({ url: `${scenario.appUrl}/salary` }),
      page.click('form[data-webauthn="authenticate"] button'),
    ]);
    assert.equal(salary?.status(), 200);
    assert.equal(await heading(page), 'Your salary history');
    await shot(page, 'salary');

    // More than was asked for: the token says so, and the app's amr policy is met.
    const claims = await sessionClaims(page, scenario.appUrl);
    assert.equal(claims.acr, PHISHING_RESISTANT);
    assert.deepEqual(claims.amr, ['hwk', 'mfa', 'pwd']);
    assert.equal(await page.textContent('.facts dd strong'), 'Phishing-resistant two-step verification');
  });

  test('an employee with no salary records passes the step-up and gets a clear 404 empty state', async (t) => {
    const laptop = await browser.newContext(LAPTOP);
    t.after(() => laptop.close());
    const page = await laptop.newPage();
    const shot = screenshots('empty');
    // carol has no second factor: she adds an authenticator app (TOTP) during the step-up.
    await page.goto(`${scenario.appUrl}/salary`);
    await signInWithPassword(page, 'carol', scenario.passwordOf('carol'));
    await clickThrough(page, 'form[action$="/choose"] button[value="totp"]');
    const secret = ((await page.textContent('.secret')) ?? '').replace(/\s+/g, '');
    await page.fill('#code', totpCodeAt(secret, Math.floor(Date.now() / 1000)));
    await clickThrough(page, 'form[action$="/totp-enrollment"] button[type="submit"]');
    const [empty] = await Promise.all([
      page.waitForNavigation({ url: `${scenario.appUrl}/salary` }),
      page.click('form[action$="/recovery-codes/continue"] button'),
    ]);
    assert.equal(empty?.status(), 404);
    assert.equal(await heading(page), 'No salary records yet');
    assert.equal(await page.locator('#current-salary').count(), 0);
    await shot(page, 'no-records');
  });
});

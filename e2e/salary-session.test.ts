import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../packages/idp/src/testing/chromium.ts';
import { recordPushedRequests } from './support/pushed-requests.ts';
import {
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

// How long the MFA of the salary page lasts, in Chromium: the provider's ladder says how long the
// multi-factor level holds (the launcher gives the app the same maximum age), and inside that
// window the provider re-issues the context without asking again (silent authentication).

const MFA = 'http://schemas.openid.net/pape/policies/2007/06/multi-factor';
const PHISHING_RESISTANT = 'http://schemas.openid.net/pape/policies/2007/06/phishing-resistant';
/** The MFA levels' maximum age in the short ladder, in seconds. */
const SHORT_MFA = 4;

/** Password, then the security key: the whole step-up, started by opening /salary. */
async function stepUpWithKey(page: Page, scenario: SalaryScenario, username: string): Promise<void> {
  await page.goto(`${scenario.appUrl}/salary`);
  assert.equal(new URL(page.url()).origin, scenario.issuer);
  await signInWithPassword(page, username, PASSWORD);
  assert.equal(await heading(page), 'Use your security key or passkey');
  await Promise.all([
    page.waitForURL(`${scenario.appUrl}/salary`),
    page.click('form[data-webauthn="authenticate"] button'),
  ]);
  assert.equal(await heading(page), 'Your salary history');
}

function providerPages(visits: readonly { url: string }[], issuer: string): string[] {
  return visits
    .map((visit) => new URL(visit.url))
    .filter((url) => url.origin === issuer && url.pathname.startsWith('/interaction/'))
    .map((url) => url.pathname);
}

describe('salary app: how long the step-up lasts', () => {
  let browser: Browser;
  before(async () => {
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
  });

  describe('with a short multi-factor level on the provider', () => {
    let scenario: SalaryScenario;
    /** How far the app's clock runs ahead of the provider's: the app is where the step-up ages. */
    let appClockAhead = 0;
    const par = recordPushedRequests();
    before(async () => {
      scenario = await startSalaryScenario({
        employees: ['grace'],
        providerConfig: {
          acrLadder: [
            { acr: 'urn:stepup:acr:one-factor', factors: 1 },
            { acr: MFA, factors: 2, maxAge: SHORT_MFA },
            { acr: PHISHING_RESISTANT, factors: 2, phishingResistant: true, maxAge: SHORT_MFA },
          ],
        },
        // No skew allowance, so seconds are testable; the app's clock is the test's to move.
        rpOptions: {
          clockSkew: 0,
          clock: () => Math.floor(Date.now() / 1000) + appClockAhead,
          fetch: par.fetch,
        },
      });
    });
    after(async () => {
      await scenario?.close();
    });

    test('after the MFA maximum age, /salary challenges again while /profile does not', async (t) => {
      const shot = screenshots('max-age');
      const grace = await scenario.addEmployee('grace');
      const laptop = await browser.newContext(LAPTOP);
      t.after(() => laptop.close());
      const page = await laptop.newPage();
      await securityKeyFor(page, scenario, grace.id);
      const visits = recordNavigations(page);

      await stepUpWithKey(page, scenario, 'grace');
      const first = await sessionClaims(page, scenario.appUrl);
      // Inside the window the salary page opens without the provider.
      let before = visits.length;
      assert.equal((await page.goto(`${scenario.appUrl}/salary`))?.status(), 200);
      assert.deepEqual(
        visits.slice(before).map((visit) => new URL(visit.url).origin),
        [scenario.appUrl],
      );

      // The step-up ages past the maximum age, as far as the app can tell.
      appClockAhead = SHORT_MFA + 1;
      before = visits.length;
      const profile = await sessionClaims(page, scenario.appUrl);
      assert.equal(profile.auth_time, first.auth_time, 'the profile is the same session, not a new sign-in');
      assert.deepEqual(providerPages(visits.slice(before), scenario.issuer), []);

      // The salary page asks for a fresh authentication: max_age and prompt=login, both factors again.
      before = visits.length;
      await page.goto(`${scenario.appUrl}/salary`);
      const authorize = visits
        .slice(before)
        .map((visit) => new URL(visit.url))
        .find((url) => url.pathname === '/authorize');
      // Pushed (RFC 9126): the parameters are in the pushed request, the URL holds its request_uri.
      assert.deepEqual([...(authorize?.searchParams.keys() ?? [])].sort(), ['client_id', 'request_uri']);
      const pushed = par.pushed.at(-1);
      assert.equal(pushed?.get('max_age'), String(SHORT_MFA));
      assert.equal(pushed?.get('prompt'), 'login');
      assert.equal(pushed?.get('acr_values'), MFA);
      // The new sign-in happens now for both sides: the app's clock is the provider's again.
      appClockAhead = 0;
      assert.match(await heading(page), /^Sign in/);
      await shot(page, 'challenged-again');
      await signInWithPassword(page, 'grace', PASSWORD);
      assert.equal(await heading(page), 'Use your security key or passkey');
      await Promise.all([
        page.waitForURL(`${scenario.appUrl}/salary`),
        page.click('form[data-webauthn="authenticate"] button'),
      ]);
      assert.equal(visits.at(-1)?.status, 200);
      const again = await sessionClaims(page, scenario.appUrl);
      // A fresh sign-in (both factors were asked for above), possibly within the same second.
      assert.ok(Number(again.auth_time) >= Number(first.auth_time));
      assert.notEqual(again.nonce, first.nonce);
      assert.ok(Array.isArray(again.amr) && again.amr.includes('mfa'));
    });
  });

  describe('with the default ladder', () => {
    let scenario: SalaryScenario;
    const par = recordPushedRequests();
    before(async () => {
      scenario = await startSalaryScenario({ employees: ['henry'], rpOptions: { fetch: par.fetch } });
    });
    after(async () => {
      await scenario?.close();
    });

    test('silent authentication keeps the MFA context: no second challenge inside the window', async (t) => {
      const shot = screenshots('silent');
      const henry = await scenario.addEmployee('henry');
      const laptop = await browser.newContext(LAPTOP);
      t.after(() => laptop.close());
      const page = await laptop.newPage();
      await securityKeyFor(page, scenario, henry.id);
      const visits = recordNavigations(page);
      await stepUpWithKey(page, scenario, 'henry');
      const stepUp = await sessionClaims(page, scenario.appUrl);
      const appHost = new URL(scenario.appUrl).hostname;

      // The app forgets its session (its cookies go); the provider's session stays.
      await laptop.clearCookies({ domain: appHost });
      let before = visits.length;
      await page.goto(`${scenario.appUrl}/profile`);
      assert.equal(new URL(page.url()).pathname, '/profile');
      const trip = visits.slice(before).map((visit) => new URL(visit.url));
      assert.ok(
        trip.some((url) => url.pathname === '/authorize'),
        'the app went to the provider',
      );
      assert.deepEqual(providerPages(visits.slice(before), scenario.issuer), [], 'and no page was shown');
      const silent = await sessionClaims(page, scenario.appUrl);
      assert.equal(silent.acr, stepUp.acr);
      assert.deepEqual(silent.amr, stepUp.amr);
      assert.equal(silent.auth_time, stepUp.auth_time);
      await shot(page, 'profile-after-silent-sign-in');

      // So the salary page opens straight away, without the provider.
      before = visits.length;
      assert.equal((await page.goto(`${scenario.appUrl}/salary`))?.status(), 200);
      assert.deepEqual(
        visits.slice(before).map((visit) => new URL(visit.url).origin),
        [scenario.appUrl],
      );

      // And a step-up request (acr_values, the seed's Action runs) inside the window asks nothing either.
      await laptop.clearCookies({ domain: appHost });
      before = visits.length;
      await page.goto(`${scenario.appUrl}/salary`);
      assert.equal(new URL(page.url()).pathname, '/salary');
      assert.equal(visits.at(-1)?.status, 200);
      const stepUpTrip = visits.slice(before).map((visit) => new URL(visit.url));
      assert.ok(stepUpTrip.find((url) => url.pathname === '/authorize')?.searchParams.has('request_uri'));
      assert.equal(par.pushed.at(-1)?.get('acr_values'), MFA);
      assert.deepEqual(providerPages(visits.slice(before), scenario.issuer), []);
      const again = await sessionClaims(page, scenario.appUrl);
      assert.deepEqual([again.acr, again.amr, again.auth_time], [stepUp.acr, stepUp.amr, stepUp.auth_time]);
    });
  });
});

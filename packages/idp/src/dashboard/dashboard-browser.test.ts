import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { ACR_MULTI_FACTOR } from '@stepup/core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { seedActionFor } from '../../../../apps/salary/demo/seed-action.ts';
import { launchChromium } from '../testing/chromium.ts';
import { signInToDashboard } from '../testing/dashboard-sign-in.ts';
import { startTestProvider, type TestProvider } from '../testing/test-provider.ts';

// The operator's side in Chromium: sign in to the dashboard with password + TOTP, register an
// application, deploy the seed's Action from the editor, test-run it, find the events in the audit
// log; then, once the authentication is older than the freshness window, a deploy asks for MFA again
// and completes by itself.

const PASSWORD = 'correct horse battery';
const TOTP_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const FRESH_AUTH_SECONDS = 60;
// Beside the salary app's: the README shows copies of them from docs/screenshots.
const SCREENSHOTS = new URL('../../../../e2e/screenshots/', import.meta.url);
const LAPTOP = { viewport: { width: 1280, height: 800 } } as const;
const LOGGED_LINE = "  console.log('client', event.client.client_id);\n";

describe('dashboard in Chromium', () => {
  let idp: TestProvider;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  /** Seconds the provider's clock is ahead of real time. */
  let offset = 0;
  const clock = () => Math.floor(Date.now() / 1000) + offset;
  const cspViolations: string[] = [];
  let operatorId = '';

  before(async () => {
    [idp, browser] = await Promise.all([
      startTestProvider({ clock, admin: { freshAuthSeconds: FRESH_AUTH_SECONDS } }),
      launchChromium(),
    ]);
    const operator = await idp.addUser('olivia', PASSWORD, { name: 'Olivia Operator' });
    operatorId = operator.id;
    await idp.stepup.store.userManagement.update(operator.id, { roles: ['admin'] });
    await idp.importTotp(operator.id, TOTP_SECRET);
    context = await browser.newContext(LAPTOP);
    page = await context.newPage();
    page.on('console', (message) => {
      if (/Content.Security.Policy|Refused to/i.test(message.text())) cspViolations.push(message.text());
    });
    mkdirSync(SCREENSHOTS, { recursive: true });
  });
  after(async () => {
    await context?.close();
    await browser?.close();
    await idp?.close();
  });

  const signInAtProvider = () =>
    signInToDashboard(page, { username: 'olivia', password: PASSWORD, totpSecret: TOTP_SECRET, clock });

  async function notice(): Promise<string> {
    return ((await page.locator('.notices').textContent()) ?? '').trim();
  }

  /** Asks the audit log for the events the filters select and waits until they are shown. */
  async function showAuditEvents(): Promise<void> {
    await page.click('button:text("Show events")');
    await page.waitForSelector('[data-audit-results][aria-busy="false"]');
  }

  async function replaceEditorCode(code: string): Promise<void> {
    await page.click('.cm-content');
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.press('Delete');
    await page.keyboard.insertText(code);
  }

  test('the page is served with a style nonce and no inline script; the bundle is content-hashed', async () => {
    const response = await fetch(`${idp.issuer}/dashboard`);
    assert.equal(response.status, 200);
    const policy = response.headers.get('content-security-policy') ?? '';
    assert.match(policy, /script-src 'self'(;|$)/);
    assert.match(policy, /style-src 'self' 'nonce-[A-Za-z0-9+/]+=*'/);
    const html = await response.text();
    assert.doesNotMatch(html, /<script>|<script [^>]*>[^<]/);
    const script = /src="(\/dashboard\/assets\/dashboard-[A-Z0-9]{8}\.js)"/.exec(html)?.[1];
    assert.ok(script);
    const asset = await fetch(`${idp.issuer}${script}`);
    assert.equal(asset.status, 200);
    assert.equal(asset.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    const preload = /<link rel="modulepreload" href="(\/dashboard\/assets\/chunk-[A-Z0-9]{8}\.js)">/.exec(
      html,
    )?.[1];
    assert.ok(preload, 'the chunk the entry imports is preloaded');
    assert.equal((await fetch(`${idp.issuer}${preload}`)).status, 200);
    assert.equal((await fetch(`${idp.issuer}/dashboard/assets/dashboard-00000000.js`)).status, 404);
  });

  test('an operator signs in with password and TOTP and registers an application', async () => {
    await page.goto(`${idp.issuer}/dashboard`);
    assert.deepEqual(await signInAtProvider(), ['password', 'totp']);
    await page.waitForSelector('main h1:text("Applications")');
    assert.match((await page.textContent('.operator')) ?? '', /Signed in as Olivia Operator/);
    assert.equal(await page.evaluate(() => document.activeElement?.tagName), 'H1');

    await page.getByLabel('Name', { exact: true }).fill('Payroll');
    await page.getByLabel('Client id').fill('payroll');
    await page.getByLabel('Redirect URIs', { exact: true }).fill('http://localhost:5000/auth/callback');
    await page.getByLabel('ID token algorithm').selectOption('ES256');
    await page.getByLabel('Default acr').selectOption(ACR_MULTI_FACTOR);
    await page.getByLabel('Require pushed authorization requests (PAR)').check();
    await page.click('button:text("Register application")');
    await page.waitForSelector('[data-secret]');
    const secret = ((await page.textContent('[data-secret]')) ?? '').trim();
    assert.ok(secret.length >= 32, 'the secret is shown once');
    assert.match(await notice(), /payroll is registered/);
    assert.ok(await page.locator('td:text-is("payroll")').count());

    const stored = await idp.stepup.store.clients.find('payroll');
    assert.deepEqual(stored?.redirect_uris, ['http://localhost:5000/auth/callback']);
    assert.equal(stored?.id_token_signed_response_alg, 'ES256');
    assert.deepEqual(stored?.default_acr_values, [ACR_MULTI_FACTOR]);
    assert.equal(stored?.require_pushed_authorization_requests, true);
    assert.equal(stored?.dpop_bound_access_tokens, undefined);
  });

  test('deploys the seed’s Action from the editor, test-runs it and sees the result and console output', async () => {
    await page.click('nav a:text("Actions")');
    await page.waitForSelector('main h1:text("Actions")');
    await page.getByLabel('Name').fill('salary-step-up');
    await page.click('button:text("Open in the editor")');
    await page.waitForSelector('main h1:text("salary-step-up")');
    await replaceEditorCode(seedActionFor('salary'));
    await page.click('button:text-is("Deploy")');
    await page.waitForSelector('.notices :text("Deployed version 1 of salary-step-up.")');
    const deployed = await idp.stepup.store.actions.find('salary-step-up');
    assert.equal(deployed?.code, seedActionFor('salary'));
    assert.equal(deployed?.version, 1);

    await page.click('button:text("Run test")');
    await page.waitForSelector('[data-test-outcome]');
    assert.equal(await page.textContent('[data-test-outcome]'), 'succeeded');
    assert.match((await page.textContent('[data-test-calls]')) ?? '', /multifactor\.enable/);
    assert.equal(await page.textContent('[data-test-console]'), '(nothing logged)');

    // Version 2 logs the client: the console output shows it.
    const logging = seedActionFor('salary').replace('{\n', `{\n${LOGGED_LINE}`);
    await replaceEditorCode(logging);
    await page.click('button:text-is("Deploy")');
    await page.waitForSelector('.notices :text("Deployed version 2 of salary-step-up.")');
    await page.click('button:text("Run test")');
    await page.waitForSelector('[data-test-console]:text("client salary")');
    assert.equal(await page.textContent('[data-test-outcome]'), 'succeeded');
    assert.equal(await page.locator('section[aria-labelledby="versions-heading"] tbody tr').count(), 2);
    await page.locator('[data-test-console]').scrollIntoViewIfNeeded();
    await page.screenshot({ path: new URL('dashboard-actions.png', SCREENSHOTS).pathname, fullPage: true });
  });

  test('finds the resulting events in the audit log viewer', async () => {
    await page.click('nav a:text("Audit log")');
    await page.waitForSelector('main h1:text("Audit log")');
    await page.getByLabel('Event type').fill('admin.*');
    await showAuditEvents();
    const types = await page.locator('tbody tr td:nth-child(2)').allTextContents();
    assert.deepEqual(types, ['admin.action.deployed', 'admin.action.deployed', 'admin.client.created']);
    // People by username (the id in the tooltip), applications by name.
    const by = page.locator('tbody tr').first().locator('td:nth-child(7) a');
    assert.equal(await by.textContent(), 'olivia');
    assert.equal(await by.getAttribute('title'), `user ${operatorId}`);
    const client = page.locator('tbody tr').last().locator('td:nth-child(5) span');
    assert.equal(await client.textContent(), 'Payroll');
    assert.equal(await client.getAttribute('title'), 'client payroll');
    await page.getByLabel('Event type').fill('');
    await page.getByLabel('Outcome').selectOption('success');
    await showAuditEvents();
    assert.ok(await page.locator('td:text-is("login.succeeded"), td:text-is("stepup.satisfied")').count());
    await page.screenshot({ path: new URL('dashboard-audit.png', SCREENSHOTS).pathname, fullPage: true });
  });

  test('a deploy after the freshness window asks for MFA again, then completes', async () => {
    await page.goto(`${idp.issuer}/dashboard#/actions/salary-step-up`);
    await page.waitForSelector('main h1:text("salary-step-up")');
    offset += FRESH_AUTH_SECONDS + 30;
    const changed = seedActionFor('salary').replace('{\n', "{\n  console.log('version 3');\n");
    await replaceEditorCode(changed);
    await page.click('button:text-is("Deploy")');
    const steps = await signInAtProvider();
    assert.ok(steps.includes('totp'), 'the provider asked for the second factor again');
    await page.waitForSelector(
      '.notices :text("Deployed version 3 of salary-step-up after your new sign-in.")',
    );
    const deployed = await idp.stepup.store.actions.find('salary-step-up');
    assert.equal(deployed?.version, 3);
    assert.equal(deployed?.code, changed);
    assert.equal(new URL(page.url()).hash, '#/actions/salary-step-up');
    assert.deepEqual(cspViolations, []);
  });
});

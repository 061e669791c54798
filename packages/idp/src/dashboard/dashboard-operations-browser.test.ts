import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as oidc from 'openid-client';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { verifyPassword } from '../accounts/password-hashing.ts';
import { hashClientSecret, STORED_SECRET_METADATA } from '../client-secrets/stored-client-secret.ts';
import { launchChromium } from '../testing/chromium.ts';
import { signInToDashboard } from '../testing/dashboard-sign-in.ts';
import { startTestProvider, type TestProvider } from '../testing/test-provider.ts';
import {
  expectCallback,
  expectPage,
  submitPassword,
  TestRelyingParty,
} from '../testing/test-relying-party.ts';
import { CodeThrottle } from '../throttle/code-throttle.ts';

// The dashboard's operations beyond the first set-up, in Chromium against a real provider: the first
// load without the code editor, rotating a client secret (shown once), revoking a user's sessions,
// removing a factor, reordering Actions, deleting one and setting a password after a fresh MFA, and
// paging the audit log — each checked in the store or at the provider, with the refusals (Cancel)
// changing nothing.

const PASSWORD = 'correct horse battery';
const TOTP_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const FRESH_AUTH_SECONDS = 120;
const APP_SECRET = 'an application secret of some length, 32+';
const MAIL_SECRET = 'the secret of the mail application, 32+';
const EMPTY_ACTION = 'exports.onExecutePostLogin = async (event, api) => {};\n';
/** A string only CodeMirror's code holds: its editor's class name. */
const CODEMIRROR_MARK = 'cm-editor';
const AUDIT_PAGE_SIZE = 25;
const SEEDED_FAILURES = 30;

describe('dashboard operations in Chromium', () => {
  let idp: TestProvider;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  /** Seconds the provider's clock is ahead of real time. */
  let offset = 0;
  const clock = () => Math.floor(Date.now() / 1000) + offset;
  const cspViolations: string[] = [];
  const pageErrors: string[] = [];
  /** The paths of the dashboard's scripts, in the order the browser asked for them. */
  const requestedScripts: string[] = [];
  /** When the operator signed in with MFA (the provider's clock). */
  let signedInAt = 0;
  let bobId = '';
  let carolId = '';

  before(async () => {
    [idp, browser] = await Promise.all([
      startTestProvider({ clock, admin: { freshAuthSeconds: FRESH_AUTH_SECONDS } }),
      launchChromium(),
    ]);
    const operator = await idp.addUser('olivia', PASSWORD, { name: 'Olivia Operator' });
    await idp.stepup.store.userManagement.update(operator.id, { roles: ['admin'] });
    await idp.importTotp(operator.id, TOTP_SECRET);
    bobId = (await idp.addUser('bob', PASSWORD)).id;
    carolId = (await idp.addUser('carol', PASSWORD)).id;
    await idp.importTotp(carolId, TOTP_SECRET);
    await idp.stepup.store.recoveryCodes.replaceSet(carolId, ['hash-1', 'hash-2'], clock());
    await idp.addClient({ client_id: 'app', client_name: 'Team app', client_secret: APP_SECRET });
    await idp.addClient({ client_id: 'mail', client_secret: MAIL_SECRET });
    for (const name of ['first', 'second', 'third']) await idp.deployAction(name, EMPTY_ACTION);

    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    page = await context.newPage();
    page.on('console', (message) => {
      if (/Content.Security.Policy|Refused to/i.test(message.text())) cspViolations.push(message.text());
    });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('request', (request) => {
      const { pathname } = new URL(request.url());
      if (/^\/dashboard\/assets\/.+\.js$/.test(pathname)) requestedScripts.push(pathname);
    });
  });
  after(async () => {
    await context?.close();
    await browser?.close();
    await idp?.close();
  });

  const signInAtProvider = () =>
    signInToDashboard(page, { username: 'olivia', password: PASSWORD, totpSecret: TOTP_SECRET, clock });

  /** The scripts among `paths` that hold CodeMirror. */
  async function withCodeMirror(paths: readonly string[]): Promise<string[]> {
    const texts = await Promise.all(paths.map(async (path) => (await fetch(`${idp.issuer}${path}`)).text()));
    return paths.filter((_path, index) => texts[index]?.includes(CODEMIRROR_MARK));
  }

  async function notice(): Promise<string> {
    return ((await page.locator('.notices').textContent()) ?? '').trim();
  }

  /** Answers the open confirm dialog. */
  async function answerDialog(answer: 'confirm' | 'cancel'): Promise<void> {
    await page.waitForSelector('dialog[open]');
    await page.click(`dialog[open] button[value="${answer}"]`);
    await page.waitForSelector('dialog', { state: 'detached' });
  }

  async function openRoute(hash: string, heading: string): Promise<void> {
    await page.goto(`${idp.issuer}/dashboard${hash}`);
    await page.waitForSelector(`main h1:text-is("${heading}")`);
  }

  /** Asks the audit log for the events the filters select and waits until they are shown. */
  async function showAuditEvents(): Promise<void> {
    await page.click('button:text("Show events")');
    await page.waitForSelector('[data-audit-results][aria-busy="false"]');
  }

  /** Whether the provider's token endpoint takes this secret for `app` (a bad grant, not a bad client). */
  async function tokenEndpointAccepts(secret: string): Promise<boolean> {
    const response = await fetch(`${idp.issuer}/oauth/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`app:${encodeURIComponent(secret)}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: 'not-a-refresh-token' }),
    });
    const { error } = (await response.json()) as { error: string };
    assert.ok(error === 'invalid_grant' || error === 'invalid_client', `unexpected ${error}`);
    return error === 'invalid_grant';
  }

  test('the first load brings no code editor; the Action page loads it as one more chunk', async () => {
    await page.goto(`${idp.issuer}/dashboard`);
    assert.deepEqual(await signInAtProvider(), ['password', 'totp']);
    signedInAt = clock();
    await page.waitForSelector('main h1:text-is("Applications")');
    const firstLoad = [...new Set(requestedScripts)];
    assert.equal(firstLoad.length, 2, 'the entry and the chunk it imports');
    assert.deepEqual(await withCodeMirror(firstLoad), []);

    await page.click('nav a:text("Actions")');
    await page.click('main a:text-is("first")');
    await page.waitForSelector('main h1:text-is("first")');
    await page.waitForSelector('.cm-content');
    const later = [...new Set(requestedScripts)].filter((path) => !firstLoad.includes(path));
    assert.equal(later.length, 1, 'one chunk for the Action page');
    assert.deepEqual(await withCodeMirror(later), later);
  });

  test('rotates a client secret: Cancel keeps it; the new one is shown once; the old one ends later or now', async () => {
    const rotate = async (endNow: boolean): Promise<string> => {
      await page.click('button[aria-label="Rotate the secret of app"]');
      await page.waitForSelector('dialog[open]');
      if (endNow) await page.check('dialog[open] input[name="end_now"]');
      await answerDialog('confirm');
      await page.waitForSelector('[data-secret]');
      return ((await page.textContent('[data-secret]')) ?? '').trim();
    };
    await openRoute('#/applications', 'Applications');
    await page.click('button[aria-label="Rotate the secret of app"]');
    await answerDialog('cancel');
    assert.deepEqual((await idp.stepup.store.clients.find('app'))?.[STORED_SECRET_METADATA], {
      sha256: hashClientSecret(APP_SECRET),
    });
    assert.equal(await page.locator('[data-secret]').count(), 0);

    // By default the old secret keeps working while the application moves over.
    const first = await rotate(false);
    assert.ok(first.length >= 32);
    assert.notEqual(first, APP_SECRET);
    assert.match(await notice(), /^The secret of app was rotated; the old one keeps working until .+\.$/);
    assert.equal(await tokenEndpointAccepts(first), true);
    assert.equal(await tokenEndpointAccepts(APP_SECRET), true);
    assert.equal(await tokenEndpointAccepts(`${first}x`), false);

    // A leaked secret ends at once (and so does the one kept from the rotation before).
    const second = await rotate(true);
    assert.equal(await notice(), 'The secret of app was rotated; the old one no longer works.');
    assert.equal(await tokenEndpointAccepts(second), true);
    assert.equal(await tokenEndpointAccepts(first), false);
    assert.equal(await tokenEndpointAccepts(APP_SECRET), false);

    // Shown once: back on the page, it is gone.
    await page.click('nav a:text("Users")');
    await page.waitForSelector('main h1:text-is("Users")');
    await page.click('nav a:text("Applications")');
    await page.waitForSelector('main h1:text-is("Applications")');
    assert.equal(await page.locator('[data-secret]').count(), 0);
    assert.equal(await page.locator(`text=${second}`).count(), 0);
  });

  test("revokes a user's sessions and refresh tokens", async () => {
    const rp = await TestRelyingParty.discover(idp.issuer, 'mail', { client_secret: MAIL_SECRET });
    const pending = await rp.authorizationUrl({ scope: 'openid offline_access', prompt: 'consent' });
    const login = expectPage(await rp.open(pending));
    const callback = expectCallback(await submitPassword(rp.browser, login.html, 'bob', PASSWORD));
    const tokens = await rp.redeem(callback, pending);
    assert.ok(tokens.refresh_token);
    const refreshed = await oidc.refreshTokenGrant(rp.config, tokens.refresh_token);
    assert.ok(refreshed.refresh_token);

    await openRoute(`#/users/${bobId}`, 'bob');
    await page.click('button:text-is("Revoke sessions")');
    await answerDialog('cancel');
    const stillValid = await oidc.refreshTokenGrant(rp.config, refreshed.refresh_token);
    assert.ok(stillValid.refresh_token, 'Cancel revokes nothing');

    await page.click('button:text-is("Revoke sessions")');
    await answerDialog('confirm');
    await page.waitForSelector('.notices :text("Done: Revoke the sessions of bob.")');
    await assert.rejects(oidc.refreshTokenGrant(rp.config, stillValid.refresh_token), (error: unknown) => {
      assert.ok(error instanceof oidc.ResponseBodyError);
      assert.equal(error.error, 'invalid_grant');
      return true;
    });
  });

  test('removes a factor; recovery codes offer no Remove', async () => {
    await openRoute(`#/users/${carolId}`, 'carol');
    const factorRows = page.locator('section[aria-labelledby="factors-heading"] tbody tr');
    assert.equal(await factorRows.count(), 2);
    assert.equal(await page.locator('button[aria-label="Remove Recovery codes"]').count(), 0);
    await page.click('button[aria-label="Remove test"]');
    await answerDialog('cancel');
    assert.equal((await idp.stepup.store.factors.listForUser(carolId)).length, 1);

    await page.click('button[aria-label="Remove test"]');
    await answerDialog('confirm');
    await page.waitForSelector('.notices :text("Done: Remove a factor of carol.")');
    await page.waitForSelector('button[aria-label="Remove test"]', { state: 'detached' });
    assert.equal(await factorRows.count(), 1);
    assert.deepEqual(await idp.stepup.store.factors.listForUser(carolId), []);
    assert.equal((await idp.stepup.store.recoveryCodes.summary(carolId))?.remaining, 2);
  });

  test("clears a user's code lock", async () => {
    const codes = new CodeThrottle(idp.stepup.store, idp.stepup.config);
    for (let login = 0; login < 100; login += 1) {
      await codes.attempt({
        accountId: bobId,
        interactionUid: `lock-${login}`,
        now: clock() - 100 * 3600 + login * 3600,
      });
    }
    await openRoute(`#/users/${bobId}`, 'bob');
    await page.waitForSelector(
      'section[aria-labelledby="locks-heading"] :text("Second-factor codes: locked after 100 failures in a row")',
    );
    await page.click('button:text-is("Clear sign-in locks")');
    await page.waitForSelector('.notices :text("Done: Clear the sign-in locks of bob.")');
    await page.waitForSelector('button:text-is("Clear sign-in locks")', { state: 'detached' });
    assert.deepEqual(await codes.status(bobId, clock()), { failures: 0, locked: false });
  });

  test('reorders the Actions and saves the order', async () => {
    await openRoute('#/actions', 'Actions');
    const names = () => page.locator('tbody tr td:nth-child(2)').allTextContents();
    assert.deepEqual(await names(), ['first', 'second', 'third']);
    assert.equal(await page.isDisabled('button[aria-label="Move first up"]'), true);
    assert.equal(await page.isDisabled('button[aria-label="Move third down"]'), true);
    assert.equal(await page.isDisabled('button:text-is("Save order")'), true);

    await page.click('button[aria-label="Move third up"]');
    await page.click('button[aria-label="Move third up"]');
    assert.deepEqual(await names(), ['third', 'first', 'second']);
    const stored = async () =>
      (await idp.stepup.store.actions.list()).sort((a, b) => a.position - b.position).map((a) => a.name);
    assert.deepEqual(await stored(), ['first', 'second', 'third'], 'nothing saved before Save order');

    await page.click('button:text-is("Save order")');
    await page.waitForSelector('.notices :text("The new order is saved")');
    assert.deepEqual(await stored(), ['third', 'first', 'second']);
    assert.equal(await page.isDisabled('button:text-is("Save order")'), true);
    await openRoute('#/actions', 'Actions');
    assert.deepEqual(await names(), ['third', 'first', 'second']);
  });

  test('pages through the audit log, newest first, filtered by username', async () => {
    const start = clock() - 3600;
    for (let n = 0; n < SEEDED_FAILURES; n += 1) {
      await idp.stepup.store.auditEvents.append({
        time: start + n,
        type: 'login.failed',
        outcome: 'failure',
        userId: bobId,
        clientId: 'app',
        ip: '203.0.113.9',
        details: { n },
      });
    }
    await openRoute('#/audit', 'Audit log');
    await page.getByLabel('Event type').fill('login.failed');
    await page.getByLabel('User', { exact: true }).fill('bob');
    await showAuditEvents();
    const details = () => page.locator('tbody tr td:nth-child(8)').allTextContents();
    const expected = (from: number, to: number) =>
      Array.from({ length: from - to + 1 }, (_, index) => JSON.stringify({ n: from - index }));

    assert.deepEqual(await details(), expected(SEEDED_FAILURES - 1, SEEDED_FAILURES - AUDIT_PAGE_SIZE));
    assert.equal(await page.textContent('.pager span'), 'Page 1');
    assert.equal(await page.isDisabled('button:text-is("Newer")'), true);
    assert.deepEqual(await page.locator('tbody tr td:nth-child(4) a').allTextContents(), [
      ...Array(AUDIT_PAGE_SIZE).fill('bob'),
    ]);
    assert.equal(
      await page.locator('tbody tr').first().locator('td:nth-child(5) span').textContent(),
      'Team app',
    );

    await page.click('button:text-is("Older")');
    await page.waitForSelector('.pager span:text-is("Page 2")');
    assert.deepEqual(await details(), expected(SEEDED_FAILURES - AUDIT_PAGE_SIZE - 1, 0));
    assert.equal(await page.isDisabled('button:text-is("Older")'), true);

    await page.click('button:text-is("Newer")');
    await page.waitForSelector('.pager span:text-is("Page 1")');
    assert.deepEqual(await details(), expected(SEEDED_FAILURES - 1, SEEDED_FAILURES - AUDIT_PAGE_SIZE));
  });

  test('deletes an Action: Cancel keeps it; after the freshness window it asks for MFA, then deletes', async () => {
    await openRoute('#/actions/second', 'second');
    await page.click('button:text-is("Delete")');
    await answerDialog('cancel');
    assert.ok(await idp.stepup.store.actions.find('second'));

    // Just past the freshness window, still within the access token's lifetime.
    offset += signedInAt + FRESH_AUTH_SECONDS + 10 - clock();
    await page.click('button:text-is("Delete")');
    await answerDialog('confirm');
    const steps = await signInAtProvider();
    assert.ok(steps.includes('totp'), 'the provider asked for the second factor again');
    await page.waitForSelector('.notices :text("Done after your new sign-in: Delete second.")');
    assert.equal(new URL(page.url()).hash, '#/actions');
    assert.equal(await idp.stepup.store.actions.find('second'), undefined);
    assert.deepEqual(await page.locator('tbody tr td:nth-child(2)').allTextContents(), ['third', 'first']);
  });

  test("sets a user's password; after the freshness window it asks for MFA, then sets it", async () => {
    const dave = await idp.addUser('dave', PASSWORD);
    const isDavesPassword = async (password: string) =>
      verifyPassword((await idp.stepup.store.users.findByLogin('dave'))?.passwordHash, password);
    await openRoute(`#/users/${dave.id}`, 'dave');
    await page.fill('input[name="new_password"]', 'first new passphrase');
    await page.click('button:text-is("Set password")');
    await page.waitForSelector('.notices :text("Done: Set the password of dave.")');
    assert.ok(await isDavesPassword('first new passphrase'));
    assert.equal(await page.inputValue('input[name="new_password"]'), '');

    // Past the freshness window (still within the access token's lifetime): PUT /users/{id}/password
    // needs a recent MFA sign-in, so the dashboard sends the operator through one and back.
    offset += FRESH_AUTH_SECONDS + 10;
    await page.fill('input[name="new_password"]', 'second new passphrase');
    await page.click('button:text-is("Set password")');
    const steps = await signInAtProvider();
    assert.ok(steps.includes('totp'), 'the provider asked for the second factor again');
    await page.waitForSelector('.notices :text("Done after your new sign-in: Set the password of dave.")');
    assert.equal(new URL(page.url()).hash, `#/users/${dave.id}`);
    assert.ok(await isDavesPassword('second new passphrase'));
    // The password waited in this tab's sessionStorage for the round trip only.
    assert.equal(await page.evaluate(() => JSON.stringify(sessionStorage).includes('passphrase')), false);
  });

  test("the provider's own clients: no Delete for the dashboard's; the account page named in the audit log", async () => {
    await openRoute('#/applications', 'Applications');
    assert.equal(await page.isVisible('button[aria-label="Delete app"]'), true, 'a registered application');
    assert.equal(await page.locator('button[aria-label="Delete stepup-dashboard"]').count(), 0);

    await idp.stepup.store.auditEvents.append({
      time: clock(),
      type: 'factor.renamed',
      outcome: 'success',
      userId: bobId,
      clientId: 'stepup-account',
      ip: '203.0.113.10',
      details: { factor: 'totp', factorId: 'f1' },
    });
    await openRoute('#/audit', 'Audit log');
    await page.getByLabel('Event type').fill('factor.renamed');
    await showAuditEvents();
    const client = page.locator('tbody tr').first().locator('td:nth-child(5) span');
    assert.equal(await client.textContent(), 'Account page');
  });

  test('a new Action offers neither Disable nor Delete; nothing broke the page policy', async () => {
    await openRoute('#/actions/not-yet', 'not-yet');
    assert.equal(await page.isVisible('button:text-is("Delete")'), false);
    assert.equal(await page.isVisible('button:text-is("Disable")'), false);
    assert.deepEqual(cspViolations, []);
    assert.deepEqual(pageErrors, []);
  });
});

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { after, before, describe, type TestContext, test } from 'node:test';
import { ACR_MULTI_FACTOR, ACR_PHISHING_RESISTANT, DEFAULT_ACR_LADDER } from '@stepup/core';
import pino from 'pino';
import type { Browser, Page, Response } from 'playwright-core';
import {
  addVirtualAuthenticator,
  type CallbackServer,
  launchChromium,
  startCallbackServer,
  type VirtualAuthenticator,
  type VirtualAuthenticatorKind,
} from '../../testing/chromium.ts';
import { startTestProvider, type TestProvider } from '../../testing/test-provider.ts';
import { TestRelyingParty } from '../../testing/test-relying-party.ts';
import { WEBAUTHN_ERROR_HEADER } from './refuse-webauthn-response.ts';

const PASSWORD = 'correct horse battery';
const CLIENT_SECRET = 'webauthn-client-secret-0123456789abcdef';
/** Another origin on the same host: the RP ID (`localhost`) is the same, the origin is not. */
const LOOK_ALIKE_ORIGIN = 'http://localhost:9';

const simpleWebAuthnBundle = readFileSync(
  join(
    dirname(createRequire(import.meta.url).resolve('@simplewebauthn/browser')),
    '..',
    'dist',
    'bundle',
    'index.umd.min.js',
  ),
  'utf8',
);

/** What the page script leaves on `window`; only for `page.evaluate` below. */
type WithLibrary = typeof globalThis & {
  SimpleWebAuthnBrowser: { startAuthentication(options: { optionsJSON: unknown }): Promise<unknown> };
};

describe('WebAuthn in Chromium with a virtual authenticator', () => {
  let idp: TestProvider;
  let browser: Browser;
  let callback: CallbackServer;
  const events: Record<string, unknown>[] = [];

  before(async () => {
    const logger = pino({ level: 'info' }, { write: (line: string) => events.push(JSON.parse(line)) });
    [idp, browser, callback] = await Promise.all([
      startTestProvider({ logger }),
      launchChromium(),
      startCallbackServer(),
    ]);
    await idp.addClient({
      client_id: 'app',
      client_secret: CLIENT_SECRET,
      client_name: 'Salary',
      redirect_uris: [callback.redirectUri],
    });
  });
  after(async () => {
    await browser?.close();
    await callback?.close();
    await idp?.close();
  });

  async function openTab(t: TestContext, kind: VirtualAuthenticatorKind, javaScriptEnabled = true) {
    const context = await browser.newContext({ javaScriptEnabled });
    t.after(() => context.close());
    const page = await context.newPage();
    return { page, authenticator: await addVirtualAuthenticator(page, kind) };
  }

  async function startLogin(page: Page, params: Record<string, string>) {
    const rp = await TestRelyingParty.discover(idp.issuer, 'app', { client_secret: CLIENT_SECRET });
    const pending = await rp.authorizationUrl({ redirect_uri: callback.redirectUri, ...params });
    await page.goto(pending.url.href);
    return { rp, pending };
  }

  /** Clicks and waits for the page it leads to (form posts, redirects and all). */
  async function clickThrough(page: Page, selector: string): Promise<void> {
    await Promise.all([page.waitForNavigation(), page.locator(selector).click()]);
  }

  /** Clicks the last button of a login: resolves with the redirect back to the application. */
  async function clickToCallback(page: Page, selector: string): Promise<URL> {
    return callback.follow(page, () => page.locator(selector).click());
  }

  async function signInWithPassword(page: Page, username: string): Promise<void> {
    await page.fill('#username', username);
    await page.fill('#password', PASSWORD);
    await clickThrough(page, 'form[action$="/password"] button[type="submit"]');
  }

  async function heading(page: Page): Promise<string> {
    return (await page.locator('h1').textContent()) ?? '';
  }

  async function claimsOf(login: Awaited<ReturnType<typeof startLogin>>, callback: URL) {
    const tokens = await login.rp.redeem(callback, login.pending);
    const claims = tokens.claims();
    assert.ok(claims);
    return claims;
  }

  /** Posts a WebAuthn response with the page's own form, as the page script would. */
  async function submitResponse(page: Page, path: string, json: string): Promise<Response> {
    const [response] = await Promise.all([
      page.waitForResponse(
        (candidate) =>
          candidate.request().method() === 'POST' && new URL(candidate.url()).pathname.endsWith(path),
      ),
      page.waitForNavigation(),
      page.evaluate(
        ({ path, json }) => {
          const form = document.querySelector<HTMLFormElement>(`form[action$="${path}"]`);
          const field = form?.elements.namedItem('response') as HTMLInputElement | null;
          if (!form || !field) throw new Error(`no form posting to ${path}`);
          field.value = json;
          // After this evaluation returns: the navigation would otherwise end it midway.
          setTimeout(() => form.submit(), 0);
        },
        { path, json },
      ),
    ]);
    return response;
  }

  /** Fetches options as the page script does: a new challenge for this interaction each time. */
  async function fetchOptions(page: Page): Promise<unknown> {
    return page.evaluate(async () => {
      const form = document.querySelector<HTMLFormElement>('form[data-webauthn]');
      const csrf = (form?.elements.namedItem('csrf') as HTMLInputElement | null)?.value;
      const response = await fetch(form?.dataset.optionsUrl ?? '', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ csrf }),
      });
      return response.json();
    });
  }

  async function assertWith(page: Page, optionsJSON: unknown): Promise<string> {
    return page.evaluate(
      async (optionsJSON) =>
        JSON.stringify(
          await (globalThis as WithLibrary).SimpleWebAuthnBrowser.startAuthentication({ optionsJSON }),
        ),
      optionsJSON,
    );
  }

  /** A person with a password only enrolls a security key in a multi-factor step-up. */
  async function enrollSecurityKey(page: Page, username: string) {
    const login = await startLogin(page, { acr_values: ACR_MULTI_FACTOR });
    await signInWithPassword(page, username);
    // Enrollment is offered next to the other factors; the security key is one click away.
    await clickThrough(page, 'form[action$="/choose"] button[value="security-key"]');
    assert.equal(await heading(page), 'Add a security key or passkey');
    await clickThrough(page, 'form[data-webauthn="register"] button');
    // A first second factor: recovery codes are shown once before going back to the application.
    return claimsOf(login, await clickToCallback(page, 'form[action$="/recovery-codes/continue"] button'));
  }

  async function storedCredential(userId: string) {
    const credentials = await idp.stepup.store.webauthnCredentials.listForUser(userId);
    assert.equal(credentials.length, 1);
    const [credential] = credentials;
    assert.ok(credential);
    return credential;
  }

  async function signCount(authenticator: VirtualAuthenticator): Promise<number> {
    const [credential] = await authenticator.credentials();
    assert.ok(credential);
    return credential.signCount;
  }

  test('a security key enrolled during a multi-factor step-up, then used as the second factor: amr hwk', async (t) => {
    const user = await idp.addUser('keyholder', PASSWORD);
    const { page, authenticator } = await openTab(t, 'security-key');

    // Multi-factor was asked for; password and a security key prove more (the key is phishing
    // resistant), and the token says what was proven: the highest level met.
    const enrolled = await enrollSecurityKey(page, 'keyholder');
    assert.equal(enrolled.acr, ACR_PHISHING_RESISTANT);
    assert.ok(DEFAULT_ACR_LADDER.meets(String(enrolled.acr), ACR_MULTI_FACTOR));
    assert.deepEqual(enrolled.amr, ['hwk', 'mfa', 'pwd']);
    const credential = await storedCredential(user.id);
    const [virtual] = await authenticator.credentials();
    assert.equal(
      credential.id,
      virtual?.credentialId.replace(/=+$/, '').replaceAll('+', '-').replaceAll('/', '_'),
    );
    assert.deepEqual(
      {
        deviceType: credential.deviceType,
        attachment: credential.attachment,
        backedUp: credential.backedUp,
        transports: credential.transports,
        name: credential.name,
        counter: credential.counter,
      },
      {
        deviceType: 'singleDevice',
        attachment: 'cross-platform',
        backedUp: false,
        transports: ['usb'],
        name: 'Security key',
        counter: await signCount(authenticator),
      },
    );

    await page.context().clearCookies();
    const login = await startLogin(page, { acr_values: ACR_MULTI_FACTOR });
    await signInWithPassword(page, 'keyholder');
    assert.equal(await heading(page), 'Use your security key or passkey');
    const claims = await claimsOf(
      login,
      await clickToCallback(page, 'form[data-webauthn="authenticate"] button'),
    );
    assert.equal(claims.sub, user.id);
    assert.equal(claims.acr, ACR_PHISHING_RESISTANT);
    assert.deepEqual(claims.amr, ['hwk', 'mfa', 'pwd']);
    const used = await storedCredential(user.id);
    assert.equal(used.counter, await signCount(authenticator));
    assert.ok(used.counter > credential.counter, 'the counter moved forward');
    assert.notEqual(used.lastUsedAt, null);
  });

  test('a platform passkey with user verification meets the phishing-resistant level, then signs in by itself', async (t) => {
    const user = await idp.addUser('pat', PASSWORD);
    const { page } = await openTab(t, 'platform-passkey');

    const first = await startLogin(page, { acr_values: ACR_PHISHING_RESISTANT });
    await signInWithPassword(page, 'pat');
    // Only a security key or passkey reaches this level: it is the one thing offered.
    assert.equal(await heading(page), 'Add a security key or passkey');
    assert.equal(await page.locator('form[action$="/choose"]').count(), 0);
    await clickThrough(page, 'form[data-webauthn="register"] button');
    const enrolled = await claimsOf(
      first,
      await clickToCallback(page, 'form[action$="/recovery-codes/continue"] button'),
    );
    assert.equal(enrolled.acr, ACR_PHISHING_RESISTANT);
    assert.deepEqual(enrolled.amr, ['mfa', 'pwd', 'swk', 'user']);
    const credential = await storedCredential(user.id);
    assert.deepEqual([credential.attachment, credential.name], ['platform', 'Passkey']);

    // Passkey sign-in as the first step: no username, no password, and still the top level.
    await page.context().clearCookies();
    const second = await startLogin(page, { acr_values: ACR_PHISHING_RESISTANT });
    assert.equal(
      await page.locator('form[action$="/passkey"] button').textContent(),
      'Sign in with a passkey',
    );
    const claims = await claimsOf(second, await clickToCallback(page, 'form[action$="/passkey"] button'));
    assert.equal(claims.sub, user.id);
    assert.equal(claims.acr, ACR_PHISHING_RESISTANT);
    assert.deepEqual(claims.amr, ['mfa', 'swk', 'user']);
  });

  test('a passkey on a security key with a PIN signs in by itself: hwk and user', async (t) => {
    const user = await idp.addUser('hana', PASSWORD);
    const { page } = await openTab(t, 'security-key-with-pin');
    const enrolled = await enrollSecurityKey(page, 'hana');
    assert.deepEqual(enrolled.amr, ['hwk', 'mfa', 'pwd', 'user']);

    await page.context().clearCookies();
    const login = await startLogin(page, { acr_values: ACR_MULTI_FACTOR });
    const claims = await claimsOf(login, await clickToCallback(page, 'form[action$="/passkey"] button'));
    assert.equal(claims.sub, user.id);
    assert.equal(claims.acr, ACR_PHISHING_RESISTANT);
    assert.deepEqual(claims.amr, ['hwk', 'mfa', 'user']);
  });

  test('a response made on another origin is refused, and changes nothing', async (t) => {
    const user = await idp.addUser('target', PASSWORD);
    const { page } = await openTab(t, 'security-key');
    await enrollSecurityKey(page, 'target');
    const before = await storedCredential(user.id);

    await page.context().clearCookies();
    const login = await startLogin(page, { acr_values: ACR_MULTI_FACTOR });
    await signInWithPassword(page, 'target');
    const challengePage = page.url();
    const options = await fetchOptions(page);
    // A look-alike page on another port asks the same authenticator with the provider's own options.
    await page.route(`${LOOK_ALIKE_ORIGIN}/**`, (route) =>
      route.fulfill({
        contentType: 'text/html',
        body: `<!doctype html><title>Sign in</title><script>${simpleWebAuthnBundle}</script>`,
      }),
    );
    await page.goto(`${LOOK_ALIKE_ORIGIN}/login`);
    const relayed = await assertWith(page, options);
    assert.equal(
      JSON.parse(Buffer.from(JSON.parse(relayed).response.clientDataJSON, 'base64url').toString()).origin,
      LOOK_ALIKE_ORIGIN,
    );

    await page.goto(challengePage);
    const answer = await submitResponse(page, '/webauthn', relayed);
    assert.equal(answer.status(), 400);
    assert.equal(answer.headers()[WEBAUTHN_ERROR_HEADER], 'origin_mismatch');
    assert.equal(await heading(page), 'Use your security key or passkey');
    assert.deepEqual(await storedCredential(user.id), before);
    assert.ok(
      events.some(
        (event) =>
          event.event === 'webauthn.rejected' &&
          event.reason === 'origin_mismatch' &&
          event.userId === user.id,
      ),
    );

    // The real page still works.
    const landed = await clickToCallback(page, 'form[data-webauthn="authenticate"] button');
    assert.deepEqual((await claimsOf(login, landed)).amr, ['hwk', 'mfa', 'pwd']);
  });

  test('a stale or already used challenge is refused, and changes nothing', async (t) => {
    const user = await idp.addUser('replayer', PASSWORD);
    const { page } = await openTab(t, 'security-key');
    await enrollSecurityKey(page, 'replayer');
    const before = await storedCredential(user.id);

    await page.context().clearCookies();
    const login = await startLogin(page, { acr_values: ACR_MULTI_FACTOR });
    await signInWithPassword(page, 'replayer');

    // Stale: answered an earlier challenge, after the page asked for a newer one.
    const stale = await assertWith(page, await fetchOptions(page));
    await fetchOptions(page);
    let answer = await submitResponse(page, '/webauthn', stale);
    assert.equal(answer.status(), 400);
    assert.equal(answer.headers()[WEBAUTHN_ERROR_HEADER], 'challenge_mismatch');

    // Used: a challenge is checked once, pass or fail; a valid answer to it comes too late.
    const late = await assertWith(page, await fetchOptions(page));
    answer = await submitResponse(page, '/webauthn', '{"id":"x"}');
    assert.equal(answer.headers()[WEBAUTHN_ERROR_HEADER], 'malformed_response');
    answer = await submitResponse(page, '/webauthn', late);
    assert.equal(answer.status(), 400);
    assert.equal(answer.headers()[WEBAUTHN_ERROR_HEADER], 'challenge_not_found');
    assert.deepEqual(await storedCredential(user.id), before);

    const landed = await clickToCallback(page, 'form[data-webauthn="authenticate"] button');
    assert.equal((await claimsOf(login, landed)).acr, ACR_PHISHING_RESISTANT);
  });

  test('a signature counter that does not move forward is refused as a possible clone', async (t) => {
    const user = await idp.addUser('cloned', PASSWORD);
    const { page, authenticator } = await openTab(t, 'security-key');
    await enrollSecurityKey(page, 'cloned');
    const [original] = await authenticator.credentials();
    assert.ok(original);

    // The key is used once (the stored counter moves on)…
    await page.context().clearCookies();
    await startLogin(page, { acr_values: ACR_MULTI_FACTOR });
    await signInWithPassword(page, 'cloned');
    await clickToCallback(page, 'form[data-webauthn="authenticate"] button');
    const stored = await storedCredential(user.id);
    assert.equal(stored.counter, await signCount(authenticator));

    // …then a copy made before that use signs: its counter is not above the stored one.
    const { cdp, authenticatorId } = authenticator;
    await cdp.send('WebAuthn.removeCredential', { authenticatorId, credentialId: original.credentialId });
    await cdp.send('WebAuthn.addCredential', {
      authenticatorId,
      credential: { ...original, signCount: stored.counter - 1 },
    });
    await page.context().clearCookies();
    await startLogin(page, { acr_values: ACR_MULTI_FACTOR });
    await signInWithPassword(page, 'cloned');
    const [answer] = await Promise.all([
      page.waitForResponse((response) => new URL(response.url()).pathname.endsWith('/webauthn')),
      page.waitForNavigation(),
      page.locator('form[data-webauthn="authenticate"] button').click(),
    ]);
    assert.equal(answer.status(), 400);
    assert.equal(answer.headers()[WEBAUTHN_ERROR_HEADER], 'counter_regression');
    assert.ok((await signCount(authenticator)) <= stored.counter);
    assert.deepEqual(await storedCredential(user.id), stored);
    const clone = events.find((event) => event.event === 'webauthn.possible_clone');
    assert.deepEqual(
      [clone?.userId, clone?.credentialId, clone?.clientId, clone?.level],
      [user.id, stored.id, 'app', 40],
    );
  });

  test('without JavaScript the page says so and offers the other factors', async (t) => {
    const user = await idp.addUser('noscript', PASSWORD);
    await idp.importTotp(user.id, 'KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU');
    await idp.stepup.store.webauthnCredentials.add({
      id: 'bm9zY3JpcHQta2V5',
      userId: user.id,
      publicKey: new Uint8Array([0xa0]),
      counter: 0,
      transports: ['usb'],
      aaguid: '00000000-0000-0000-0000-000000000000',
      deviceType: 'singleDevice',
      backedUp: false,
      attachment: 'cross-platform',
      name: 'Security key',
      now: Math.floor(Date.now() / 1000),
    });
    const { page } = await openTab(t, 'security-key', false);
    await startLogin(page, { acr_values: ACR_MULTI_FACTOR });
    assert.equal(await page.locator('form[action$="/passkey"]').isVisible(), false);
    await signInWithPassword(page, 'noscript');
    assert.equal(await heading(page), 'Use your security key or passkey');
    assert.equal(await page.locator('form[data-webauthn] button').isVisible(), false);
    const notice = page.locator('noscript .notice');
    assert.equal(await notice.isVisible(), true);
    assert.match((await notice.textContent()) ?? '', /need JavaScript, which is off in this browser/);
    await clickThrough(page, 'form[action$="/choose"] button[value="totp"]');
    assert.equal(await heading(page), 'Enter your verification code');
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ACR_MULTI_FACTOR } from '@stepup/core';
import { totpCodeAt } from '../factors/totp/totp.ts';
import { formAction, hiddenField, type TestBrowser } from '../testing/test-browser.ts';
import { startTestProvider, type TestProvider } from '../testing/test-provider.ts';
import {
  expectCallback,
  expectPage,
  submitPassword,
  submitTotp,
  TestRelyingParty,
} from '../testing/test-relying-party.ts';
import { PROVIDER_ROUTES } from './provider-routes.ts';

const PASSWORD = 'correct horse battery';
const CLIENT_SECRET = 'session-client-secret-0123456789abcdef';
const TOTP_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const POST_LOGOUT_REDIRECT_URI = 'http://127.0.0.1:9/signed-out';
const now = () => Math.floor(Date.now() / 1000);

/** Follows redirects within the provider like `TestBrowser.navigate`, keeping every Set-Cookie line. */
async function walk(browser: TestBrowser, url: string, form?: Record<string, string>) {
  const { origin } = browser;
  const setCookies: string[] = [];
  let response = await browser.request(url, form ? { form } : {});
  let current = new URL(url, origin);
  for (let hops = 0; hops < 20; hops += 1) {
    setCookies.push(...response.headers.getSetCookie());
    const location = response.headers.get('location');
    if (response.status < 300 || response.status >= 400 || !location) {
      return { setCookies, page: response, html: await response.text() };
    }
    current = new URL(location, current);
    if (current.origin !== origin) return { setCookies, left: current };
    response = await browser.request(current.href);
  }
  throw new Error('too many redirects');
}

/** The session cookies of the browser as a Cookie header, to replay them after they changed. */
function sessionCookie(browser: TestBrowser): string {
  return `_session=${browser.cookie('_session')}; _session.sig=${browser.cookie('_session.sig')}`;
}

function assertSecurityHeaders(response: Response, what: string) {
  assert.match(response.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/, what);
  assert.equal(response.headers.get('x-content-type-options'), 'nosniff', what);
  assert.equal(response.headers.get('referrer-policy'), 'no-referrer', what);
}

describe('the browser session, its pages and its cookies', () => {
  let idp: TestProvider;

  before(async () => {
    idp = await startTestProvider();
    await idp.addUser('alice', PASSWORD);
    await idp.addClient({
      client_id: 'app',
      client_secret: CLIENT_SECRET,
      post_logout_redirect_uris: [POST_LOGOUT_REDIRECT_URI],
    });
  });
  after(() => idp.close());

  const app = () => TestRelyingParty.discover(idp.issuer, 'app', { client_secret: CLIENT_SECRET });

  async function signIn(rp: TestRelyingParty, username = 'alice') {
    const pending = await rp.authorizationUrl();
    const login = expectPage(await rp.open(pending));
    return rp.redeem(
      expectCallback(await submitPassword(rp.browser, login.html, username, PASSWORD)),
      pending,
    );
  }

  /**
   * A prompt=none authorization in the browser, or with only the given cookie header; returns the
   * callback's error (null when a code came back).
   */
  async function silentError(rp: TestRelyingParty, cookie?: string): Promise<string | null> {
    const pending = await rp.authorizationUrl({ prompt: 'none' });
    if (cookie === undefined) return expectCallback(await rp.open(pending)).searchParams.get('error');
    const response = await fetch(pending.url, { redirect: 'manual', headers: { cookie } });
    return new URL(response.headers.get('location') ?? '', idp.issuer).searchParams.get('error');
  }

  test('an unregistered redirect_uri gets an error page, never a redirect', async () => {
    const rp = await app();
    const bad = 'https://evil.example/callback?x="><script>alert(1)</script>';
    const pending = await rp.authorizationUrl({ redirect_uri: bad });
    const response = await rp.browser.request(pending.url.href);
    assert.equal(response.status, 400);
    assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
    assert.equal(response.headers.get('location'), null);
    const html = await response.text();
    assert.equal(html.includes('<script>alert(1)</script>'), false);
    assert.equal(html.includes(bad), false);
  });

  test('the login page and discovery carry the security headers', async () => {
    const rp = await app();
    const login = expectPage(await rp.open(await rp.authorizationUrl()));
    assert.match(login.html, /name="password"/);
    assertSecurityHeaders(login.page, 'login page');
    const discovery = await fetch(new URL('/.well-known/openid-configuration', idp.issuer));
    assert.equal(discovery.status, 200);
    assertSecurityHeaders(discovery, 'discovery');
  });

  test('every cookie the provider sets is HttpOnly and SameSite=Lax', async () => {
    const rp = await app();
    const pending = await rp.authorizationUrl();
    const login = await walk(rp.browser, pending.url.href);
    const html = login.html ?? '';
    const submit = await walk(rp.browser, formAction(html, '/password'), {
      csrf: hiddenField(html, 'csrf'),
      username: 'alice',
      password: PASSWORD,
    });
    assert.ok(submit.left, 'the login ends at the application');
    const lines = [...login.setCookies, ...submit.setCookies];
    const names = new Set(lines.map((line) => line.slice(0, line.indexOf('='))));
    for (const name of ['_interaction', '_interaction_resume', '_session', 'stepup_known']) {
      assert.ok(names.has(name), name);
    }
    for (const line of lines) {
      assert.match(line, /;\s*httponly/i, line);
      assert.match(line, /;\s*samesite=lax/i, line);
    }
  });

  test('a password login on an existing session renews the session id', async () => {
    const rp = await app();
    const pending = await rp.authorizationUrl();
    const login = expectPage(await rp.open(pending));
    const beforeLogin = rp.browser.cookie('_session');
    expectCallback(await submitPassword(rp.browser, login.html, 'alice', PASSWORD));
    const first = rp.browser.cookie('_session');
    assert.ok(first);
    assert.notEqual(first, beforeLogin);
    const oldCookie = sessionCookie(rp.browser);

    const again = await rp.authorizationUrl({ max_age: '0' });
    const reauth = expectPage(await rp.open(again));
    expectCallback(await submitPassword(rp.browser, reauth.html, 'alice', PASSWORD));
    const second = rp.browser.cookie('_session');
    assert.ok(second);
    assert.notEqual(second, first);
    assert.equal(await silentError(rp, sessionCookie(rp.browser)), null, 'the renewed id is signed in');
    assert.equal(await silentError(rp, oldCookie), 'login_required', 'the old id is gone');
  });

  test('the step-up renews the session id', async () => {
    const user = await idp.addUser('stepping-up', PASSWORD);
    await idp.importTotp(user.id, TOTP_SECRET);
    const rp = await app();
    await signIn(rp, 'stepping-up');
    const beforeStepUp = rp.browser.cookie('_session');
    assert.ok(beforeStepUp);
    const oldCookie = sessionCookie(rp.browser);

    const pending = await rp.authorizationUrl({ acr_values: ACR_MULTI_FACTOR });
    const challenge = expectPage(await rp.open(pending));
    const code = totpCodeAt(TOTP_SECRET, now());
    const tokens = await rp.redeem(
      expectCallback(await submitTotp(rp.browser, challenge.html, code)),
      pending,
    );
    assert.equal(tokens.claims()?.acr, ACR_MULTI_FACTOR);
    const afterStepUp = rp.browser.cookie('_session');
    assert.ok(afterStepUp);
    assert.notEqual(afterStepUp, beforeStepUp);
    assert.equal(await silentError(rp, sessionCookie(rp.browser)), null, 'the renewed id is signed in');
    assert.equal(await silentError(rp, oldCookie), 'login_required', 'the old id is gone');
  });

  test('RP-initiated logout asks, then ends the session and returns to the application', async () => {
    const rp = await app();
    const idToken = (await signIn(rp)).id_token ?? '';
    assert.equal(await silentError(rp), null, 'signed in before the logout');

    const logout = new URL(PROVIDER_ROUTES.end_session, idp.issuer);
    logout.search = new URLSearchParams({
      id_token_hint: idToken,
      post_logout_redirect_uri: POST_LOGOUT_REDIRECT_URI,
      state: 'bye',
    }).toString();
    const confirm = await rp.browser.request(logout.href);
    assert.equal(confirm.status, 200);
    assert.match(confirm.headers.get('content-type') ?? '', /^text\/html/);
    const html = await confirm.text();
    const action = /<form id="op\.logoutForm"[^>]*action="([^"]+)"/.exec(html)?.[1];
    assert.ok(action, 'the page holds the logout form');
    const hidden = Object.fromEntries(
      [...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1], m[2]]),
    );
    assert.ok(hidden.xsrf, 'the form carries its CSRF token');

    const done = await rp.browser.navigate(action, { form: { ...hidden, logout: 'yes' } });
    const returned = expectCallback(done);
    assert.equal(`${returned.origin}${returned.pathname}`, POST_LOGOUT_REDIRECT_URI);
    assert.equal(returned.searchParams.get('state'), 'bye');
    assert.equal(await silentError(rp), 'login_required');
  });
});

import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { ACR_MULTI_FACTOR, ACR_ONE_FACTOR, parseBearerChallenges } from '@stepup/core';
import { createStepupRp, readStepUpChallenge, type StepupRp, type StepupRpError } from '@stepup/rp';
import { createBearerGuard } from '@stepup/rp/bearer';
import { createExpressAuth, getSession, requireBearerToken, type StepupLocals } from '@stepup/rp/express';
import express from 'express';
import { totpCodeAt } from '../packages/idp/src/factors/totp/totp.ts';
import { startTestProvider, type TestProvider } from '../packages/idp/src/testing/test-provider.ts';
import { CookieJarBrowser, type Page } from './support/cookie-jar-browser.ts';

// End to end against our provider: an Express app built only on @stepup/rp's public API, a real
// provider over SQLite, and a cookie-jar browser. The API at /api/salary is an RFC 9470 resource
// server fed JWT access tokens (RFC 9068) that the provider issues for it (RFC 8707).

const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const PASSWORD = 'correct horse battery';
const API = 'https://payroll.example/api';
const now = () => Math.floor(Date.now() / 1000);

describe('@stepup/rp with Express against the Stepup provider', () => {
  let idp: TestProvider;
  let server: Server;
  let app: string;
  let rp: StepupRp;
  const errors: StepupRpError[] = [];
  /** The pushed authorization requests the SDK sent (RFC 9126), in order. */
  const pushed: URLSearchParams[] = [];
  let users = 0;

  // The provider's clock, set behind for a sign-in that the app must then find older than its policy.
  let providerOffset = 0;

  async function newUser(withTotp = true): Promise<string> {
    users++;
    const username = `user-${users}`;
    const user = await idp.addUser(username, PASSWORD);
    if (withTotp) await idp.importTotp(user.id, SECRET);
    return username;
  }

  before(async () => {
    idp = await startTestProvider({ clock: () => now() + providerOffset });
    const web = express();
    server = await new Promise<Server>((resolve) => {
      const listening = web.listen(0, '127.0.0.1', () => resolve(listening));
    });
    app = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    await idp.addClient({
      client_id: 'salary',
      client_secret: 'salary-client-secret-0123456789abcdef',
      redirect_uris: [`${app}/auth/callback`],
      post_logout_redirect_uris: [`${app}/`],
    });
    await idp.stepup.store.resourceServers.upsert({
      identifier: API,
      scopes: ['payroll:read'],
      accessTokenTtl: 300,
      signingAlg: 'RS256',
    });

    rp = await createStepupRp({
      issuer: idp.issuer,
      clientId: 'salary',
      clientSecret: 'salary-client-secret-0123456789abcdef',
      baseUrl: app,
      sessionSecret: 'a session secret of at least thirty-two bytes',
      scope: 'openid payroll:read',
      resource: API,
      // Provider and app share this machine's clock: no skew, so a 2-second max_age is testable.
      clockSkew: 0,
      policies: { salary: { amr: ['mfa'] }, fresh: { maxAge: 2 } },
      allowInsecureRequests: true,
      onError: (error) => errors.push(error),
      // The provider advertises PAR, so the SDK pushes the authorization request: keep what it pushed.
      fetch: async (input, init) => {
        const body = new URLSearchParams(String(init?.body ?? ''));
        if (init?.method === 'POST' && body.has('response_type')) pushed.push(body);
        return fetch(input, init);
      },
    });
    const guard = await createBearerGuard({
      issuer: idp.issuer,
      audience: API,
      policies: { salary: { acr: [ACR_MULTI_FACTOR] } },
      clockSkew: 0,
      allowInsecureRequests: true,
    });
    const auth = createExpressAuth(rp);
    web.use(auth.routes());
    web.get('/', (_req, res) => res.send('home'));
    web.get('/profile', auth.requireAuth(), (_req, res) => res.json(getSession(res)));
    web.get('/salary', auth.requireStepUp('salary'), (_req, res) => res.json(getSession(res)));
    web.post('/salary/raise', auth.requireStepUp('salary'), (_req, res) => res.json({ raised: true }));
    web.get('/fresh', auth.requireStepUp('fresh'), (_req, res) => res.json(getSession(res)));
    web.get(
      '/api/salary',
      requireBearerToken(guard, { scopes: ['payroll:read'], policy: 'salary' }),
      (_req, res) => res.json({ token: (res.locals.stepup as StepupLocals).token }),
    );
    // The web app calling its API with the session's access token, stepping up on an RFC 9470 challenge.
    web.get('/payroll', auth.requireAuth(), async (_req, res) => {
      const answer = await fetch(`${app}/api/salary`, {
        headers: { authorization: `Bearer ${getSession(res).accessToken}` },
      });
      const next = readStepUpChallenge(answer);
      if (next) return res.redirect(rp.loginUrl({ returnTo: '/payroll', ...next }));
      res.status(answer.status).json(await answer.json());
    });
  });

  after(async () => {
    await new Promise((resolve) => server.close(resolve));
    await idp.close();
  });

  async function signIn(browser: CookieJarBrowser, username: string, path = '/profile'): Promise<Page> {
    const login = await browser.navigate(`${app}${path}`);
    assert.equal(new URL(login.url).origin, idp.issuer, 'the guard sent the browser to the provider');
    return browser.submit(login, '/password', { username, password: PASSWORD });
  }

  async function stepUpWithTotp(browser: CookieJarBrowser, path: string): Promise<Page> {
    const challenge = await browser.navigate(`${app}${path}`);
    assert.match(challenge.body, /name="code"/, 'the provider asks for the TOTP code');
    return browser.submit(challenge, '/totp', { code: totpCodeAt(SECRET, now()) });
  }

  test('login: requireAuth sends a GET to the provider and back to the same URL with a one-factor session', async () => {
    const browser = new CookieJarBrowser();
    const username = await newUser(false);
    const page = await signIn(browser, username, '/profile?tab=1');
    assert.equal(page.status, 200);
    assert.equal(page.url, `${app}/profile?tab=1`);
    const session = JSON.parse(page.body);
    assert.equal(session.acr, ACR_ONE_FACTOR);
    assert.deepEqual(session.amr, ['pwd']);
    assert.ok(Math.abs(session.auth_time - now()) <= 5);
    assert.equal(session.idToken.split('.').length, 3);
  });

  test('step-up to MFA: the salary page asks the provider for the multi-factor acr and gets amr mfa', async () => {
    const browser = new CookieJarBrowser();
    await signIn(browser, await newUser());
    const redirect = await browser.request(`${app}/salary`);
    assert.equal(redirect.status, 302);
    const authorize = new URL(redirect.headers.get('location') ?? '');
    // Step-up through PAR (RFC 9126): the browser's URL cannot be edited to ask for less.
    assert.deepEqual([...authorize.searchParams.keys()].sort(), ['client_id', 'request_uri']);
    const request = pushed.at(-1);
    assert.equal(request?.get('acr_values'), ACR_MULTI_FACTOR);
    assert.equal(request?.get('code_challenge_method'), 'S256');
    assert.equal(request?.get('prompt'), null);
    const page = await stepUpWithTotp(browser, '/salary');
    assert.equal(page.status, 200);
    assert.equal(page.url, `${app}/salary`);
    const session = JSON.parse(page.body);
    assert.equal(session.acr, ACR_MULTI_FACTOR);
    assert.deepEqual(session.amr, ['mfa', 'otp', 'pwd']);
  });

  test('a POST that needs step-up gets a 401 JSON body with the step-up URL, not a redirect', async () => {
    const browser = new CookieJarBrowser();
    await signIn(browser, await newUser());
    const answer = await browser.request(`${app}/salary/raise`, {
      method: 'POST',
      headers: { referer: `${app}/salary?view=edit` },
    });
    assert.equal(answer.status, 401);
    const body = JSON.parse(answer.body);
    assert.equal(body.error, 'step_up_required');
    const stepUp = new URL(body.step_up_url);
    assert.equal(stepUp.origin + stepUp.pathname, `${app}/auth/login`);
    assert.equal(stepUp.searchParams.get('policy'), 'salary');
    assert.equal(stepUp.searchParams.get('returnTo'), '/salary?view=edit');
    // Following it steps up and returns to the page the form was on.
    const challenge = await browser.navigate(body.step_up_url);
    const back = await browser.submit(challenge, '/totp', { code: totpCodeAt(SECRET, now()) });
    assert.equal(back.url, `${app}/salary?view=edit`);
    assert.equal((await browser.request(`${app}/salary/raise`, { method: 'POST' })).status, 200);
  });

  test('max_age freshness: an authentication older than the policy asks for a new login with max_age and prompt=login', async () => {
    const browser = new CookieJarBrowser();
    const username = await newUser(false);
    providerOffset = -3;
    try {
      await signIn(browser, username);
    } finally {
      providerOffset = 0;
    }
    const redirect = await browser.request(`${app}/fresh`);
    assert.equal(redirect.status, 302);
    const authorize = new URL(redirect.headers.get('location') ?? '');
    assert.deepEqual([...authorize.searchParams.keys()].sort(), ['client_id', 'request_uri']);
    assert.equal(pushed.at(-1)?.get('max_age'), '2');
    assert.equal(pushed.at(-1)?.get('prompt'), 'login');
    const login = await browser.navigate(authorize.href);
    assert.match(login.body, /name="password"/, 'the provider asks for the password again');
    const page = await browser.submit(login, '/password', { username: `user-${users}`, password: PASSWORD });
    assert.equal(page.status, 200);
    assert.equal(page.url, `${app}/fresh`);
    assert.ok(now() - JSON.parse(page.body).auth_time <= 2);
  });

  test('loop guard: a step-up cancelled at the provider ends in a 403 page saying what was required, never a redirect', async () => {
    const browser = new CookieJarBrowser();
    await signIn(browser, await newUser());
    const challenge = await browser.navigate(`${app}/salary`);
    const before = browser.visited.length;
    const page = await browser.submit(challenge, '/cancel');
    assert.equal(page.status, 403);
    assert.equal(new URL(page.url).pathname, '/auth/callback');
    assert.match(page.body, /amr includes mfa/);
    assert.match(page.body, /unmet_authentication_requirements/);
    // cancel → provider → callback: nothing after the callback.
    assert.equal(browser.visited.at(-1), page.url);
    assert.ok(browser.visited.slice(before).filter((url) => url.includes('/authorize')).length <= 1);
    assert.equal(errors.at(-1)?.code, 'authorization_error');
    // The session is the one-factor one it was.
    assert.equal(JSON.parse((await browser.request(`${app}/profile`)).body).acr, ACR_ONE_FACTOR);
  });

  test('several tabs: two logins started side by side both complete, each with its own transaction', async () => {
    const browser = new CookieJarBrowser();
    const username = await newUser(false);
    const first = await browser.navigate(`${app}/profile?tab=first`);
    const second = await browser.navigate(`${app}/profile?tab=second`);
    assert.equal(browser.cookieNames('127.0.0.1').filter((name) => name.startsWith('stepup.tx.')).length, 2);
    const secondDone = await browser.submit(second, '/password', { username, password: PASSWORD });
    assert.equal(secondDone.url, `${app}/profile?tab=second`);
    // The first tab's sign-in form is still there; submitting it completes its own transaction.
    const firstDone = await browser.submit(first, '/password', { username, password: PASSWORD });
    assert.equal(firstDone.status, 200);
    assert.equal(firstDone.url, `${app}/profile?tab=first`);
    assert.equal(browser.cookieNames('127.0.0.1').filter((name) => name.startsWith('stepup.tx.')).length, 0);
  });

  test('RFC 9470: the API refuses a one-factor access token with insufficient_user_authentication; after step-up it accepts', async () => {
    const browser = new CookieJarBrowser();
    await signIn(browser, await newUser());
    const session = JSON.parse((await browser.request(`${app}/profile`)).body);
    const [, payload = ''] = session.accessToken.split('.');
    const [header = ''] = session.accessToken.split('.');
    assert.equal(JSON.parse(Buffer.from(header, 'base64url').toString()).typ, 'at+jwt');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    assert.equal(claims.aud, API);
    assert.equal(claims.acr, ACR_ONE_FACTOR);
    assert.deepEqual(claims.amr, ['pwd']);
    assert.equal(claims.auth_time, session.auth_time);

    const refused = await fetch(`${app}/api/salary`, {
      headers: { authorization: `Bearer ${session.accessToken}` },
    });
    assert.equal(refused.status, 401);
    assert.deepEqual(parseBearerChallenges(refused.headers.get('www-authenticate') ?? ''), [
      {
        error: 'insufficient_user_authentication',
        error_description: 'A different authentication level is required.',
        acr_values: ACR_MULTI_FACTOR,
      },
    ]);
    assert.deepEqual(readStepUpChallenge(refused), { acr_values: ACR_MULTI_FACTOR });

    const challenge = await browser.navigate(`${app}/payroll`);
    assert.match(challenge.body, /name="code"/, 'the challenge led to the provider TOTP step');
    const page = await browser.submit(challenge, '/totp', { code: totpCodeAt(SECRET, now()) });
    assert.equal(page.url, `${app}/payroll`);
    assert.equal(page.status, 200);
    const { token } = JSON.parse(page.body);
    assert.equal(token.acr, ACR_MULTI_FACTOR);
    assert.deepEqual(token.amr, ['mfa', 'otp', 'pwd']);
    assert.deepEqual(token.scopes, ['payroll:read']);

    const noToken = await fetch(`${app}/api/salary`);
    assert.equal(noToken.status, 401);
    assert.equal(noToken.headers.get('www-authenticate'), 'Bearer');
    const forged = await fetch(`${app}/api/salary`, {
      headers: { authorization: `Bearer ${session.idToken}` },
    });
    assert.equal(forged.status, 401, 'an ID token is not an access token (typ)');
    assert.match(forged.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
  });

  test('logout ends the app session and the provider session (RP-initiated logout)', async () => {
    const browser = new CookieJarBrowser();
    await signIn(browser, await newUser(false));
    const leave = await browser.request(`${app}/auth/logout`, { method: 'POST' });
    assert.equal(leave.status, 303);
    const endSession = new URL(leave.headers.get('location') ?? '');
    assert.equal(endSession.origin, idp.issuer);
    assert.ok(endSession.searchParams.get('id_token_hint'));
    assert.equal(endSession.searchParams.get('post_logout_redirect_uri'), `${app}/`);
    assert.deepEqual(browser.cookieNames('127.0.0.1'), []);
    const confirm = await browser.navigate(endSession.href);
    const home = await browser.submit(confirm, '/confirm', { logout: 'yes' });
    assert.equal(home.url, `${app}/`);
    const again = await browser.navigate(`${app}/profile`);
    assert.equal(new URL(again.url).origin, idp.issuer);
    assert.match(again.body, /name="password"/, 'the provider session is gone too');
  });
});

import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { jwtVerify, SignJWT } from 'jose';
import type { Browser } from 'playwright-core';
import { type CallbackServer, launchChromium, startCallbackServer } from '../../testing/chromium.ts';
import { startTestProvider, type TestProvider } from '../../testing/test-provider.ts';
import { TestRelyingParty } from '../../testing/test-relying-party.ts';

const PASSWORD = 'correct horse battery';
const CLIENT_SECRET = 'app-secret-0123456789abcdefghijkl';
const PROFILE_SECRET = 'shared-with-the-profile-page-0123456789';
const key = new TextEncoder().encode(PROFILE_SECRET);

/** The Action: no favourite colour yet → off to the profile page; back → keep it and claim it. */
function progressiveProfileAction(profileUrl: string): string {
  return `exports.onExecutePostLogin = async (event, api) => {
    if (event.user.user_metadata.favorite_color) return;
    const token = api.redirect.encodeToken({ secret: event.secrets.PROFILE_SECRET, payload: { name: event.user.username } });
    api.redirect.sendUserTo(${JSON.stringify(profileUrl)}, { query: { session_token: token } });
  };
  exports.onContinuePostLogin = async (event, api) => {
    const { favorite_color } = api.redirect.validateToken({ secret: event.secrets.PROFILE_SECRET, tokenParameterName: 'profile_token' });
    api.user.setUserMetadata('favorite_color', favorite_color);
    api.idToken.setCustomClaim('https://example.test/favorite_color', favorite_color);
  };`;
}

/**
 * The external profile page, as an operator would write it with a standard JWT library: it checks the
 * provider's token, asks one question, and posts the answer back to /continue signed with the secret.
 */
function startProfilePage(issuer: string): Promise<{ url: string; server: Server }> {
  const subjects = new Map<string, string>();
  const server = createServer(async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const html = (body: string) =>
      response
        .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
        .end(`<!doctype html><title>Profile</title>${body}`);
    if (url.pathname !== '/profile') {
      response.writeHead(404).end();
      return;
    }
    if (request.method === 'GET') {
      const state = url.searchParams.get('state') ?? '';
      const { payload } = await jwtVerify(url.searchParams.get('session_token') ?? '', key, {
        issuer,
        algorithms: ['HS256'],
      });
      assert.equal(payload.state, state);
      subjects.set(state, String(payload.sub));
      html(`<h1>One more thing, ${(payload.other as { name: string }).name}</h1>
        <form method="post" action="/profile"><input type="hidden" name="state" value="${state}">
        <label>Favourite colour <input name="favorite_color"></label><button type="submit">Save</button></form>`);
      return;
    }
    let body = '';
    for await (const chunk of request) body += chunk;
    const form = new URLSearchParams(body);
    const state = form.get('state') ?? '';
    const token = await new SignJWT({ state, favorite_color: form.get('favorite_color') })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer(issuer)
      .setSubject(subjects.get(state) ?? '')
      .setExpirationTime('2m')
      .sign(key);
    html(`<form method="post" action="${issuer}/continue"><input type="hidden" name="state" value="${state}">
      <input type="hidden" name="profile_token" value="${token}"><button type="submit">Back to sign-in</button></form>`);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/profile`, server }),
    ),
  );
}

describe('progressive profiling through api.redirect, in Chromium', () => {
  let idp: TestProvider;
  let browser: Browser;
  let callback: CallbackServer;
  let profile: { url: string; server: Server };

  before(async () => {
    [idp, browser, callback] = await Promise.all([
      startTestProvider(),
      launchChromium(),
      startCallbackServer(),
    ]);
    profile = await startProfilePage(idp.issuer);
    await idp.addClient({
      client_id: 'app',
      client_secret: CLIENT_SECRET,
      redirect_uris: [callback.redirectUri],
    });
    await idp.deployAction('progressive-profile', progressiveProfileAction(profile.url), { PROFILE_SECRET });
  });
  after(async () => {
    await browser?.close();
    await callback?.close();
    profile?.server.closeAllConnections();
    profile?.server.close();
    await idp?.close();
  });

  test('the profile page posts a signed answer back to /continue; user_metadata and the ID token carry it', async () => {
    const user = await idp.addUser('profiled', PASSWORD);
    const context = await browser.newContext();
    const page = await context.newPage();
    const rp = await TestRelyingParty.discover(idp.issuer, 'app', { client_secret: CLIENT_SECRET });
    const pending = await rp.authorizationUrl({ redirect_uri: callback.redirectUri });
    await page.goto(pending.url.href);
    await page.fill('#username', user.username);
    await page.fill('#password', PASSWORD);
    await Promise.all([
      page.waitForURL((url) => url.href.startsWith(profile.url)),
      page.click('button[type="submit"]'),
    ]);
    assert.equal(await page.textContent('h1'), 'One more thing, profiled');

    await page.fill('input[name="favorite_color"]', 'teal');
    await Promise.all([page.waitForNavigation(), page.click('button[type="submit"]')]);
    const landed = await callback.follow(page, () => page.click('button[type="submit"]'));

    const tokens = await rp.redeem(landed, pending);
    assert.equal(tokens.claims()?.['https://example.test/favorite_color'], 'teal');
    assert.deepEqual((await idp.stepup.store.userMetadata.find(user.id))?.userMetadata, {
      favorite_color: 'teal',
    });
    await context.close();
  });
});

import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { serve } from '@hono/node-server';
import { ACR_MULTI_FACTOR, ACR_ONE_FACTOR } from '@stepup/core';
import { createStepupRp, type StepupRpError } from '@stepup/rp';
import { createHonoAuth, type StepupVariables } from '@stepup/rp/hono';
import { Hono } from 'hono';
import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';
import { CookieJarBrowser } from './support/cookie-jar-browser.ts';

// Against a provider nobody here wrote: a plain oidc-provider, configured in this file, with its
// development login screens (any username, no second factor). It ignores acr_values, as most
// providers do unless told otherwise, so it is also the provider for the loop guard.

async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<Server> {
  const server = createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

describe('@stepup/rp with Hono against a plain oidc-provider', () => {
  let providerServer: Server;
  let appServer: ReturnType<typeof serve>;
  let issuer: string;
  let app: string;
  const errors: StepupRpError[] = [];

  before(async () => {
    let handle: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.end();
    providerServer = await listen((req, res) => handle(req, res));
    issuer = `http://localhost:${(providerServer.address() as AddressInfo).port}`;
    const appPort = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as AddressInfo;
        probe.close(() => resolve(port));
      });
    });
    app = `http://127.0.0.1:${appPort}`;
    const { privateKey } = await generateKeyPair('RS256', { extractable: true });
    const provider = new Provider(issuer, {
      clients: [
        {
          client_id: 'plain-app',
          client_secret: 'plain-app-secret-0123456789abcdef0123',
          redirect_uris: [`${app}/auth/callback`],
          post_logout_redirect_uris: [`${app}/`],
          grant_types: ['authorization_code'],
          response_types: ['code'],
        },
      ],
      findAccount: async (_ctx, id) => ({
        accountId: id,
        claims: async () => ({ sub: id, name: `Plain ${id}` }),
      }),
      claims: { openid: ['sub'], profile: ['name'] },
      acrValues: [ACR_ONE_FACTOR, ACR_MULTI_FACTOR],
      jwks: { keys: [{ ...(await exportJWK(privateKey)), alg: 'RS256', use: 'sig', kid: 'plain-1' }] },
      cookies: { keys: ['plain-provider-cookie-key'] },
      features: { devInteractions: { enabled: true } },
    });
    const callback = provider.callback();
    handle = (req, res) => void callback(req, res);

    const rp = await createStepupRp({
      issuer,
      clientId: 'plain-app',
      clientSecret: 'plain-app-secret-0123456789abcdef0123',
      baseUrl: app,
      sessionSecret: 'a session secret of at least thirty-two bytes',
      scope: 'openid profile',
      policies: { salary: { amr: ['mfa'] } },
      allowInsecureRequests: true,
      onError: (error) => errors.push(error),
    });
    const web = new Hono<{ Variables: StepupVariables }>();
    const auth = createHonoAuth(rp);
    web.use(auth.routes());
    web.get('/', (c) => c.text('home'));
    web.get('/profile', auth.requireAuth(), (c) => c.json(c.get('stepupSession')));
    web.get('/salary', auth.requireStepUp('salary'), (c) => c.json(c.get('stepupSession')));
    appServer = serve({ fetch: web.fetch, port: appPort, hostname: '127.0.0.1' });
  });

  after(async () => {
    await new Promise((resolve) => appServer.close(resolve));
    await new Promise((resolve) => providerServer.close(resolve));
  });

  async function signIn(browser: CookieJarBrowser) {
    const login = await browser.navigate(`${app}/profile`);
    assert.equal(new URL(login.url).origin, issuer);
    const consent = await browser.submit(login, '', { login: 'alice', password: 'any' });
    return new URL(consent.url).origin === app ? consent : browser.submit(consent, '');
  }

  test('login through the dev interaction: the session has the sub, and no amr', async () => {
    const browser = new CookieJarBrowser();
    const page = await signIn(browser);
    assert.equal(page.status, 200);
    assert.equal(page.url, `${app}/profile`);
    const session = JSON.parse(page.body);
    assert.equal(session.sub, 'alice');
    // Only the person's claims are kept apart: the token's own (nonce, aud, …) are not.
    assert.equal(session.claims.nonce, undefined);
    assert.equal(session.claims.aud, undefined);
    assert.equal(session.amr, undefined);
  });

  test('loop guard: a provider that ignores acr_values gets a 403 page with required and received, not a redirect loop', async () => {
    const browser = new CookieJarBrowser();
    await signIn(browser);
    const start = browser.visited.length;
    const page = await browser.navigate(`${app}/salary`);
    const trail = browser.visited.slice(start).map((url) => new URL(url));
    assert.equal(page.status, 403);
    assert.equal(new URL(page.url).pathname, '/auth/callback');
    assert.match(page.body, /amr includes mfa/);
    assert.match(page.body, /amr: \(none\)/);
    assert.equal(
      trail.filter((url) => url.origin === issuer && url.pathname === '/auth').length,
      1,
      'one trip to the provider',
    );
    assert.equal(trail.at(-1)?.pathname, '/auth/callback', 'the callback is the end of the road');
    assert.equal(errors.at(-1)?.code, 'step_up_unmet');
    // The session is untouched, and asking again is a new, deliberate trip — not an automatic loop.
    assert.equal((await browser.request(`${app}/profile`)).status, 200);
  });

  test('RP-initiated logout through the provider comes back to the app signed out', async () => {
    const browser = new CookieJarBrowser();
    await signIn(browser);
    const confirm = await browser.navigate(`${app}/auth/logout`, { method: 'POST' });
    assert.equal(new URL(confirm.url).origin, issuer);
    const home = await browser.submit(confirm, '/confirm', { logout: 'yes' });
    assert.equal(home.url, `${app}/`);
    assert.equal(home.body, 'home');
    const again = await browser.request(`${app}/profile`);
    assert.equal(again.status, 302, 'signed out: the guard sends the browser to sign in again');
  });
});

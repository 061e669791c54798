import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { serve } from '@hono/node-server';
import { ACR_MULTI_FACTOR, ACR_ONE_FACTOR } from '@stepup/core';
import { createMemorySessionStore, createStepupRp, type StepupRp, type StepupRpError } from '@stepup/rp';
import { createBearerGuard, createDpopNonceSource } from '@stepup/rp/bearer';
import { createHonoAuth, type StepupVariables } from '@stepup/rp/hono';
import { Hono } from 'hono';
import { decodeJwt, exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';
import { createTestDpopKey } from '../packages/rp/src/testing/dpop-proof.ts';
import { CookieJarBrowser } from './support/cookie-jar-browser.ts';

// The SDK against a bare oidc-provider with PAR, signed request objects, DPoP (with server nonces)
// and private_key_jwt all on and required for the client: the step-up parameters never reach the
// browser's URL, the client authenticates with its key, and the tokens only work with the session's
// DPoP key — at an API guarded by @stepup/rp/bearer, which demands its own nonce too.

async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<Server> {
  const server = createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

const API = 'https://payroll.example/api';

describe('@stepup/rp with PAR, request objects, DPoP and private_key_jwt against a bare oidc-provider', () => {
  let providerServer: Server;
  let apiServer: Server;
  let appServer: ReturnType<typeof serve>;
  let issuer: string;
  let app: string;
  let apiUrl: string;
  let rp: StepupRp;
  const errors: StepupRpError[] = [];
  /** Every request the SDK sent to the provider, with its form body, and the status it got. */
  const sent: { url: URL; body: URLSearchParams; status: number; error?: string }[] = [];

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
    const { privateKey: providerKey } = await generateKeyPair('RS256', { extractable: true });
    const client = await generateKeyPair('ES256', { extractable: true });
    const requestKey = await generateKeyPair('PS256', { extractable: true });
    const provider = new Provider(issuer, {
      clients: [
        {
          client_id: 'fapi-app',
          redirect_uris: [`${app}/auth/callback`],
          post_logout_redirect_uris: [`${app}/`],
          grant_types: ['authorization_code', 'refresh_token'],
          response_types: ['code'],
          token_endpoint_auth_method: 'private_key_jwt',
          token_endpoint_auth_signing_alg: 'ES256',
          request_object_signing_alg: 'PS256',
          require_pushed_authorization_requests: true,
          require_signed_request_object: true,
          dpop_bound_access_tokens: true,
          jwks: {
            keys: [
              { ...(await exportJWK(client.publicKey)), kid: 'client-1', alg: 'ES256', use: 'sig' },
              { ...(await exportJWK(requestKey.publicKey)), kid: 'request-1', alg: 'PS256', use: 'sig' },
            ],
          },
        },
      ],
      findAccount: async (_ctx, id) => ({ accountId: id, claims: async () => ({ sub: id }) }),
      acrValues: [ACR_ONE_FACTOR, ACR_MULTI_FACTOR],
      scopes: ['openid', 'offline_access', 'payroll:read'],
      jwks: { keys: [{ ...(await exportJWK(providerKey)), alg: 'RS256', use: 'sig', kid: 'fapi-1' }] },
      cookies: { keys: ['fapi-provider-cookie-key'] },
      issueRefreshToken: async () => true,
      features: {
        devInteractions: { enabled: true },
        pushedAuthorizationRequests: { enabled: true },
        requestObjects: { enabled: true },
        dPoP: { enabled: true, nonceSecret: randomBytes(32), requireNonce: () => true },
        resourceIndicators: {
          enabled: true,
          defaultResource: () => API,
          useGrantedResource: () => true,
          getResourceServerInfo: async () => ({
            scope: 'payroll:read',
            audience: API,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'RS256' } },
          }),
        },
      },
    });
    const callback = provider.callback();
    handle = (req, res) => void callback(req, res);

    // The API: DPoP-bound JWT access tokens only, with a server nonce of its own.
    const guard = await createBearerGuard({
      issuer,
      audience: API,
      allowInsecureRequests: true,
      dpop: {
        required: true,
        nonce: createDpopNonceSource({ secret: 'the API nonce secret, thirty-two bytes or more' }),
      },
    });
    apiServer = await listen(async (req, res) => {
      const url = `http://${req.headers.host}${req.url}`;
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers))
        if (typeof value === 'string') headers.set(name, value);
      const result = await guard.check(new Request(url, { method: req.method ?? 'GET', headers }));
      const response = result.ok
        ? Response.json({ sub: result.token.sub, jkt: result.token.jkt })
        : result.response;
      const answerHeaders: Record<string, string> = {};
      response.headers.forEach((value, name) => {
        answerHeaders[name] = value;
      });
      res.writeHead(response.status, answerHeaders);
      res.end(await response.text());
    });
    apiUrl = `http://127.0.0.1:${(apiServer.address() as AddressInfo).port}/salaries`;

    rp = await createStepupRp({
      issuer,
      clientId: 'fapi-app',
      clientAuth: { method: 'private_key_jwt', key: client.privateKey, kid: 'client-1' },
      requestObject: { key: requestKey.privateKey, kid: 'request-1' },
      dpop: { alg: 'ES256' },
      sessionStore: createMemorySessionStore(),
      baseUrl: app,
      sessionSecret: 'a session secret of at least thirty-two bytes',
      scope: 'openid offline_access payroll:read',
      resource: API,
      // Asked for, not demanded: the bare provider has no second factor.
      policies: { salary: { acrValues: [ACR_MULTI_FACTOR], maxAge: 600 } },
      allowInsecureRequests: true,
      onError: (error) => errors.push(error),
      fetch: async (input, init) => {
        const response = await fetch(input, init);
        const body = new URLSearchParams(typeof init?.body === 'string' ? init.body : init?.body?.toString());
        let error: string | undefined;
        if (!response.ok) error = ((await response.clone().json()) as { error?: string }).error;
        sent.push({
          url: new URL(String(input)),
          body,
          status: response.status,
          ...(error ? { error } : {}),
        });
        return response;
      },
    });
    const web = new Hono<{ Variables: StepupVariables }>();
    const auth = createHonoAuth(rp);
    web.use(auth.routes());
    web.get('/salary', auth.requireStepUp('salary'), (c) => {
      // The session's DPoP key stays on the server: only its presence is shown.
      const { dpopKey, ...session } = c.get('stepupSession');
      return c.json({ ...session, hasDpopKey: dpopKey !== undefined });
    });
    web.get('/api', auth.requireAuth(), async (c) => rp.fetchProtectedResource(c.req.raw, apiUrl));
    web.post('/refresh', auth.requireAuth(), async (c) => {
      const { session, setCookies } = await rp.refresh(c.req.raw);
      for (const cookie of setCookies) c.header('set-cookie', cookie, { append: true });
      return c.json({ accessToken: session.accessToken, refreshToken: session.refreshToken });
    });
    appServer = serve({ fetch: web.fetch, port: appPort, hostname: '127.0.0.1' });
  });

  after(async () => {
    await new Promise((resolve) => appServer.close(resolve));
    await new Promise((resolve) => apiServer.close(resolve));
    await new Promise((resolve) => providerServer.close(resolve));
  });

  async function signIn(browser: CookieJarBrowser) {
    const login = await browser.navigate(`${app}/salary`);
    assert.equal(new URL(login.url).origin, issuer, `at the provider, not ${login.url}: ${login.body}`);
    const consent = await browser.submit(login, '', { login: 'alice', password: 'any' });
    return new URL(consent.url).origin === app ? consent : browser.submit(consent, '');
  }

  test('the step-up parameters are pushed in a signed request object: the URL holds only client_id and request_uri', async () => {
    const browser = new CookieJarBrowser();
    const start = browser.visited.length;
    const sentBefore = sent.length;
    const page = await signIn(browser);
    assert.equal(page.status, 200, page.body);
    const authorization = browser.visited
      .slice(start)
      .map((url) => new URL(url))
      .find((url) => url.origin === issuer && url.pathname === '/auth');
    assert.ok(authorization, 'the browser went to the authorization endpoint');
    assert.deepEqual([...authorization.searchParams.keys()].sort(), ['client_id', 'request_uri']);
    assert.match(authorization.searchParams.get('request_uri') ?? '', /^urn:ietf:params:oauth:request_uri:/);

    const pushed = sent.slice(sentBefore).find((request) => request.url.pathname === '/request');
    assert.ok(pushed, 'a pushed authorization request was sent');
    assert.equal(pushed.status, 201);
    // Outside the request object only the client's identity and its authentication (RFC 9126 3).
    assert.deepEqual([...pushed.body.keys()].sort(), [
      'client_assertion',
      'client_assertion_type',
      'client_id',
      'request',
    ]);
    const requestObject = decodeJwt(pushed.body.get('request') ?? '');
    assert.equal(requestObject.acr_values, ACR_MULTI_FACTOR);
    assert.equal(requestObject.max_age, 600);
    assert.equal(requestObject.aud, issuer);
    assert.equal(requestObject.iss, 'fapi-app');

    const session = JSON.parse(page.body);
    assert.equal(session.sub, 'alice');
    assert.equal(session.hasDpopKey, true);
  });

  test('private_key_jwt: assertions signed with the client key, aud the issuer, a short life, never the same jti', async () => {
    const assertions = sent
      .filter((request) => request.body.has('client_assertion'))
      .map((request) => decodeJwt(request.body.get('client_assertion') ?? ''));
    assert.ok(assertions.length >= 2, 'the pushed request and the token request');
    for (const claims of assertions) {
      assert.equal(claims.iss, 'fapi-app');
      assert.equal(claims.sub, 'fapi-app');
      assert.equal(claims.aud, issuer);
      assert.equal((claims.exp ?? 0) - (claims.iat ?? 0), 60);
    }
    assert.equal(new Set(assertions.map((claims) => claims.jti)).size, assertions.length);
  });

  test('the tokens are DPoP-bound to the session key; the provider nonce was asked for and used once per request', async () => {
    const tokenRequests = sent.filter((request) => request.url.pathname === '/token');
    // Each code exchange: refused once with use_dpop_nonce, then retried with the nonce and accepted.
    assert.deepEqual(
      tokenRequests.slice(0, 2).map((request) => [request.status, request.error]),
      [
        [400, 'use_dpop_nonce'],
        [200, undefined],
      ],
    );
    const browser = new CookieJarBrowser();
    await signIn(browser);
    const api = await browser.request(`${app}/api`);
    assert.equal(api.status, 200, api.body);
    const { sub, jkt } = JSON.parse(api.body);
    assert.equal(sub, 'alice');
    assert.match(jkt, /^[A-Za-z0-9_-]{43}$/);
  });

  test('a copied DPoP-bound token is useless: as Bearer, or with another key', async () => {
    const browser = new CookieJarBrowser();
    await signIn(browser);
    const refreshed = JSON.parse((await browser.request(`${app}/refresh`, { method: 'POST' })).body);
    const token: string = refreshed.accessToken;
    const asBearer = await fetch(apiUrl, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(asBearer.status, 401);
    assert.match(asBearer.headers.get('www-authenticate') ?? '', /^DPoP error="invalid_token"/);
    const thief = await createTestDpopKey(() => Math.floor(Date.now() / 1000));
    const nonceAnswer = await fetch(apiUrl, {
      headers: { authorization: `DPoP ${token}`, dpop: await thief.proof('GET', apiUrl, token) },
    });
    const nonce = nonceAnswer.headers.get('dpop-nonce') ?? '';
    const stolen = await fetch(apiUrl, {
      headers: {
        authorization: `DPoP ${token}`,
        dpop: await thief.proof('GET', apiUrl, token, { claims: { nonce } }),
      },
    });
    assert.equal(stolen.status, 401);
    assert.match(stolen.headers.get('www-authenticate') ?? '', /^DPoP error="invalid_dpop_proof"/);
  });

  test('refresh: DPoP-bound refresh token, new access token bound to the same session key', async () => {
    const browser = new CookieJarBrowser();
    await signIn(browser);
    const first = JSON.parse((await browser.request(`${app}/refresh`, { method: 'POST' })).body);
    const second = JSON.parse((await browser.request(`${app}/refresh`, { method: 'POST' })).body);
    assert.notEqual(first.accessToken, second.accessToken);
    const jkt = (decodeJwt(first.accessToken).cnf as { jkt?: string } | undefined)?.jkt;
    assert.match(jkt ?? '', /^[A-Za-z0-9_-]{43}$/);
    assert.equal((decodeJwt(second.accessToken).cnf as { jkt?: string }).jkt, jkt);
    const refreshes = sent.filter((request) => request.body.get('grant_type') === 'refresh_token');
    assert.ok(refreshes.length >= 2);
    assert.ok(refreshes.every((request) => request.status === 200 || request.error === 'use_dpop_nonce'));
    // The API accepts the refreshed token through the SDK, bound to the same key.
    const api = await browser.request(`${app}/api`);
    assert.equal(api.status, 200, api.body);
    assert.equal(JSON.parse(api.body).jkt, jkt);
  });
});

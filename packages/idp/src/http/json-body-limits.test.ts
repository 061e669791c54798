import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { MANAGEMENT_API_PATH, MANAGEMENT_SCOPES } from '../admin/management-api-identity.ts';
import { type ManagementFixture, openManagementFixture } from '../admin/testing/management-fixture.ts';
import { PROVIDER_ROUTES } from '../oidc/provider-routes.ts';
import { TEST_REDIRECT_URI } from '../testing/test-provider.ts';

const DEEP = `{"a":${'['.repeat(100)}${']'.repeat(100)}}`;
/** Larger than any route's `bodyLimit` (the Action deploy route takes the most). */
const OVERSIZE = JSON.stringify({ a: 'x'.repeat(3 * 1024 * 1024) });

/** The error code of a refusal: the management API's `{ error: { code } }`, Fastify's `{ code }`. */
function codeOf(body: unknown): unknown {
  if (typeof body !== 'object' || body === null) return undefined;
  const { error, code } = body as { error?: { code?: unknown }; code?: unknown };
  return typeof error === 'object' && error !== null ? error.code : code;
}

/**
 * "Every JSON body has a depth and a size limit" is a sweep, not a sample: every route Fastify
 * serves that takes a body, read from the app's own route table, refuses a 100-level-deep body with
 * 400 `body_too_deep` and an oversize body with 413, never a 5xx. A new route is covered, or this
 * fails.
 */
describe('every JSON body has a depth and a size limit', () => {
  let f: ManagementFixture;
  let token: string;
  let targets: { method: string; path: string }[];
  before(async () => {
    f = await openManagementFixture({
      push: { webPush: { enabled: true, subject: 'mailto:security@example.com' } },
    });
    token = await f.machine(MANAGEMENT_SCOPES, 'json-sweep-robot');
    targets = f.idp.stepup.routes
      .filter((route) => ['POST', 'PUT', 'PATCH', 'DELETE'].includes(route.method))
      .map((route) => ({ method: route.method, path: route.url.replace(/:\w+|\*/g, 'x') }));
  });
  after(() => f.close());

  const send = async (method: string, path: string, body: string) => {
    const response = await fetch(`${f.idp.issuer}${path}`, {
      method,
      headers: {
        'content-type': 'application/json',
        ...(path.startsWith(MANAGEMENT_API_PATH) ? { authorization: `Bearer ${token}` } : {}),
      },
      body,
    });
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
    return [response.status, codeOf(parsed)];
  };

  test('the route table holds the routes that take JSON outside the management API', () => {
    const paths = targets.map((target) => `${target.method} ${target.path}`);
    assert.ok(targets.length >= 40, `only ${targets.length} routes`);
    for (const expected of ['/account', '/push', '/web-push', `${MANAGEMENT_API_PATH}/users`]) {
      assert.ok(
        paths.some((path) => path.includes(expected)),
        `no route under ${expected}: ${paths.join(', ')}`,
      );
    }
  });

  test('a 100-level-deep body is 400 body_too_deep on every route', async () => {
    const wrong: string[] = [];
    for (const { method, path } of targets) {
      const [status, code] = await send(method, path, DEEP);
      if (status !== 400 || code !== 'body_too_deep') wrong.push(`${method} ${path}: ${status} ${code}`);
    }
    assert.deepEqual(wrong, []);
  });

  test('an oversize body is 413 on every route', async () => {
    for (const { method, path } of targets) {
      const [status, code] = await send(method, path, OVERSIZE);
      assert.equal(status, 413, `${method} ${path}`);
      assert.ok(
        code === 'body_too_large' || code === 'FST_ERR_CTP_BODY_TOO_LARGE',
        `${method} ${path}: ${String(code)}`,
      );
    }
  });

  describe('the claims parameter (JSON inside a form or a query) has the same depth limit', () => {
    const request = (depth: number) =>
      new URLSearchParams({
        client_id: 'json-sweep-app',
        redirect_uri: TEST_REDIRECT_URI,
        response_type: 'code',
        scope: 'openid',
        code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
        code_challenge_method: 'S256',
        claims: `{"id_token":{"acr":{"essential":true,"x":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}}}`,
      });
    before(() => f.idp.addClient({ client_id: 'json-sweep-app', token_endpoint_auth_method: 'none' }));

    // 3,000 levels answered 500 server_error at the PAR endpoint before the limit.
    for (const depth of [100, 3_000]) {
      test(`${depth} levels deep at the PAR endpoint is 400 invalid_request`, async () => {
        const response = await fetch(`${f.idp.issuer}${PROVIDER_ROUTES.pushed_authorization_request}`, {
          method: 'POST',
          body: request(depth),
        });
        const body = (await response.json()) as { error?: string };
        assert.deepEqual([response.status, body.error], [400, 'invalid_request']);
      });
    }

    test('100 levels deep at the authorization endpoint is invalid_request, sent back to the app', async () => {
      const response = await fetch(`${f.idp.issuer}${PROVIDER_ROUTES.authorization}?${request(100)}`, {
        redirect: 'manual',
      });
      assert.equal(response.status, 303);
      const location = new URL(response.headers.get('location') ?? '', f.idp.issuer);
      assert.equal(`${location.origin}${location.pathname}`, TEST_REDIRECT_URI);
      assert.equal(location.searchParams.get('error'), 'invalid_request');
    });

    test('a claims parameter within the limit is still accepted (positive control)', async () => {
      const response = await fetch(`${f.idp.issuer}${PROVIDER_ROUTES.pushed_authorization_request}`, {
        method: 'POST',
        body: request(20),
      });
      assert.equal(response.status, 201);
    });
  });

  test("oidc-provider's endpoints answer a deep or oversize JSON body with a 4xx", async () => {
    const wrong: string[] = [];
    for (const path of Object.values(PROVIDER_ROUTES)) {
      for (const body of [DEEP, `{"a":${'['.repeat(50_000)}${']'.repeat(50_000)}}`, OVERSIZE]) {
        const response = await fetch(`${f.idp.issuer}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
          redirect: 'manual',
        });
        if (response.status >= 500) wrong.push(`POST ${path}: ${response.status}`);
      }
    }
    assert.deepEqual(wrong, []);
  });
});

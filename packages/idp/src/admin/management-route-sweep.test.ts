import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { MANAGEMENT_SCOPES } from './management-api-identity.ts';
import {
  FRESH_AUTH_SECONDS,
  type ManagementFixture,
  openManagementFixture,
} from './testing/management-fixture.ts';

const OTHER_API = 'https://elsewhere.example/api';

interface Operation {
  method: string;
  path: string;
  scope: string;
  recentAuthentication: boolean;
}

/** Every operation of the published route table (the OpenAPI document the router is built from). */
async function operations(f: ManagementFixture): Promise<Operation[]> {
  const document = (await (await fetch(`${f.idp.issuer}/api/v1/openapi.json`)).json()) as {
    paths: Record<
      string,
      Record<string, { security: { bearer: string[] }[]; 'x-requires-recent-authentication'?: boolean }>
    >;
  };
  return Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({
      method: method.toUpperCase(),
      path: path.replace('{trigger}', 'post-login').replace(/\{\w+\}/g, 'x'),
      scope: operation.security[0]?.bearer[0] ?? '',
      recentAuthentication: operation['x-requires-recent-authentication'] === true,
    })),
  );
}

/**
 * The sweep the audit asked for: every management route, read from the router's own table, refuses a
 * token without its scope and a token minted for another API; every privileged change by a person
 * needs a recent multi-factor sign-in. A new route is covered, or this fails.
 */
describe('management API route sweep', () => {
  let f: ManagementFixture;
  let table: Operation[];
  before(async () => {
    f = await openManagementFixture();
    table = await operations(f);
  });
  after(() => f.close());

  test('the table is the whole API and every route names a management scope', () => {
    assert.ok(table.length >= 37, `only ${table.length} operations`);
    for (const operation of table) {
      assert.ok(
        (MANAGEMENT_SCOPES as readonly string[]).includes(operation.scope),
        `${operation.method} ${operation.path}`,
      );
    }
  });

  test('every /api/v1 route Fastify serves is in the table (only the document itself is public)', () => {
    const listed = new Set(table.map((operation) => `${operation.method} ${operation.path}`));
    const served = f.idp.stepup.routes
      .filter(({ method, url }) => url.startsWith('/api/v1/') && method !== 'HEAD')
      .map(
        ({ method, url }) =>
          `${method} ${url.slice('/api/v1'.length).replace(':trigger', 'post-login').replace(/:\w+/g, 'x')}`,
      );
    assert.deepEqual(
      served.filter((route) => !listed.has(route)),
      ['GET /openapi.json'],
    );
  });

  test('no token is 401 invalid_token with a Bearer challenge on every route', async () => {
    for (const operation of table) {
      const response = await fetch(`${f.idp.issuer}/api/v1${operation.path}`, { method: operation.method });
      const body = (await response.json()) as { error?: { code?: string } };
      assert.deepEqual(
        [response.status, body.error?.code, response.headers.get('www-authenticate')?.startsWith('Bearer ')],
        [401, 'invalid_token', true],
        `${operation.method} ${operation.path}`,
      );
    }
  });

  test('a token lacking the route scope is 403 missing_scope on every route', async () => {
    const tokens = new Map<string, string>();
    for (const operation of table) {
      let token = tokens.get(operation.scope);
      if (!token) {
        token = await f.machine(MANAGEMENT_SCOPES.filter((scope) => scope !== operation.scope));
        tokens.set(operation.scope, token);
      }
      const response = await f.call(token, operation.method, operation.path);
      assert.deepEqual(
        [response.status, response.body.error?.code],
        [403, 'missing_scope'],
        `${operation.method} ${operation.path}`,
      );
    }
  });

  test('a token minted for another API is 403 wrong_audience on every route', async () => {
    await f.idp.stepup.store.resourceServers.upsert({
      identifier: OTHER_API,
      scopes: [...MANAGEMENT_SCOPES],
      accessTokenTtl: 300,
      signingAlg: 'RS256',
    });
    const token = await f.machine([...MANAGEMENT_SCOPES], 'elsewhere-robot', OTHER_API);
    for (const operation of table) {
      const response = await f.call(token, operation.method, operation.path);
      assert.deepEqual(
        [response.status, response.body.error?.code],
        [403, 'wrong_audience'],
        `${operation.method} ${operation.path}`,
      );
    }
  });

  test('exactly the privileged changes need a recent sign-in, and a stale one is refused on each', async () => {
    const privileged = table
      .filter((operation) => operation.recentAuthentication)
      .map((operation) => `${operation.method} ${operation.path}`)
      .sort();
    assert.deepEqual(privileged, [
      'DELETE /actions/x',
      'DELETE /apis/x',
      'DELETE /authorization-detail-types/x',
      'DELETE /clients/x',
      'DELETE /users/x',
      'DELETE /users/x/factors/x',
      'DELETE /users/x/sessions',
      'DELETE /users/x/sign-in-lock',
      'PATCH /actions/x',
      'PATCH /settings',
      'POST /clients/x/secret',
      'POST /keys/rotate',
      'PUT /actions/triggers/post-login/order',
      'PUT /actions/x',
      'PUT /authorization-detail-types/x',
      'PUT /clients/x/scopes',
      'PUT /users/x/password',
      'PUT /users/x/roles',
    ]);
    await f.person('stale-operator', true);
    const token = await f.signIn('stale-operator');
    f.advance(FRESH_AUTH_SECONDS + 1);
    for (const operation of table.filter((candidate) => candidate.recentAuthentication)) {
      const response = await f.call(token, operation.method, operation.path);
      assert.deepEqual(
        [response.status, response.body.error?.code],
        [401, 'insufficient_user_authentication'],
        `${operation.method} ${operation.path}`,
      );
    }
  });
});

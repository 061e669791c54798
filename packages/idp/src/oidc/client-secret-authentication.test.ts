import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { generateClientSecret } from '../client-secrets/client-secret-strength.ts';
import { hashClientSecret, STORED_SECRET_METADATA } from '../client-secrets/stored-client-secret.ts';
import { openPostgresStore } from '../store/postgres/postgres-store.ts';
import { withRedisState } from '../store/redis/redis-store.ts';
import type { Store } from '../store/store.ts';
import { createPostgresTestDatabase } from '../testing/postgres-test-database.ts';
import { connectRedisForTests } from '../testing/redis-test-connection.ts';
import { startTestProvider, TEST_REDIRECT_URI, type TestProvider } from '../testing/test-provider.ts';
import { PROVIDER_ROUTES } from './provider-routes.ts';

const SECRET = generateClientSecret();
const WRONG = generateClientSecret();
const LIMIT = 20;
const WINDOW = 60;
const BURST = 100;

type Method = 'client_secret_basic' | 'client_secret_post';

/** The endpoints that authenticate clients, each with a request it answers for an authenticated client. */
const ENDPOINTS = {
  token: { path: PROVIDER_ROUTES.token, body: { grant_type: 'client_credentials' }, ok: 200 },
  revocation: { path: PROVIDER_ROUTES.revocation, body: { token: 'not-a-token-of-ours' }, ok: 200 },
  par: {
    path: PROVIDER_ROUTES.pushed_authorization_request,
    body: { response_type: 'code', scope: 'openid', redirect_uri: TEST_REDIRECT_URI },
    ok: 201,
  },
} as const;

async function call(
  issuer: string,
  endpoint: keyof typeof ENDPOINTS,
  client: { id: string; secret: string; method: Method },
): Promise<{ status: number; error: unknown; retryAfter: string | null }> {
  const { path, body } = ENDPOINTS[endpoint];
  // An authorization request names its client in its parameters, whatever the authentication.
  const form = new URLSearchParams(endpoint === 'par' ? { ...body, client_id: client.id } : body);
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (client.method === 'client_secret_basic') {
    // RFC 6749 2.3.1: each part form-encoded, then Basic.
    const pair = `${encodeURIComponent(client.id)}:${encodeURIComponent(client.secret)}`;
    headers.authorization = `Basic ${Buffer.from(pair).toString('base64')}`;
  } else {
    form.set('client_id', client.id);
    form.set('client_secret', client.secret);
  }
  const response = await fetch(new URL(path, issuer), { method: 'POST', headers, body: form });
  const text = await response.text();
  const parsed = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
  return { status: response.status, error: parsed.error, retryAfter: response.headers.get('retry-after') };
}

function describeClientSecrets(name: string, openStore?: () => Promise<Store>) {
  describe(`${name}: client secrets at rest and at the endpoints`, () => {
    let idp: TestProvider;
    let now = 1_800_000_000;

    before(async () => {
      idp = await startTestProvider({
        clock: () => now,
        throttling: { clientSecret: { limit: LIMIT, windowSeconds: WINDOW } },
        ...(openStore ? { store: await openStore() } : {}),
      });
      for (const method of ['client_secret_basic', 'client_secret_post'] as const) {
        for (const alg of ['RS256', 'HS256'] as const) {
          await idp.addClient({
            client_id: `${method}-${alg}`,
            client_secret: SECRET,
            token_endpoint_auth_method: method,
            id_token_signed_response_alg: alg,
            grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
          });
        }
      }
    });
    after(() => idp.close());

    test('a secret only compared rests as its SHA-256; one that keys HS256 ID tokens rests sealed', async () => {
      const hashed = await idp.stepup.store.clients.find('client_secret_basic-RS256');
      assert.deepEqual(hashed?.[STORED_SECRET_METADATA], { sha256: hashClientSecret(SECRET) });
      const sealed = await idp.stepup.store.clients.find('client_secret_basic-HS256');
      const record = sealed?.[STORED_SECRET_METADATA] as Record<string, unknown> | undefined;
      assert.deepEqual(Object.keys(record ?? {}), ['sealed']);
      for (const stored of [hashed, sealed]) {
        assert.equal(stored?.client_secret, undefined);
        assert.equal(JSON.stringify(stored).includes(SECRET), false);
      }
    });

    for (const method of ['client_secret_basic', 'client_secret_post'] as const) {
      for (const alg of ['RS256', 'HS256'] as const) {
        for (const endpoint of Object.keys(ENDPOINTS) as (keyof typeof ENDPOINTS)[]) {
          test(`${endpoint}, ${method}, ${alg === 'RS256' ? 'hashed' : 'sealed'}: the right secret authenticates, a wrong one, the digest and the secret of another client do not`, async () => {
            const id = `${method}-${alg}`;
            const right = await call(idp.issuer, endpoint, { id, secret: SECRET, method });
            assert.equal(right.status, ENDPOINTS[endpoint].ok, `right secret: ${String(right.error)}`);
            for (const secret of [WRONG, hashClientSecret(SECRET), `${SECRET} `, SECRET.slice(0, -1)]) {
              const wrong = await call(idp.issuer, endpoint, { id, secret, method });
              assert.deepEqual(wrong, { status: 401, error: 'invalid_client', retryAfter: null });
            }
          });
        }
      }
    }

    test(`${BURST} parallel wrong secrets for one client: exactly ${LIMIT} are checked, the rest get 429 with Retry-After until the window ends`, async () => {
      await idp.addClient({
        client_id: 'flooded',
        client_secret: SECRET,
        grant_types: ['client_credentials'],
      });
      const id = 'flooded';
      const method = 'client_secret_post';
      const answers = await Promise.all(
        Array.from({ length: BURST }, () => call(idp.issuer, 'token', { id, secret: WRONG, method })),
      );
      const tally: Record<string, number> = {};
      for (const { status, error, retryAfter } of answers) {
        const key = `${status} ${String(error)} retry-after=${retryAfter}`;
        tally[key] = (tally[key] ?? 0) + 1;
      }
      assert.deepEqual(tally, {
        '401 invalid_client retry-after=null': LIMIT,
        [`429 invalid_client retry-after=${WINDOW}`]: BURST - LIMIT,
      });
      // The window holds for the right secret too (else a right guess would still be told apart),
      // on every endpoint, and for another client id not at all.
      assert.equal((await call(idp.issuer, 'token', { id, secret: SECRET, method })).status, 429);
      assert.equal((await call(idp.issuer, 'revocation', { id, secret: SECRET, method })).status, 429);
      const other = { id: 'client_secret_post-RS256', secret: SECRET, method } as const;
      assert.equal((await call(idp.issuer, 'token', other)).status, 200);
      now += WINDOW;
      assert.equal((await call(idp.issuer, 'token', { id, secret: SECRET, method })).status, 200);
    });

    test(`${BURST} parallel requests with the right secret all succeed: they are not counted`, async () => {
      const client = {
        id: 'client_secret_basic-RS256',
        secret: SECRET,
        method: 'client_secret_basic',
      } as const;
      const answers = await Promise.all(
        Array.from({ length: BURST }, () => call(idp.issuer, 'token', client)),
      );
      assert.deepEqual(
        answers.map((answer) => answer.status),
        answers.map(() => 200),
      );
    });
  });
}

describeClientSecrets('sqlite');

const postgres = await createPostgresTestDatabase();
const redis = await connectRedisForTests();
if (postgres.skip !== undefined || redis.skip !== undefined) {
  describe('postgres and redis client secrets', { skip: postgres.skip ?? redis.skip }, () => {});
} else {
  const { database } = postgres;
  const keySpace = redis.redis;
  after(async () => {
    await keySpace.cleanup();
    await database.drop();
  });
  describeClientSecrets('postgres + redis', async () =>
    withRedisState(
      await openPostgresStore({
        connectionString: database.url,
        poolMax: 10,
        connectionTimeoutMs: 3000,
        statementTimeoutMs: 5000,
      }),
      { url: keySpace.url, keyPrefix: keySpace.newKeyPrefix(), commandTimeoutMs: 2000 },
    ),
  );
}

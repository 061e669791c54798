import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ACR_MULTI_FACTOR } from '@stepup/core';
import { MANAGEMENT_API_PATH, MANAGEMENT_SCOPES } from '../admin/management-api-identity.ts';
import {
  type ManagementFixture,
  openManagementFixture,
  PASSWORD,
  TOTP_SECRET,
} from '../admin/testing/management-fixture.ts';
import type { DeviceCredentials } from '../authenticator/device-key.ts';
import { signedDeviceUrl } from '../authenticator/signed-device-url.ts';
import { PUSH_DEVICE_PATHS } from '../factors/push/push-protocol.ts';
import { totpCodeAt } from '../factors/totp/totp.ts';
import { PROVIDER_ROUTES } from '../oidc/provider-routes.ts';
import {
  ask,
  CLIENT_TIMEOUT_MS,
  cutShortFault,
  firstEventArrives,
  outageFault,
  type SweepAnswer,
  type SweepRequest,
  streamEnds,
} from '../testing/outage-answers.ts';
import { type OutageProxy, startOutageProxy } from '../testing/outage-proxy.ts';
import { createPostgresTestDatabase } from '../testing/postgres-test-database.ts';
import { enrollTestDevice } from '../testing/push-login.ts';
import { connectRedisForTests } from '../testing/redis-test-connection.ts';
import { hiddenField, type TestBrowser } from '../testing/test-browser.ts';
import { TEST_REDIRECT_URI } from '../testing/test-provider.ts';
import {
  expectCallback,
  expectPage,
  submitPassword,
  submitTotp,
  TestRelyingParty,
} from '../testing/test-relying-party.ts';

// "No 500 during an outage" is a sweep, not a sample: with PostgreSQL and Redis each taken away in
// turn (through a proxy, so the shared servers keep running), every route Fastify has registered and
// every oidc-provider endpoint is asked once, as a signed-in browser or an authorised client would.
// Each answers 503 with Retry-After (a page to a browser, JSON to the rest), or the very answer it
// gives when the store is up (a route that does not need the store), and never hangs. A route added
// tomorrow is in the table, so it is swept too. Each backend is taken away three ways: refusing
// connections (down), holding them open without an answer (hanging), and cut while every request is
// under way (lost); and once under an open event stream.

const CLIENT_ID = 'sweep-app';
const CLIENT_SECRET = 'sweep-app-secret-0123456789abcdefghij';
/** Another application of the same person: its grant is not the one the token requests use. */
const OTHER_CLIENT_ID = 'sweep-other-app';
const ROBOT = 'sweep-robot';
const ROBOT_SECRET = `${ROBOT}-secret-0123456789abcdefghijkl`;
const DISCOVERY = '/.well-known/openid-configuration';

const postgres = await createPostgresTestDatabase();
const redis = await connectRedisForTests();
after(() => postgres.database?.drop());
const keySpace = redis.skip === undefined ? redis.redis : undefined;
after(() => keySpace?.cleanup());

/** Everything a sweep needs that only a working store can hand out. */
interface SweepFixtures {
  browser: TestBrowser;
  interactionUid: string;
  interactionCsrf: string;
  accountCsrf: string;
  code: string;
  codeVerifier: string;
  refreshToken: string;
  accessToken: string;
  /**
   * An access token of another application's grant, for the revocation endpoint: revoking one
   * revokes every token of its grant, which must not race the token requests of the sweep.
   */
  revocableToken: string;
  idToken: string;
  managementToken: string;
  /** The device's signed URLs, by path: its stream and its list of waiting requests. */
  deviceUrls: Map<string, string>;
}

const authorization = (user: string, secret: string) =>
  `Basic ${Buffer.from(`${user}:${secret}`).toString('base64')}`;
describe('every route while PostgreSQL or Redis is down', {
  skip: postgres.skip ?? redis.skip ?? false,
}, () => {
  let database: OutageProxy;
  let keyValue: OutageProxy;
  let f: ManagementFixture;
  let app: TestRelyingParty;
  let otherApp: TestRelyingParty;
  let device: DeviceCredentials;

  before(async () => {
    database = await startOutageProxy(postgres.database?.url ?? '');
    keyValue = await startOutageProxy(keySpace?.url ?? '');
    f = await openManagementFixture({
      databaseUrl: database.url,
      database: { connectionTimeoutMs: 1000, statementTimeoutMs: 2000 },
      redisUrl: keyValue.url,
      redis: { keyPrefix: keySpace?.newKeyPrefix() ?? '', commandTimeoutMs: 500 },
      push: { webPush: { enabled: true, subject: 'mailto:security@example.com' } },
    });
    await f.person('alice', false);
    // Someone else's phone: alice keeps signing in with TOTP.
    device = await enrollTestDevice(f.idp, await f.person('bob', false));
    await f.idp.addClient({
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      grant_types: ['authorization_code', 'refresh_token'],
    });
    await f.idp.addClient({ client_id: OTHER_CLIENT_ID, client_secret: CLIENT_SECRET });
    app = await TestRelyingParty.discover(f.idp.issuer, CLIENT_ID, { client_secret: CLIENT_SECRET });
    otherApp = await TestRelyingParty.discover(f.idp.issuer, OTHER_CLIENT_ID, {
      client_secret: CLIENT_SECRET,
    });
  });
  after(async () => {
    await f?.close();
    await database?.stop();
    await keyValue?.stop();
  });

  /** Waits until a login page opens again: the provider reconnects by itself, within a second or so. */
  async function untilServing(): Promise<void> {
    for (let attempt = 0; attempt < 100; attempt++) {
      const page = await app.inNewBrowser().open(await app.authorizationUrl());
      if ('page' in page && page.page.status === 200) return;
      await sleep(100);
    }
    throw new Error('the provider did not serve logins again');
  }

  /** Signs alice in with password and TOTP, and leaves what the sweep asks with. */
  async function prepare(): Promise<SweepFixtures> {
    f.advance(30);
    const rp = app.inNewBrowser();
    const offline = { scope: 'openid offline_access', prompt: 'consent', acr_values: ACR_MULTI_FACTOR };
    const first = await rp.authorizationUrl(offline);
    const login = expectPage(await rp.open(first));
    const totp = expectPage(await submitPassword(rp.browser, login.html, 'alice', PASSWORD));
    const tokens = await rp.redeem(
      expectCallback(await submitTotp(rp.browser, totp.html, totpCodeAt(TOTP_SECRET, f.clock()))),
      first,
    );
    // A code not yet redeemed, from the session (silent authentication).
    const silent = await rp.authorizationUrl({ prompt: 'none' });
    const code = expectCallback(await rp.open(silent)).searchParams.get('code') ?? '';
    const other = otherApp.inBrowser(rp.browser);
    const another = await other.authorizationUrl({ prompt: 'none' });
    const revocable = await other.redeem(expectCallback(await other.open(another)), another);
    const account = expectPage(await rp.browser.navigate('/account'));
    // A login under way in the same browser, so the interaction routes have one to act on.
    const pending = expectPage(await rp.open(await rp.authorizationUrl({ prompt: 'login' })));
    return {
      browser: rp.browser,
      interactionUid: new URL(pending.url).pathname.split('/')[2] ?? '',
      interactionCsrf: hiddenField(pending.html, 'csrf'),
      accountCsrf: hiddenField(account.html, 'csrf'),
      code,
      codeVerifier: silent.verifier,
      refreshToken: tokens.refresh_token ?? '',
      accessToken: tokens.access_token,
      revocableToken: revocable.access_token,
      idToken: tokens.id_token ?? '',
      managementToken: await f.machine(MANAGEMENT_SCOPES, ROBOT),
      deviceUrls: new Map(
        await Promise.all(
          [PUSH_DEVICE_PATHS.stream, PUSH_DEVICE_PATHS.challenges].map(
            async (path) => [path, (await signedDeviceUrl(device, path, f.clock())).href] as const,
          ),
        ),
      ),
    };
  }

  /** Every route Fastify serves, asked by the signed-in browser (the API with the management token). */
  function fastifyRequests(fixtures: SweepFixtures): SweepRequest[] {
    const cookie = fixtures.browser
      .cookieNames()
      .map((name) => `${name}=${fixtures.browser.cookie(name)}`)
      .join('; ');
    return f.idp.stepup.routes
      .filter((route) => route.method !== 'HEAD')
      .map((route) => {
        const path =
          fixtures.deviceUrls.get(route.url) ??
          route.url.replace(':uid', fixtures.interactionUid).replace(/:\w+|\*/g, 'x');
        const api = path.startsWith(MANAGEMENT_API_PATH);
        const headers: Record<string, string> = {
          cookie,
          accept: route.method === 'GET' && !api ? 'text/html,*/*' : 'application/json',
        };
        if (api) headers.authorization = `Bearer ${fixtures.managementToken}`;
        if (route.method === 'GET' || route.method === 'DELETE') {
          return { name: `${route.method} ${route.url}`, method: route.method, path, headers };
        }
        if (api || path.startsWith('/authenticator')) {
          headers['content-type'] = 'application/json';
          return { name: `${route.method} ${route.url}`, method: route.method, path, headers, body: '{}' };
        }
        // A browser's form, with what the login and account forms ask for.
        headers['content-type'] = 'application/x-www-form-urlencoded';
        const csrf = path.startsWith('/account') ? fixtures.accountCsrf : fixtures.interactionCsrf;
        const form = new URLSearchParams({ csrf, username: 'alice', password: PASSWORD, code: '000000' });
        return {
          name: `${route.method} ${route.url}`,
          method: route.method,
          path,
          headers,
          body: form.toString(),
        };
      });
  }

  /** oidc-provider's endpoints, each asked to do its job; every one of PROVIDER_ROUTES is here. */
  function providerRequests(fixtures: SweepFixtures): SweepRequest[] {
    const cookie = fixtures.browser
      .cookieNames()
      .map((name) => `${name}=${fixtures.browser.cookie(name)}`)
      .join('; ');
    const form = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
    const asApp = { ...form, authorization: authorization(CLIENT_ID, CLIENT_SECRET) };
    const authorize = (extra: Record<string, string>) =>
      `${PROVIDER_ROUTES.authorization}?${new URLSearchParams({
        client_id: CLIENT_ID,
        redirect_uri: TEST_REDIRECT_URI,
        response_type: 'code',
        scope: 'openid',
        code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
        code_challenge_method: 'S256',
        ...extra,
      })}`;
    const page = { accept: 'text/html,*/*' };
    const post = (
      name: string,
      path: string,
      headers: Record<string, string>,
      body: Record<string, string>,
      succeeds?: number,
    ) => ({
      name,
      method: 'POST',
      path,
      headers,
      body: new URLSearchParams(body).toString(),
      ...(succeeds === undefined ? {} : { succeeds }),
    });
    return [
      { name: 'discovery', method: 'GET', path: DISCOVERY, headers: {}, succeeds: 200 },
      { name: 'jwks', method: 'GET', path: PROVIDER_ROUTES.jwks, headers: {}, succeeds: 200 },
      { name: 'authorization, new login', method: 'GET', path: authorize({}), headers: page, succeeds: 303 },
      {
        name: 'authorization, prompt=none',
        method: 'GET',
        path: authorize({ prompt: 'none' }),
        headers: { ...page, cookie },
        succeeds: 303,
      },
      post(
        'token, authorization_code',
        PROVIDER_ROUTES.token,
        asApp,
        {
          grant_type: 'authorization_code',
          code: fixtures.code,
          redirect_uri: TEST_REDIRECT_URI,
          code_verifier: fixtures.codeVerifier,
        },
        200,
      ),
      post(
        'token, refresh_token',
        PROVIDER_ROUTES.token,
        asApp,
        {
          grant_type: 'refresh_token',
          refresh_token: fixtures.refreshToken,
        },
        200,
      ),
      post(
        'token, client_credentials',
        PROVIDER_ROUTES.token,
        { ...form, authorization: authorization(ROBOT, ROBOT_SECRET) },
        {
          grant_type: 'client_credentials',
          resource: `${f.idp.issuer}${MANAGEMENT_API_PATH}`,
        },
      ),
      {
        name: 'userinfo',
        method: 'GET',
        path: PROVIDER_ROUTES.userinfo,
        headers: { authorization: `Bearer ${fixtures.accessToken}` },
        succeeds: 200,
      },
      post('introspection', PROVIDER_ROUTES.introspection, asApp, { token: fixtures.accessToken }),
      post(
        'revocation',
        PROVIDER_ROUTES.revocation,
        { ...form, authorization: authorization(OTHER_CLIENT_ID, CLIENT_SECRET) },
        { token: fixtures.revocableToken },
        200,
      ),
      {
        name: 'end_session',
        method: 'GET',
        path: `${PROVIDER_ROUTES.end_session}?id_token_hint=${fixtures.idToken}`,
        headers: { ...page, cookie },
        succeeds: 200,
      },
      post(
        'pushed_authorization_request',
        PROVIDER_ROUTES.pushed_authorization_request,
        asApp,
        {
          client_id: CLIENT_ID,
          redirect_uri: TEST_REDIRECT_URI,
          response_type: 'code',
          scope: 'openid',
          code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
          code_challenge_method: 'S256',
        },
        201,
      ),
      // Not enabled: whatever they answer, they answer it without the store too.
      post('registration', PROVIDER_ROUTES.registration, { 'content-type': 'application/json' }, {}),
      { name: 'code_verification', method: 'GET', path: PROVIDER_ROUTES.code_verification, headers: page },
      post('device_authorization', PROVIDER_ROUTES.device_authorization, asApp, {}),
      post('backchannel_authentication', PROVIDER_ROUTES.backchannel_authentication, asApp, {}),
      post('challenge', PROVIDER_ROUTES.challenge, asApp, {}),
    ];
  }

  type SweepResult = Map<string, { request: SweepRequest; answer: SweepAnswer }>;

  /**
   * Asks every request, one after another; or `parallel`, the protocol endpoints all at once and then
   * the routes Fastify serves all at once (a sign-in page's changes never race the token requests).
   */
  async function sweep(fixtures: SweepFixtures, options: { parallel?: boolean } = {}): Promise<SweepResult> {
    const waves = [providerRequests(fixtures), fastifyRequests(fixtures)];
    const result: SweepResult = new Map();
    for (const wave of waves) {
      const answers: SweepAnswer[] = [];
      if (options.parallel) answers.push(...(await Promise.all(wave.map((r) => ask(f.idp.issuer, r)))));
      else for (const request of wave) answers.push(await ask(f.idp.issuer, request));
      wave.forEach((request, index) => {
        result.set(request.name, { request, answer: answers[index] as SweepAnswer });
      });
    }
    return result;
  }

  /**
   * Sweeps again once the backend is back, and lists what is wrong: an answer given during the
   * outage that is neither a proper 503 nor the answer with the store up, or a route that does not
   * serve again.
   */
  async function faultsAgainstRecovery(outage: SweepResult): Promise<string[]> {
    await untilServing();
    const healthy = await sweep(await prepare());
    const faults: string[] = [];
    for (const [name, { request, answer }] of outage) {
      const recovered = healthy.get(name)?.answer;
      assert.ok(recovered, name);
      if (recovered.status >= 500 || recovered.status === 0)
        faults.push(`${name}: up again, ${recovered.status}`);
      if (request.succeeds !== undefined && recovered.status !== request.succeeds) {
        faults.push(
          `${name}: up again, ${recovered.status} ${recovered.error ?? ''}, not ${request.succeeds}`,
        );
      }
      const fault = outageFault(request, answer, recovered);
      if (fault) faults.push(`${name}: ${fault}`);
    }
    return faults;
  }

  const refusedCount = (outage: SweepResult) =>
    [...outage.values()].filter(({ answer }) => answer.status === 503).length;

  test('the sweep covers every oidc-provider endpoint and a route of each part of the app', async () => {
    const fixtures = await prepare();
    const names = providerRequests(fixtures).map((request) => request.path.split('?')[0]);
    for (const path of [...Object.values(PROVIDER_ROUTES), DISCOVERY]) assert.ok(names.includes(path), path);
    const paths = fastifyRequests(fixtures).map((request) => request.name);
    for (const part of [
      '/interaction/',
      '/account',
      '/dashboard',
      '/authenticator',
      MANAGEMENT_API_PATH,
      '/healthz',
    ]) {
      assert.ok(
        paths.some((path) => path.includes(part)),
        part,
      );
    }
  });

  /** Requests that need each backend: they must be refused, or the outage was never met. */
  const NEEDS = {
    PostgreSQL: ['token, refresh_token', 'userinfo', 'GET /account', `GET ${MANAGEMENT_API_PATH}/users`],
    Redis: ['authorization, new login', 'GET /interaction/:uid', 'GET /authenticator/stream'],
  } as const;

  const assertRefused = (outage: SweepResult, names: readonly string[]) =>
    assert.deepEqual(
      names.filter((name) => outage.get(name)?.answer.status !== 503),
      [],
      'answered as if the backend were there',
    );

  for (const [backend, proxy] of [
    ['PostgreSQL', () => database],
    ['Redis', () => keyValue],
  ] as const) {
    test(`${backend} down: every route answers 503 with Retry-After or does without the store; back up, they serve again`, async (t) => {
      const during = await prepare();
      await proxy().stop();
      let outage: SweepResult;
      try {
        outage = await sweep(during);
      } finally {
        await proxy().start();
      }
      assert.deepEqual(await faultsAgainstRecovery(outage), []);
      assertRefused(outage, NEEDS[backend]);
      t.diagnostic(`${outage.size} requests, ${refusedCount(outage)} answered 503 while ${backend} was down`);
    });

    test(`${backend} hanging (connections open, nothing answered): every route answers in time, 503 or without the store`, async (t) => {
      const during = await prepare();
      proxy().freeze();
      const started = performance.now();
      let outage: SweepResult;
      try {
        // All at once, as a busy node meets a hang: the pool fills and later requests wait for it.
        outage = await sweep(during, { parallel: true });
      } finally {
        proxy().thaw();
      }
      const seconds = (performance.now() - started) / 1000;
      assert.deepEqual(await faultsAgainstRecovery(outage), []);
      assertRefused(outage, NEEDS[backend]);
      t.diagnostic(
        `${outage.size} requests, ${refusedCount(outage)} answered 503 while ${backend} hung; all answered within ${seconds.toFixed(1)} s`,
      );
    });

    test(`${backend} lost while every route is being asked at once: no 500, no hang`, async () => {
      const fixtures = await prepare();
      const requests = [...providerRequests(fixtures), ...fastifyRequests(fixtures)];
      const answers = requests.map((request) => ask(f.idp.issuer, request));
      // The connections break under requests that are reading or writing, as in a restart.
      await Promise.race(answers);
      await proxy().stop();
      let settled: SweepAnswer[];
      try {
        settled = await Promise.all(answers);
      } finally {
        await proxy().start();
      }
      await untilServing();
      const faults = requests.flatMap((request, index) => {
        const fault = cutShortFault(settled[index] as SweepAnswer);
        return fault ? [`${request.name}: ${fault}`] : [];
      });
      assert.deepEqual(faults, []);
    });
  }

  test('Redis lost under an open device stream: the stream ends, so the device connects again and is sent what waits', async () => {
    const url = await signedDeviceUrl(device, PUSH_DEVICE_PATHS.stream, f.clock());
    const response = await fetch(url, { signal: AbortSignal.timeout(CLIENT_TIMEOUT_MS) });
    assert.equal(response.status, 200);
    assert.ok(await firstEventArrives(response, { keepOpen: true }), 'the stream is ready');
    await keyValue.stop();
    try {
      // Without the end, notices missed while Redis is away would never reach this device.
      assert.equal(await streamEnds(response), true);
    } finally {
      await keyValue.start();
    }
    await untilServing();
  });
});

import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { after, before, describe, type TestContext, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ACR_MULTI_FACTOR } from '@stepup/core';
import { totpCodeAt } from '../packages/idp/src/factors/totp/totp.ts';
import { STORE_UNAVAILABLE_BODY } from '../packages/idp/src/http/store-errors.ts';
import { PROVIDER_ROUTES } from '../packages/idp/src/oidc/provider-routes.ts';
import { postTokenRequest } from '../packages/idp/src/testing/post-token-request.ts';
import { createPostgresTestDatabase } from '../packages/idp/src/testing/postgres-test-database.ts';
import { connectRedisForTests } from '../packages/idp/src/testing/redis-test-connection.ts';
import { startTestProvider, type TestProvider } from '../packages/idp/src/testing/test-provider.ts';
import {
  expectCallback,
  expectPage,
  submitPassword,
  submitTotp,
  TestRelyingParty,
} from '../packages/idp/src/testing/test-relying-party.ts';
import {
  ensureServicesRunning,
  startPostgres,
  startRedis,
  stopPostgres,
  stopRedis,
  until,
  whyServicesCannotBeControlled,
} from './support/backing-services.ts';

// The provider on PostgreSQL + Redis while one of them restarts under load: requests answer 503
// while it is down, succeed again by themselves when it is back, and nothing committed is lost.
// These tests stop the machine's PostgreSQL and Redis, so they live in their own file; every test
// brings the services back in a finally block, whatever happened.

const PASSWORD = 'correct horse battery';
const CLIENT_SECRET = 'faults-client-secret-0123456789abcdef';
const TOTP_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const OFFLINE = { scope: 'openid offline_access', prompt: 'consent' };
const now = () => Math.floor(Date.now() / 1000);

const postgres = await createPostgresTestDatabase();
const redis = await connectRedisForTests();
const uncontrollable = await whyServicesCannotBeControlled();
if (uncontrollable !== undefined && process.env.CI) {
  throw new Error(`${uncontrollable}; CI is set, so the fault tests fail instead of skipping.`);
}

type Phase = 'before' | 'outage' | 'recovering' | 'after';

/** Requests sent in a loop by a few workers while a test stops and starts a service. */
function startLoad(request: () => Promise<number>, workers = 3) {
  let running = true;
  let phase: Phase = 'before';
  const results: { phase: Phase; status: number; ms: number }[] = [];
  const loops = Array.from({ length: workers }, async () => {
    while (running) {
      const started = performance.now();
      const startedIn = phase;
      // 0: the request failed without an HTTP answer (it must not happen).
      const status = await request().catch(() => 0);
      results.push({ phase: startedIn, status, ms: performance.now() - started });
      await sleep(10);
    }
  });
  return {
    enter(next: Phase) {
      phase = next;
    },
    /** Whether a request started in `during` got `status`: the load itself met the outage. */
    async saw(during: Phase, status: number) {
      return results.some((result) => result.phase === during && result.status === status);
    },
    async stop() {
      running = false;
      await Promise.all(loops);
      return results;
    },
  };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

if (postgres.skip !== undefined || redis.skip !== undefined || uncontrollable !== undefined) {
  describe('backing services restarted under load', {
    skip: postgres.skip ?? redis.skip ?? uncontrollable,
  }, () => {});
} else {
  const { database } = postgres;
  const keySpace = redis.redis;

  describe('backing services restarted under load', () => {
    let idp: TestProvider;

    before(async () => {
      idp = await startTestProvider({
        databaseUrl: database.url,
        redisUrl: keySpace.url,
        redis: { keyPrefix: keySpace.newKeyPrefix() },
      });
      await idp.addClient({ client_id: 'app', client_secret: CLIENT_SECRET });
    });
    after(async () => {
      try {
        await ensureServicesRunning();
      } finally {
        await idp?.close();
        await keySpace.cleanup();
        await database.drop();
      }
    });

    const app = () => TestRelyingParty.discover(idp.issuer, 'app', { client_secret: CLIENT_SECRET });

    const postToken = (body: Record<string, string>) =>
      postTokenRequest(idp.issuer, { client_id: 'app', client_secret: CLIENT_SECRET }, body);

    /** A user with TOTP and a refresh token, committed before the outage. */
    async function committedBeforeTheOutage(username: string) {
      const user = await idp.addUser(username, PASSWORD);
      await idp.importTotp(user.id, TOTP_SECRET);
      const rp = await app();
      const pending = await rp.authorizationUrl(OFFLINE);
      const login = expectPage(await rp.open(pending));
      const tokens = await rp.redeem(
        expectCallback(await submitPassword(rp.browser, login.html, username, PASSWORD)),
        pending,
      );
      assert.ok(tokens.refresh_token);
      return { user, refreshToken: tokens.refresh_token };
    }

    /** Opens a login page in a new browser: what a person arriving at the provider does. */
    async function loginPageStatus(): Promise<number> {
      // Discovery answering anything but 200 is that answer's status; any other failure propagates.
      const discovery = await fetch(new URL('/.well-known/openid-configuration', idp.issuer));
      await discovery.body?.cancel();
      if (discovery.status !== 200) return discovery.status;
      const rp = await app();
      const page = await rp.open(await rp.authorizationUrl());
      return 'page' in page ? page.page.status : 302;
    }

    /** After the outage: the committed user signs in with password and TOTP, the refresh token works. */
    async function assertNothingLost(username: string, userId: string, refreshToken: string) {
      const rp = await app();
      const pending = await rp.authorizationUrl({ acr_values: ACR_MULTI_FACTOR });
      const login = expectPage(await rp.open(pending));
      const totpPage = expectPage(await submitPassword(rp.browser, login.html, username, PASSWORD));
      const tokens = await rp.redeem(
        expectCallback(await submitTotp(rp.browser, totpPage.html, totpCodeAt(TOTP_SECRET, now()))),
        pending,
      );
      assert.equal(tokens.claims()?.sub, userId);
      assert.deepEqual(tokens.claims()?.amr, ['mfa', 'otp', 'pwd']);
      const refreshed = await postToken({ grant_type: 'refresh_token', refresh_token: refreshToken });
      assert.equal(refreshed.status, 200);
    }

    function reportLoad(t: TestContext, results: { phase: Phase; status: number; ms: number }[]) {
      const statuses = new Set(results.map((result) => result.status));
      assert.deepEqual(
        [...statuses].filter((status) => status !== 200 && status !== 503),
        [],
        'only 200 or 503',
      );
      const outage = results.filter((result) => result.phase === 'outage');
      assert.ok(
        outage.some((result) => result.status === 503),
        'the load saw the outage',
      );
      const afterRecovery = results
        .filter((result) => result.phase === 'after')
        .map((result) => result.status);
      assert.ok(afterRecovery.length > 0, 'the load ran after the recovery');
      assert.deepEqual(
        afterRecovery,
        afterRecovery.map(() => 200),
        'every request after the recovery succeeds',
      );
      const outageMs = outage.map((result) => result.ms);
      t.diagnostic(
        `${results.length} requests; during the outage ${outage.length}, ` +
          `p50 ${percentile(outageMs, 50).toFixed(0)} ms, max ${Math.max(...outageMs).toFixed(0)} ms`,
      );
    }

    test('Redis shut down and started again: 503 while down, logins again afterwards, nothing committed lost', async (t) => {
      const { user, refreshToken } = await committedBeforeTheOutage('alice');
      const load = startLoad(loginPageStatus);
      let results: Awaited<ReturnType<typeof load.stop>>;
      try {
        await until(async () => (await loginPageStatus()) === 200, 'a first login page');
        await stopRedis();
        load.enter('outage');
        const rp = await app();
        const page = expectPage(await rp.open(await rp.authorizationUrl()));
        assert.equal(page.page.status, 503);
        assert.equal(page.page.headers.get('retry-after'), '5');
        // oidc-provider keeps its Interaction in Redis, so the authorization endpoint itself answers,
        // with the page a browser shows.
        assert.equal(new URL(page.url).pathname, PROVIDER_ROUTES.authorization);
        assert.match(page.page.headers.get('content-type') ?? '', /^text\/html/);
        assert.match(page.html, /<h1>Temporarily unavailable<\/h1>/);
        // The outage lasts until the load has met it too, however slow the machine is today.
        await until(() => load.saw('outage', 503), 'the load to meet the outage');

        await startRedis();
        load.enter('recovering');
        await until(async () => (await loginPageStatus()) === 200, 'the provider to serve logins again');
        load.enter('after');
        await sleep(300);
      } finally {
        await startRedis();
        results = await load.stop();
      }
      reportLoad(t, results);
      await assertNothingLost('alice', user.id, refreshToken);
    });

    test('PostgreSQL stopped and started again: 503 while down, logins and refreshes again afterwards, nothing committed lost', async (t) => {
      const { user, refreshToken } = await committedBeforeTheOutage('bob');
      const load = startLoad(loginPageStatus);
      let results: Awaited<ReturnType<typeof load.stop>>;
      try {
        await until(async () => (await loginPageStatus()) === 200, 'a first login page');
        await stopPostgres();
        load.enter('outage');
        const refresh = await postToken({ grant_type: 'refresh_token', refresh_token: refreshToken });
        assert.equal(refresh.status, 503);
        assert.equal(refresh.retryAfter, '5');
        assert.deepEqual(refresh.body, STORE_UNAVAILABLE_BODY);
        await until(() => load.saw('outage', 503), 'the load to meet the outage');

        await startPostgres();
        load.enter('recovering');
        await until(async () => (await loginPageStatus()) === 200, 'the provider to serve logins again');
        load.enter('after');
        await sleep(300);
      } finally {
        await startPostgres();
        results = await load.stop();
      }
      reportLoad(t, results);
      await assertNothingLost('bob', user.id, refreshToken);
    });
  });
}

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ACR_MULTI_FACTOR } from '@stepup/core';
import { Redis } from 'ioredis';
import * as oidc from 'openid-client';
import { listPendingChallenges } from '../../authenticator/list-pending-challenges.ts';
import { respondToChallenge } from '../../authenticator/respond-to-challenge.ts';
import { PROVIDER_ROUTES } from '../../oidc/provider-routes.ts';
import { createPostgresTestDatabase } from '../../testing/postgres-test-database.ts';
import { enrollTestDevice, loginToSecondFactor, readPushPage } from '../../testing/push-login.ts';
import { connectRedisForTests } from '../../testing/redis-test-connection.ts';
import { assertNotStored, readPostgresRows, readSqliteFiles } from '../../testing/storage-dump.ts';
import { startTestProvider, type TestProvider } from '../../testing/test-provider.ts';
import {
  expectCallback,
  expectPage,
  submitPassword,
  TestRelyingParty,
} from '../../testing/test-relying-party.ts';
import { openPostgresStore } from '../postgres/postgres-store.ts';
import { openSqliteStore } from '../sqlite/sqlite-store.ts';
import type { Store } from '../store.ts';
import { hashBearerId } from './bearer-id-hash.ts';
import { withHashedBearerIds } from './hashed-bearer-id-adapter.ts';

// Issue #16 item 1: after a login with offline_access, no bearer secret a client or browser holds
// (session cookie, interaction id, codes, access and refresh tokens) is anywhere in the database
// files, the PostgreSQL rows or the Redis keys; and the flow still works on each store.

const PASSWORD = 'correct horse battery';
const CLIENT_SECRET = 'at-rest-client-secret-0123456789abcdef';
const POST_LOGOUT_REDIRECT_URI = 'http://127.0.0.1:9/signed-out';
// OIDC Core 11: offline_access is honoured only together with prompt=consent.
const OFFLINE = { scope: 'openid offline_access', prompt: 'consent' };

/** Everything the store holds at this moment, as one text to search. */
type DumpStorage = () => Promise<string>;

async function redisEntries(url: string, keyPrefix: string): Promise<string> {
  const redis = new Redis(url, { lazyConnect: true });
  await redis.connect();
  try {
    const lines: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${keyPrefix}*`, 'COUNT', 500);
      cursor = next;
      for (const key of keys) {
        const type = await redis.type(key);
        const value =
          type === 'string'
            ? await redis.get(key)
            : type === 'hash'
              ? await redis.hgetall(key)
              : type === 'set'
                ? await redis.smembers(key)
                : type === 'zset'
                  ? await redis.zrange(key, '0', '-1', 'WITHSCORES')
                  : type === 'list'
                    ? await redis.lrange(key, 0, -1)
                    : type;
        lines.push(`${key} ${JSON.stringify(value)}`);
      }
    } while (cursor !== '0');
    return lines.join('\n');
  } finally {
    redis.disconnect();
  }
}

/** The key the provider hashes new bearer ids under: its keyring's current one. */
function bearerIdKeyOf(idp: TestProvider): Buffer {
  const [current] = idp.stepup.secretKeyring.bearerIdKeys();
  assert.ok(current);
  return current;
}

function describeAtRest(name: string, start: () => Promise<TestProvider>, dump: DumpStorage, skip?: string) {
  describe(`bearer secrets at rest: ${name}`, { skip: skip ?? false }, () => {
    let idp: TestProvider;
    before(async () => {
      idp = await start();
      await idp.addUser('alice', PASSWORD);
      await idp.addClient({
        client_id: 'app',
        client_secret: CLIENT_SECRET,
        post_logout_redirect_uris: [POST_LOGOUT_REDIRECT_URI],
      });
    });
    after(() => idp?.close());

    /** The stored id of a bearer secret, under the key the provider uses. */
    async function storedId(secret: string): Promise<string> {
      return hashBearerId(bearerIdKeyOf(idp), secret);
    }

    test('a login with offline_access, a refresh, a silent login, revocation and logout', async () => {
      const rp = await TestRelyingParty.discover(idp.issuer, 'app', { client_secret: CLIENT_SECRET });
      const pending = await rp.authorizationUrl(OFFLINE);
      const login = expectPage(await rp.open(pending));
      const interactionId = rp.browser.cookie('_interaction');
      assert.ok(interactionId && login.url.includes(interactionId), 'the login page is the interaction');
      const duringLogin = await dump();
      assertNotStored(duringLogin, { 'interaction id': interactionId });
      assert.ok(duringLogin.includes(await storedId(interactionId)), 'the interaction is stored, hashed');

      const callback = expectCallback(await submitPassword(rp.browser, login.html, 'alice', PASSWORD));
      const code = callback.searchParams.get('code') ?? undefined;
      const sessionCookie = rp.browser.cookie('_session');
      assert.ok(sessionCookie);
      const tokens = await rp.redeem(callback, pending);
      const sub = tokens.claims()?.sub ?? '';
      assert.equal((await oidc.fetchUserInfo(rp.config, tokens.access_token, sub)).sub, sub);
      assert.ok(tokens.refresh_token);

      const refreshed = await oidc.refreshTokenGrant(rp.config, tokens.refresh_token);
      assert.equal(refreshed.claims()?.sub, sub);
      assert.deepEqual(refreshed.claims()?.amr, tokens.claims()?.amr);
      const refreshToken = refreshed.refresh_token ?? tokens.refresh_token;

      const silentLogin = await rp.authorizationUrl({ prompt: 'none' });
      const silentCallback = expectCallback(await rp.open(silentLogin));
      assert.equal(silentCallback.searchParams.get('error'), null, 'the session signs in silently');
      const silent = await rp.redeem(silentCallback, silentLogin);
      assert.equal(silent.claims()?.sub, sub);

      const afterLogin = await dump();
      assertNotStored(afterLogin, {
        'session cookie': sessionCookie,
        'authorization code': code,
        'access token': tokens.access_token,
        'refresh token': tokens.refresh_token,
        'rotated refresh token': refreshed.refresh_token,
        'refreshed access token': refreshed.access_token,
        'silent authorization code': silentCallback.searchParams.get('code') ?? undefined,
        'silent access token': silent.access_token,
      });
      assert.ok(afterLogin.includes(await storedId(sessionCookie)), 'the session is stored, hashed');
      assert.ok(afterLogin.includes(await storedId(refreshToken)), 'the refresh token is stored, hashed');

      await oidc.tokenRevocation(rp.config, refreshToken);
      await assert.rejects(oidc.refreshTokenGrant(rp.config, refreshToken), { error: 'invalid_grant' });

      const logout = new URL(PROVIDER_ROUTES.end_session, idp.issuer);
      logout.search = new URLSearchParams({
        id_token_hint: silent.id_token ?? '',
        post_logout_redirect_uri: POST_LOGOUT_REDIRECT_URI,
      }).toString();
      const confirm = await (await rp.browser.request(logout.href)).text();
      const action = /<form id="op\.logoutForm"[^>]*action="([^"]+)"/.exec(confirm)?.[1];
      assert.ok(action, 'the logout page holds its form');
      const hidden = Object.fromEntries(
        [...confirm.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m) => [
          m[1],
          m[2],
        ]),
      );
      const signedOut = expectCallback(
        await rp.browser.navigate(action, { form: { ...hidden, logout: 'yes' } }),
      );
      assert.equal(`${signedOut.origin}${signedOut.pathname}`, POST_LOGOUT_REDIRECT_URI);
      const afterLogout = await rp.authorizationUrl({ prompt: 'none' });
      assert.equal(expectCallback(await rp.open(afterLogout)).searchParams.get('error'), 'login_required');
    });

    test('a step-up with push: the interaction id is not at rest while the login waits, nor after', async () => {
      const bob = await idp.addUser('bob', PASSWORD);
      const device = await enrollTestDevice(idp, bob.id, "Bob's phone");
      const rp = await TestRelyingParty.discover(idp.issuer, 'app', { client_secret: CLIENT_SECRET });
      const { pending, page } = await loginToSecondFactor(rp, 'bob', PASSWORD);
      const interactionId = rp.browser.cookie('_interaction');
      const push = readPushPage(page);
      const [challenge] = await listPendingChallenges(device);
      assert.ok(challenge, 'the device has the request');
      assertNotStored(await dump(), { 'interaction id': interactionId });

      await respondToChallenge(device, challenge.id, { decision: 'approve', number: push.number });
      const tokens = await rp.redeem(expectCallback(await rp.browser.navigate(push.nextUrl)), pending);
      assert.equal(tokens.claims()?.acr, ACR_MULTI_FACTOR);
      assertNotStored(await dump(), { 'interaction id': interactionId });
    });
  });
}

/**
 * A store an earlier release wrote holds its bearer ids in clear: after the upgrade, none is left
 * and the session and refresh token issued before it keep working.
 */
function describeUpgrade(
  name: string,
  start: (port?: number) => Promise<TestProvider>,
  openRaw: () => Promise<Store>,
  dump: DumpStorage,
  skip?: string,
) {
  describe(`bearer secrets at rest: upgrading ${name}`, { skip: skip ?? false }, () => {
    test('a session and a refresh token stored in clear are rewritten at start and keep working', async () => {
      let idp = await start();
      await idp.addUser('alice', PASSWORD);
      await idp.addClient({ client_id: 'app', client_secret: CLIENT_SECRET });
      const rp = await TestRelyingParty.discover(idp.issuer, 'app', { client_secret: CLIENT_SECRET });
      const pending = await rp.authorizationUrl(OFFLINE);
      const login = expectPage(await rp.open(pending));
      const tokens = await rp.redeem(
        expectCallback(await submitPassword(rp.browser, login.html, 'alice', PASSWORD)),
        pending,
      );
      const sessionCookie = rp.browser.cookie('_session');
      const refreshToken = tokens.refresh_token;
      assert.ok(sessionCookie && refreshToken);
      const key = bearerIdKeyOf(idp);
      const port = Number(new URL(idp.issuer).port);
      await idp.close({ removeData: false });

      // What a release before hashing stored: each instance under its plain id, the id in its payload,
      // as oidc-provider hands them to the store's own adapter.
      const raw = await openRaw();
      const now = Math.floor(Date.now() / 1000);
      const hashed = withHashedBearerIds(raw.oidcAdapter, [key]);
      for (const [model, id] of [
        ['Session', sessionCookie],
        ['RefreshToken', refreshToken],
        ['AccessToken', tokens.access_token],
      ] as const) {
        const payload = await new hashed(model).find(id);
        assert.ok(payload && typeof payload.exp === 'number', `${model} was stored`);
        await new raw.oidcAdapter(model).upsert(id, payload, payload.exp - now);
        await new raw.oidcAdapter(model).destroy(hashBearerId(key, id));
      }
      await raw.close();
      assert.ok((await dump()).includes(refreshToken), 'the store holds the refresh token in clear');

      idp = await start(port);
      try {
        const upgraded = await dump();
        assertNotStored(upgraded, {
          'session cookie': sessionCookie,
          'refresh token': refreshToken,
          'access token': tokens.access_token,
        });
        assert.ok(
          upgraded.includes(hashBearerId(key, refreshToken)),
          'the refresh token was moved, not lost',
        );

        const sub = tokens.claims()?.sub ?? '';
        assert.equal((await oidc.fetchUserInfo(rp.config, tokens.access_token, sub)).sub, sub);
        const silentLogin = await rp.authorizationUrl({ prompt: 'none' });
        const silentCallback = expectCallback(await rp.open(silentLogin));
        assert.equal(silentCallback.searchParams.get('error'), null, 'the session still signs in silently');
        assert.equal((await rp.redeem(silentCallback, silentLogin)).claims()?.sub, sub);
        const refreshed = await oidc.refreshTokenGrant(rp.config, refreshToken);
        assert.equal(refreshed.claims()?.sub, sub);
      } finally {
        await idp.close();
      }
    });
  });
}

const sqliteDataDir = mkdtempSync(join(tmpdir(), 'stepup-at-rest-'));
describeAtRest(
  'SQLite',
  () => startTestProvider({ dataDir: sqliteDataDir }),
  () => readSqliteFiles(sqliteDataDir),
);

const upgradedDataDir = mkdtempSync(join(tmpdir(), 'stepup-upgrade-'));
after(() => rmSync(upgradedDataDir, { recursive: true, force: true }));
describeUpgrade(
  'SQLite',
  (port) => startTestProvider({ dataDir: upgradedDataDir, ...(port ? { port } : {}) }),
  () => openSqliteStore({ dataDir: upgradedDataDir }),
  () => readSqliteFiles(upgradedDataDir),
);

// Each PostgreSQL provider gets a database of its own.
const postgres = await createPostgresTestDatabase();
const postgresUnderRedis = await createPostgresTestDatabase();
const postgresUpgraded = await createPostgresTestDatabase();
const redis = await connectRedisForTests();
after(async () => {
  if (redis.skip === undefined) await redis.redis.cleanup();
  await postgres.database?.drop();
  await postgresUnderRedis.database?.drop();
  await postgresUpgraded.database?.drop();
});

const databaseUrl = postgres.database?.url ?? '';
describeAtRest(
  'PostgreSQL',
  () => startTestProvider({ databaseUrl }),
  () => readPostgresRows(databaseUrl),
  postgres.skip,
);

const durableUrl = postgresUnderRedis.database?.url ?? '';
const redisTest = redis.skip === undefined ? redis.redis : undefined;
const redisUrl = redisTest?.url ?? '';
const keyPrefix = redisTest?.newKeyPrefix() ?? '';
describeAtRest(
  'PostgreSQL + Redis',
  () => startTestProvider({ databaseUrl: durableUrl, redisUrl, redis: { keyPrefix } }),
  async () => `${await readPostgresRows(durableUrl)}\n${await redisEntries(redisUrl, keyPrefix)}`,
  postgresUnderRedis.skip ?? redis.skip,
);

const upgradedUrl = postgresUpgraded.database?.url ?? '';
describeUpgrade(
  'PostgreSQL',
  (port) => startTestProvider({ databaseUrl: upgradedUrl, ...(port ? { port } : {}) }),
  () =>
    openPostgresStore({
      connectionString: upgradedUrl,
      poolMax: 2,
      connectionTimeoutMs: 3000,
      statementTimeoutMs: 5000,
    }),
  () => readPostgresRows(upgradedUrl),
  postgresUpgraded.skip,
);

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ACR_MULTI_FACTOR, ACR_ONE_FACTOR } from '@stepup/core';
import * as oidc from 'openid-client';
import pino from 'pino';
import { configSchema } from '../../config/config-schema.ts';
import { ConfigError } from '../../config/load-config.ts';
import { totpCodeAt } from '../../factors/totp/totp.ts';
import { STORE_INPUT_BODY, STORE_UNAVAILABLE_BODY } from '../../http/store-errors.ts';
import { createStepupProvider } from '../../stepup-provider.ts';
import { machineToken } from '../../testing/management-tokens.ts';
import { type OutageProxy, startOutageProxy } from '../../testing/outage-proxy.ts';
import { postTokenRequest } from '../../testing/post-token-request.ts';
import { createPostgresTestDatabase } from '../../testing/postgres-test-database.ts';
import { startTestProvider, type TestProvider } from '../../testing/test-provider.ts';
import {
  expectCallback,
  expectPage,
  submitPassword,
  submitTotp,
  TestRelyingParty,
} from '../../testing/test-relying-party.ts';

// The token lifecycle of oidc/token-lifecycle.test.ts, on PostgreSQL: the provider started with
// `databaseUrl`, as STEPUP_DATABASE_URL does, and then an outage of the database.

const PASSWORD = 'correct horse battery';
const CLIENT_SECRET = 'postgres-client-secret-0123456789abcdef';
const TOTP_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
// OIDC Core 11: offline_access is honoured only together with prompt=consent.
const OFFLINE = { scope: 'openid offline_access', prompt: 'consent' };
const now = () => Math.floor(Date.now() / 1000);

const created = await createPostgresTestDatabase();
after(() => created.database?.drop());

test('on PostgreSQL without STEPUP_SECRET_KEY the provider refuses to start, before it connects', async () => {
  // Nothing listens at this address: a provider that tried to connect would fail otherwise.
  const config = configSchema.parse({
    databaseUrl: 'postgres://postgres@127.0.0.1:1/stepup',
    logLevel: 'silent',
  });
  await assert.rejects(
    createStepupProvider(
      { ...config, issuer: 'http://localhost:3000' },
      { logger: pino({ level: 'silent' }) },
    ),
    (error: Error) =>
      error instanceof ConfigError && /every node needs the same encryption key/.test(error.message),
  );
});

describe('the provider on PostgreSQL', { skip: created.skip ?? false }, () => {
  let proxy: OutageProxy;
  let idp: TestProvider;

  before(async () => {
    // Through a proxy, so the last test can take the database away and give it back.
    proxy = await startOutageProxy(created.database?.url ?? '');
    idp = await startTestProvider({
      databaseUrl: proxy.url,
      database: { connectionTimeoutMs: 1000 },
      // Strict single use; the reuse interval on PostgreSQL is tested in oidc/refresh-token-reuse.test.ts.
      refreshTokenReuseIntervalSeconds: 0,
    });
    await idp.importTotp((await idp.addUser('alice', PASSWORD)).id, TOTP_SECRET);
    await idp.addUser('bob', PASSWORD);
    await idp.addClient({ client_id: 'app', client_secret: CLIENT_SECRET });
  });
  after(async () => {
    await idp?.close();
    await proxy?.stop();
  });

  const app = () => TestRelyingParty.discover(idp.issuer, 'app', { client_secret: CLIENT_SECRET });

  async function signIn(rp: TestRelyingParty, username: string, params: Record<string, string> = {}) {
    const pending = await rp.authorizationUrl(params);
    const login = expectPage(await rp.open(pending));
    const callback = expectCallback(await submitPassword(rp.browser, login.html, username, PASSWORD));
    return { pending, callback };
  }

  const postToken = (body: Record<string, string>) =>
    postTokenRequest(idp.issuer, { client_id: 'app', client_secret: CLIENT_SECRET }, body);

  test('a step-up with TOTP, then a refresh that keeps acr, amr and auth_time', async () => {
    const rp = await app();
    const stepUp = await rp.authorizationUrl({ ...OFFLINE, acr_values: ACR_MULTI_FACTOR });
    const login = expectPage(await rp.open(stepUp));
    const challenge = expectPage(await submitPassword(rp.browser, login.html, 'alice', PASSWORD));
    const callback = expectCallback(
      await submitTotp(rp.browser, challenge.html, totpCodeAt(TOTP_SECRET, now())),
    );
    const tokens = await rp.redeem(callback, stepUp);
    const original = tokens.claims();
    assert.equal(original?.acr, ACR_MULTI_FACTOR);
    assert.deepEqual(original?.amr, ['mfa', 'otp', 'pwd']);
    assert.ok(tokens.refresh_token);

    const refreshed = await oidc.refreshTokenGrant(rp.config, tokens.refresh_token);
    assert.equal(refreshed.claims()?.acr, ACR_MULTI_FACTOR);
    assert.deepEqual(refreshed.claims()?.amr, ['mfa', 'otp', 'pwd']);
    assert.equal(refreshed.claims()?.auth_time, original?.auth_time);
    assert.notEqual(refreshed.refresh_token, tokens.refresh_token);
  });

  test('with no reuse interval, ten parallel refreshes with one refresh token: exactly one succeeds', async () => {
    const rp = await app();
    const login = await signIn(rp, 'bob', OFFLINE);
    const tokens = await rp.redeem(login.callback, login.pending);
    assert.equal(tokens.claims()?.acr, ACR_ONE_FACTOR);
    const refreshToken = tokens.refresh_token ?? '';
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        postToken({ grant_type: 'refresh_token', refresh_token: refreshToken }),
      ),
    );
    assert.equal(results.filter((result) => result.status === 200).length, 1);
    for (const result of results.filter((r) => r.status !== 200)) {
      assert.equal(result.status, 400);
      assert.equal(result.body.error, 'invalid_grant');
    }
  });

  test('U+0000, which PostgreSQL text can not hold, is a 400 saying so, on every kind of endpoint', async () => {
    // A token is looked up by its keyed hash, so its U+0000 never reaches PostgreSQL: it is just unknown.
    const token = await postToken({ grant_type: 'refresh_token', refresh_token: 'a\u0000b' });
    assert.deepEqual([token.status, token.body.error], [400, 'invalid_grant']);
    const client = await postTokenRequest(
      idp.issuer,
      { client_id: 'a\u0000b', client_secret: CLIENT_SECRET },
      { grant_type: 'client_credentials' },
    );
    assert.deepEqual([client.status, client.body], [400, STORE_INPUT_BODY]);

    const authorize = await fetch(
      `${idp.issuer}/authorize?client_id=a%00b&response_type=code&scope=openid&redirect_uri=http://127.0.0.1:9/cb`,
      { headers: { accept: 'text/html' }, redirect: 'manual' },
    );
    assert.equal(authorize.status, 400);
    assert.match(await authorize.text(), /<h1>Request not accepted<\/h1>/);

    const rp = await app();
    const login = expectPage(await rp.open(await rp.authorizationUrl()));
    const password = await submitPassword(rp.browser, login.html, 'bo\u0000b', PASSWORD);
    assert.ok('page' in password);
    assert.deepEqual([password.page.status, JSON.parse(password.html)], [400, STORE_INPUT_BODY]);

    const robot = await machineToken(idp, 'nul-robot', ['read:users']);
    const users = await fetch(new URL('/api/v1/users?q=a%00b', idp.issuer), {
      headers: { authorization: `Bearer ${robot}` },
    });
    assert.equal(users.status, 400);
    assert.equal(((await users.json()) as { error: { code: string } }).error.code, 'invalid_body');
  });

  test('while the database is down: 503 to retry, as JSON and as a page; afterwards it serves again', async () => {
    const rp = await app();
    const pending = await rp.authorizationUrl();
    const loginPage = expectPage(await rp.open(pending));
    const robot = await machineToken(idp, 'outage-robot', ['read:users']);

    await proxy.stop();
    // The management API says the same in its own error shape.
    const users = await fetch(new URL('/api/v1/users', idp.issuer), {
      headers: { authorization: `Bearer ${robot}` },
    });
    assert.equal(users.status, 503);
    assert.equal(users.headers.get('retry-after'), '5');
    assert.equal(((await users.json()) as { error: { code: string } }).error.code, 'temporarily_unavailable');
    const token = await postToken({ grant_type: 'refresh_token', refresh_token: 'any' });
    assert.deepEqual(token, { status: 503, retryAfter: '5', body: STORE_UNAVAILABLE_BODY });

    // A browser asking for a page gets one.
    const authorize = await fetch((await rp.authorizationUrl()).url, { headers: { accept: 'text/html' } });
    assert.equal(authorize.status, 503);
    assert.equal(authorize.headers.get('retry-after'), '5');
    assert.match(await authorize.text(), /<h1>Temporarily unavailable<\/h1>/);

    // A page of the login interaction, served by the provider's own routes, asked for without a
    // preference (fetch sends Accept: */*): the JSON answer.
    const interaction = await rp.browser.navigate(loginPage.url);
    assert.ok('page' in interaction);
    assert.equal(interaction.page.status, 503);
    assert.equal(interaction.page.headers.get('retry-after'), '5');
    assert.deepEqual(JSON.parse(interaction.html), STORE_UNAVAILABLE_BODY);

    await proxy.start();
    // The same login goes on where it stopped: nothing was lost, nothing restarted.
    const callback = expectCallback(await submitPassword(rp.browser, loginPage.html, 'bob', PASSWORD));
    const tokens = await rp.redeem(callback, pending);
    assert.equal(tokens.claims()?.acr, ACR_ONE_FACTOR);
  });
});

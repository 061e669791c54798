import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { base64url, decodeJwt } from 'jose';
import * as oidc from 'openid-client';
import { createPostgresTestDatabase } from '../../testing/postgres-test-database.ts';
import { connectRedisForTests } from '../../testing/redis-test-connection.ts';
import { startTestProvider, type TestProvider } from '../../testing/test-provider.ts';
import {
  expectCallback,
  expectPage,
  submitPassword,
  TestRelyingParty,
} from '../../testing/test-relying-party.ts';

/**
 * Auth0-style post-login Actions that use `api.redirect`, `api.cache` and `api.accessToken` scopes, written in our own words the way Auth0's
 * documentation teaches them, each through a real login (openid-client as the application).
 */

const PASSWORD = 'correct horse battery';
const PROFILE_SECRET = 'profile-page-shared-secret-0123456789';
const PROFILE_PAGE = 'https://profile.example.test/complete';

/** Progressive profiling: ask once for a favourite colour on an external page, keep it, put it in the ID token. */
const PROGRESSIVE_PROFILE = `exports.onExecutePostLogin = async (event, api) => {
  if (event.user.user_metadata.favorite_color) {
    api.idToken.setCustomClaim('https://example.test/favorite_color', event.user.user_metadata.favorite_color);
    return;
  }
  const token = api.redirect.encodeToken({
    secret: event.secrets.PROFILE_SECRET,
    expiresInSeconds: 300,
    payload: { email: event.user.email },
  });
  api.redirect.sendUserTo('${PROFILE_PAGE}', { query: { session_token: token } });
};

exports.onContinuePostLogin = async (event, api) => {
  const answer = api.redirect.validateToken({ secret: event.secrets.PROFILE_SECRET, tokenParameterName: 'profile_token' });
  api.user.setUserMetadata('favorite_color', answer.favorite_color);
  api.idToken.setCustomClaim('https://example.test/favorite_color', answer.favorite_color);
};`;

/** Runs after the profile Action: it must see what onContinuePostLogin wrote. */
const LATER_ACTION = `exports.onExecutePostLogin = async (event, api) => {
  api.idToken.setCustomClaim('https://example.test/seen_color', event.user.user_metadata.favorite_color || 'none');
};`;

/** What the external profile page does: reads the state, signs the answer with the shared secret. */
function profilePageAnswer(
  redirect: URL,
  issuer: string,
  answer: Record<string, unknown>,
  secret = PROFILE_SECRET,
) {
  const state = redirect.searchParams.get('state') ?? '';
  const sent = JSON.parse(
    Buffer.from(
      base64url.decode((redirect.searchParams.get('session_token') ?? '').split('.')[1] ?? ''),
    ).toString(),
  );
  const claims = { iss: issuer, sub: sent.sub, state, exp: Math.floor(Date.now() / 1000) + 60, ...answer };
  const input = `${base64url.encode('{"alg":"HS256","typ":"JWT"}')}.${base64url.encode(JSON.stringify(claims))}`;
  const token = `${input}.${base64url.encode(createHmac('sha256', secret).update(input).digest())}`;
  return { state, token, sent };
}

describe('Auth0 compatibility: api.redirect with onContinuePostLogin', () => {
  let idp: TestProvider;
  let users = 0;

  before(async () => {
    idp = await startTestProvider();
    await idp.addClient({ client_id: 'app', client_secret: 'app-secret-0123456789abcdefghijkl' });
    await idp.deployAction('progressive-profile', PROGRESSIVE_PROFILE, { PROFILE_SECRET });
    await idp.deployAction('later', LATER_ACTION);
  });
  after(() => idp.close());

  async function startLogin() {
    users += 1;
    const username = `profile-${users}`;
    const user = await idp.addUser(username, PASSWORD, { email: `${username}@example.test` });
    const rp = await TestRelyingParty.discover(idp.issuer, 'app', {
      client_secret: 'app-secret-0123456789abcdefghijkl',
    });
    const pending = await rp.authorizationUrl();
    const login = expectPage(await rp.open(pending));
    const redirect = expectCallback(await submitPassword(rp.browser, login.html, username, PASSWORD));
    return { rp, pending, user, redirect };
  }

  test('sendUserTo pauses the login at the external page; /continue resumes it; the claim reaches the ID token', async () => {
    const { rp, pending, user, redirect } = await startLogin();
    assert.equal(`${redirect.origin}${redirect.pathname}`, PROFILE_PAGE);
    const { state, token, sent } = profilePageAnswer(redirect, idp.issuer, { favorite_color: 'teal' });
    assert.equal(sent.iss, idp.issuer);
    assert.equal(sent.sub, user.id);
    assert.equal(sent.state, state, 'the token the Action made is bound to this login');
    assert.deepEqual(sent.other, { email: user.email });

    const callback = expectCallback(
      await rp.browser.navigate(
        `/continue?state=${encodeURIComponent(state)}&profile_token=${encodeURIComponent(token)}`,
      ),
    );
    const tokens = await rp.redeem(callback, pending);
    assert.equal(tokens.claims()?.['https://example.test/favorite_color'], 'teal');
    assert.equal(
      tokens.claims()?.['https://example.test/seen_color'],
      'teal',
      'the Actions after it ran, and saw it',
    );
    assert.deepEqual((await idp.stepup.store.userMetadata.find(user.id))?.userMetadata, {
      favorite_color: 'teal',
    });

    // The state is spent: the same link again is refused with a page, and changes nothing.
    const replay = expectPage(
      await rp.browser.navigate(
        `/continue?state=${encodeURIComponent(state)}&profile_token=${encodeURIComponent(token)}`,
      ),
    );
    assert.equal(replay.page.status, 400);
    assert.match(replay.html, /not valid/);
  });

  test('a hundred concurrent resumes of one login: exactly one runs onContinuePostLogin, the rest are refused', async () => {
    const { rp, pending, user, redirect } = await startLogin();
    const { state, token } = profilePageAnswer(redirect, idp.issuer, { favorite_color: 'olive' });
    const uid = rp.browser.cookie('_interaction') ?? '';
    const resume = `/interaction/${uid}/continue?state=${encodeURIComponent(state)}&profile_token=${encodeURIComponent(token)}`;
    const answers = await Promise.all(Array.from({ length: 100 }, () => rp.browser.request(resume)));
    const statuses = answers.map((answer) => answer.status);
    assert.equal(statuses.filter((status) => status === 303).length, 1, `statuses: ${statuses.join(' ')}`);
    assert.equal(statuses.filter((status) => status === 400).length, 99, `statuses: ${statuses.join(' ')}`);
    // The one that went on finishes the login with what the external page sent.
    const winner = answers.find((answer) => answer.status === 303);
    const tokens = await rp.redeem(
      expectCallback(await rp.browser.navigate(winner?.headers.get('location') ?? '')),
      pending,
    );
    assert.equal(tokens.claims()?.['https://example.test/favorite_color'], 'olive');
    assert.deepEqual((await idp.stepup.store.userMetadata.find(user.id))?.userMetadata, {
      favorite_color: 'olive',
    });
  });

  test('the login can not finish without /continue: the interaction page only says where to go', async () => {
    const { rp } = await startLogin();
    const waiting = await rp.browser.request(`/interaction/${rp.browser.cookie('_interaction')}`);
    assert.equal(waiting.status, 409);
    assert.match(await waiting.text(), /profile\.example\.test/);
  });

  test("another login's state is refused, and that login can still continue", async () => {
    const first = await startLogin();
    const second = await startLogin();
    const answer = profilePageAnswer(first.redirect, idp.issuer, { favorite_color: 'red' });
    const stolen = await second.rp.browser.navigate(
      `/continue?state=${encodeURIComponent(answer.state)}&profile_token=${encodeURIComponent(answer.token)}`,
    );
    assert.equal(
      expectPage(stolen).page.status,
      400,
      "a browser without the login's interaction gets nowhere",
    );
    const tokens = await first.rp.redeem(
      expectCallback(
        await first.rp.browser.navigate(
          `/continue?state=${encodeURIComponent(answer.state)}&profile_token=${encodeURIComponent(answer.token)}`,
        ),
      ),
      first.pending,
    );
    assert.equal(tokens.claims()?.['https://example.test/favorite_color'], 'red');
  });

  test('a token that does not verify fails the login closed (access_denied), and writes nothing', async () => {
    const { rp, user, redirect } = await startLogin();
    const forged = profilePageAnswer(
      redirect,
      idp.issuer,
      { favorite_color: 'black' },
      'a-guessed-secret-that-is-long-enough!!',
    );
    const callback = expectCallback(
      await rp.browser.navigate(
        `/continue?state=${encodeURIComponent(forged.state)}&profile_token=${encodeURIComponent(forged.token)}`,
      ),
    );
    assert.equal(callback.searchParams.get('error'), 'access_denied');
    assert.deepEqual((await idp.stepup.store.userMetadata.find(user.id))?.userMetadata ?? {}, {});
  });

  test('silent authentication whose Action would redirect answers interaction_required', async () => {
    const { rp, pending, user, redirect } = await startLogin();
    const answer = profilePageAnswer(redirect, idp.issuer, { favorite_color: 'plum' });
    await rp.redeem(
      expectCallback(
        await rp.browser.navigate(
          `/continue?state=${encodeURIComponent(answer.state)}&profile_token=${encodeURIComponent(answer.token)}`,
        ),
      ),
      pending,
    );
    // The profile is gone again: the Action wants the page, and prompt=none can show none.
    await idp.stepup.store.userMetadata.apply(user.id, {
      appMetadata: {},
      userMetadata: { favorite_color: null },
    });
    const silent = await rp.authorizationUrl({ prompt: 'none' });
    const callback = expectCallback(await rp.open(silent));
    assert.equal(callback.searchParams.get('error'), 'interaction_required');
  });

  test('a state nobody issued is refused with a page', async () => {
    const { rp } = await startLogin();
    const unknown = expectPage(await rp.browser.navigate('/continue?state=made-up'));
    assert.equal(unknown.page.status, 400);
  });

  test('an Action redeployed while the browser is away does not resume: the login fails closed', async () => {
    const { rp, redirect } = await startLogin();
    const answer = profilePageAnswer(redirect, idp.issuer, { favorite_color: 'gold' });
    await idp.deployAction('progressive-profile', `${PROGRESSIVE_PROFILE}\n// version 2`, { PROFILE_SECRET });
    const callback = expectCallback(
      await rp.browser.navigate(
        `/continue?state=${encodeURIComponent(answer.state)}&profile_token=${encodeURIComponent(answer.token)}`,
      ),
    );
    assert.equal(callback.searchParams.get('error'), 'access_denied');
  });
});

/**
 * A common Auth0 use of the cache: remember something from an earlier login (here, who signed in
 * last) and read it synchronously, `const hit = api.cache.get(…); if (hit) …`.
 */
const REMEMBER_LAST_USER = `exports.onExecutePostLogin = async (event, api) => {
  const hit = api.cache.get('last_user');
  api.idToken.setCustomClaim('https://example.test/previous_user', hit ? hit.value : 'nobody');
  const result = api.cache.set('last_user', event.user.username, { ttl: 60000 });
  if (result.type !== 'success') throw new Error('cache write failed: ' + result.code);
};`;

/** Another Action reading the same key: caches are per Action, so it never sees the first one's. */
const OTHER_ACTION_SAME_KEY = `exports.onExecutePostLogin = async (event, api) => {
  const hit = api.cache.get('last_user');
  api.idToken.setCustomClaim('https://example.test/other_action_sees', hit ? hit.value : 'nothing');
};`;

async function signIn(idp: TestProvider, username: string): Promise<Record<string, unknown>> {
  await idp.addUser(username, PASSWORD);
  const rp = await TestRelyingParty.discover(idp.issuer, 'app', {
    client_secret: 'app-secret-0123456789abcdefghijkl',
  });
  const pending = await rp.authorizationUrl();
  const login = expectPage(await rp.open(pending));
  const tokens = await rp.redeem(
    expectCallback(await submitPassword(rp.browser, login.html, username, PASSWORD)),
    pending,
  );
  return tokens.claims() ?? {};
}

describe('Auth0 compatibility: api.cache on SQLite alone', () => {
  let idp: TestProvider;
  before(async () => {
    idp = await startTestProvider();
    await idp.addClient({ client_id: 'app', client_secret: 'app-secret-0123456789abcdefghijkl' });
    await idp.deployAction('remember-last-user', REMEMBER_LAST_USER);
    await idp.deployAction('other-action', OTHER_ACTION_SAME_KEY);
  });
  after(() => idp.close());

  test('a value set during one login is read synchronously during the next; other Actions do not see it', async () => {
    const first = await signIn(idp, 'cache-ann');
    assert.equal(first['https://example.test/previous_user'], 'nobody');
    const second = await signIn(idp, 'cache-bob');
    assert.equal(second['https://example.test/previous_user'], 'cache-ann');
    assert.equal(second['https://example.test/other_action_sees'], 'nothing');
  });
});

const postgres = await createPostgresTestDatabase();
const redis = await connectRedisForTests();
describe('Auth0 compatibility: api.cache shared by two nodes over PostgreSQL and Redis', {
  skip: postgres.skip ?? redis.skip ?? false,
}, () => {
  let nodes: TestProvider[] = [];
  before(async () => {
    if (postgres.skip !== undefined || redis.skip !== undefined) return;
    const shared = {
      databaseUrl: postgres.database.url,
      redisUrl: redis.redis.url,
      redis: { keyPrefix: redis.redis.newKeyPrefix() },
    };
    const first = await startTestProvider(shared);
    nodes = [first, await startTestProvider(shared)];
    await first.addClient({ client_id: 'app', client_secret: 'app-secret-0123456789abcdefghijkl' });
    await first.deployAction('remember-last-user', REMEMBER_LAST_USER);
  });
  after(async () => {
    for (const node of nodes) await node.close();
    if (redis.skip === undefined) await redis.redis.cleanup();
    if (postgres.skip === undefined) await postgres.database.drop();
  });

  test('a value set during a login on node 1 is read by the Action during a login on node 2', async () => {
    const [one, two] = nodes;
    assert.ok(one && two);
    assert.notEqual(one.issuer, two.issuer, 'two provider processes, each on its own port');
    const first = await signIn(one, 'node-ann');
    assert.equal(first['https://example.test/previous_user'], 'nobody');
    const second = await signIn(two, 'node-bob');
    assert.equal(second['https://example.test/previous_user'], 'node-ann');
  });
});

const PAYROLL_API = 'https://payroll.example.test/api';

/** Scopes by rule: one person's token gets a scope more, another's one less, a third asks for too much. */
const SCOPES_BY_RULE = `exports.onExecutePostLogin = async (event, api) => {
  const name = event.user.username;
  if (name.startsWith('writer-')) api.accessToken.addScope('write:salary');
  if (name.startsWith('reader-')) api.accessToken.removeScope('write:salary');
  if (name.startsWith('greedy-')) api.accessToken.addScope('admin:salary');
};`;

describe('Auth0 compatibility: api.accessToken.addScope / removeScope', () => {
  let idp: TestProvider;
  before(async () => {
    idp = await startTestProvider();
    await idp.stepup.store.resourceServers.upsert({
      identifier: PAYROLL_API,
      scopes: ['read:salary', 'write:salary', 'admin:salary'],
      accessTokenTtl: 300,
      signingAlg: 'RS256',
    });
    // The client may be granted read and write for the payroll API, never admin.
    await idp.addClient({
      client_id: 'app',
      client_secret: 'app-secret-0123456789abcdefghijkl',
      stepup_allowed_scopes: { [PAYROLL_API]: ['read:salary', 'write:salary'] },
    });
    await idp.deployAction('scopes-by-rule', SCOPES_BY_RULE);
  });
  after(() => idp.close());

  async function accessTokenScope(username: string, scope: string, extra: Record<string, string> = {}) {
    await idp.addUser(username, PASSWORD);
    const rp = await TestRelyingParty.discover(idp.issuer, 'app', {
      client_secret: 'app-secret-0123456789abcdefghijkl',
    });
    const pending = await rp.authorizationUrl({ scope, resource: PAYROLL_API, ...extra });
    const login = expectPage(await rp.open(pending));
    const callback = expectCallback(await submitPassword(rp.browser, login.html, username, PASSWORD));
    if (callback.searchParams.has('error')) return { error: callback.searchParams.get('error') };
    const tokens = await rp.redeem(callback, pending);
    const claims = decodeJwt(tokens.access_token);
    assert.equal(claims.aud, PAYROLL_API);
    if (!tokens.refresh_token) return { scope: claims.scope };
    const refreshed = await oidc.refreshTokenGrant(rp.config, tokens.refresh_token);
    return { scope: claims.scope, refreshedScope: decodeJwt(refreshed.access_token).scope };
  }

  test('addScope adds a scope the client may be granted but did not request', async () => {
    assert.deepEqual(await accessTokenScope('writer-1', 'openid read:salary'), {
      scope: 'read:salary write:salary',
    });
  });

  test('removeScope takes a requested scope out of the access token', async () => {
    assert.deepEqual(await accessTokenScope('reader-1', 'openid read:salary write:salary'), {
      scope: 'read:salary',
    });
  });

  test('without a rule the token has what was requested', async () => {
    assert.deepEqual(await accessTokenScope('plain-1', 'openid read:salary'), { scope: 'read:salary' });
  });

  test('a refresh runs the rule again and keeps the scope of its login', async () => {
    // OIDC Core 11: offline_access is honoured only together with prompt=consent.
    assert.deepEqual(
      await accessTokenScope('writer-2', 'openid offline_access read:salary', { prompt: 'consent' }),
      {
        scope: 'read:salary write:salary',
        refreshedScope: 'read:salary write:salary',
      },
    );
  });

  test('a scope the client may not be granted fails the login (fail closed), never silently added', async () => {
    assert.deepEqual(await accessTokenScope('greedy-1', 'openid read:salary'), { error: 'access_denied' });
    const action = await idp.stepup.store.actions.find('scopes-by-rule');
    const [execution] = await idp.stepup.store.actions.listExecutions(action?.id ?? '', 1);
    assert.equal(execution?.errorCode, 'action_scope_not_grantable');
  });
});

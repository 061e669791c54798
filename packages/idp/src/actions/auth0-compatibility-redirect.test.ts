import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { base64url } from 'jose';
import { startTestProvider, type TestProvider } from '../testing/test-provider.ts';
import {
  expectCallback,
  expectPage,
  submitPassword,
  TestRelyingParty,
} from '../testing/test-relying-party.ts';

/**
 * Auth0-style post-login Actions that use `api.redirect`, written in our own words the way Auth0's
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

  test('a state nobody issued is refused with a page', async () => {
    const { rp } = await startLogin();
    const unknown = expectPage(await rp.browser.navigate('/continue?state=made-up'));
    assert.equal(unknown.page.status, 400);
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ACR_MULTI_FACTOR, ACR_ONE_FACTOR } from '@stepup/core';
import { totpCodeAt } from '../factors/totp/totp.ts';
import { startTestProvider, type TestProvider } from '../testing/test-provider.ts';
import {
  expectCallback,
  expectPage,
  submitPassword,
  submitTotp,
  TestRelyingParty,
} from '../testing/test-relying-party.ts';

const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const CLIENT_SECRET = 'par-client-secret-0123456789abcdef0123';
const PASSWORD = 'correct horse battery';
const now = () => Math.floor(Date.now() / 1000);

describe('pushed authorization requests (RFC 9126) and step-up through them', () => {
  let idp: TestProvider;
  let users = 0;

  before(async () => {
    idp = await startTestProvider();
    await idp.addClient({
      client_id: 'par-required',
      client_secret: CLIENT_SECRET,
      require_pushed_authorization_requests: true,
    });
    await idp.addClient({ client_id: 'par-optional', client_secret: CLIENT_SECRET });
  });
  after(() => idp.close());

  /** A user of its own with TOTP (accepted time steps only move forward, per factor). */
  async function newTotpUser(): Promise<string> {
    users += 1;
    const user = await idp.addUser(`par-user-${users}`, PASSWORD);
    await idp.importTotp(user.id, SECRET);
    return user.username;
  }

  async function signedInThroughPar(username: string) {
    const rp = await TestRelyingParty.discover(idp.issuer, 'par-required', { client_secret: CLIENT_SECRET });
    const pending = await rp.pushedAuthorizationUrl();
    const login = expectPage(await rp.open(pending));
    const tokens = await rp.redeem(
      expectCallback(await submitPassword(rp.browser, login.html, username, PASSWORD)),
      pending,
    );
    return { rp, tokens };
  }

  test('discovery advertises the PAR endpoint and does not require it for everyone', async () => {
    const document = (await (await fetch(`${idp.issuer}/.well-known/openid-configuration`)).json()) as Record<
      string,
      unknown
    >;
    assert.equal(document.pushed_authorization_request_endpoint, `${idp.issuer}/oauth/par`);
    assert.equal(document.require_pushed_authorization_requests, undefined);
  });

  test('the authorization URL of a pushed request carries only client_id and request_uri', async () => {
    const rp = await TestRelyingParty.discover(idp.issuer, 'par-required', { client_secret: CLIENT_SECRET });
    const pending = await rp.pushedAuthorizationUrl({ acr_values: ACR_MULTI_FACTOR, max_age: '300' });
    assert.deepEqual([...pending.url.searchParams.keys()].sort(), ['client_id', 'request_uri']);
    assert.match(pending.url.searchParams.get('request_uri') ?? '', /^urn:ietf:params:oauth:request_uri:/);
  });

  test('a client that requires PAR is refused a request in the URL, with invalid_request', async () => {
    const rp = await TestRelyingParty.discover(idp.issuer, 'par-required', { client_secret: CLIENT_SECRET });
    const callback = expectCallback(await rp.open(await rp.authorizationUrl()));
    assert.equal(callback.searchParams.get('error'), 'invalid_request');
    assert.equal(callback.searchParams.get('code'), null);
  });

  test('a client that does not require PAR may still push, or use the URL', async () => {
    const rp = await TestRelyingParty.discover(idp.issuer, 'par-optional', { client_secret: CLIENT_SECRET });
    const pushed = expectPage(await rp.open(await rp.pushedAuthorizationUrl()));
    assert.match(pushed.html, /name="password"/);
    const inUrl = expectPage(await rp.inNewBrowser().open(await rp.authorizationUrl()));
    assert.match(inUrl.html, /name="password"/);
  });

  test('a pushed request_uri is single-use: opened twice, the second is refused', async () => {
    const rp = await TestRelyingParty.discover(idp.issuer, 'par-required', { client_secret: CLIENT_SECRET });
    const username = await newTotpUser();
    const pending = await rp.pushedAuthorizationUrl();
    const login = expectPage(await rp.open(pending));
    expectCallback(await submitPassword(rp.browser, login.html, username, PASSWORD));
    const again = expectCallback(await rp.open(pending));
    assert.equal(again.searchParams.get('error'), 'invalid_request_uri');
    assert.equal(again.searchParams.get('code'), null);
  });

  test('an MFA acr_values pushed by PAR challenges the second factor and proves mfa', async () => {
    const username = await newTotpUser();
    const { rp, tokens: first } = await signedInThroughPar(username);
    assert.equal(first.claims()?.acr, ACR_ONE_FACTOR);
    const pending = await rp.pushedAuthorizationUrl({ acr_values: ACR_MULTI_FACTOR });
    const challenge = expectPage(await rp.open(pending));
    assert.match(challenge.html, /name="code"/);
    assert.doesNotMatch(challenge.html, /name="password"/);
    const tokens = await rp.redeem(
      expectCallback(await submitTotp(rp.browser, challenge.html, totpCodeAt(SECRET, now() + 30))),
      pending,
    );
    assert.equal(tokens.claims()?.acr, ACR_MULTI_FACTOR);
    assert.deepEqual(tokens.claims()?.amr, ['mfa', 'otp', 'pwd']);
  });

  test('prompt=none with an MFA acr_values pushed by PAR on a password session answers interaction_required', async () => {
    const { rp } = await signedInThroughPar(await newTotpUser());
    const pending = await rp.pushedAuthorizationUrl({ acr_values: ACR_MULTI_FACTOR, prompt: 'none' });
    const callback = expectCallback(await rp.open(pending));
    assert.equal(callback.searchParams.get('error'), 'interaction_required');
    assert.equal(callback.searchParams.get('code'), null);
  });

  test('prompt=none pushed by PAR without a session answers login_required', async () => {
    const rp = await TestRelyingParty.discover(idp.issuer, 'par-required', { client_secret: CLIENT_SECRET });
    const callback = expectCallback(await rp.open(await rp.pushedAuthorizationUrl({ prompt: 'none' })));
    assert.equal(callback.searchParams.get('error'), 'login_required');
  });

  test('max_age pushed by PAR forces the password again', async () => {
    const { rp } = await signedInThroughPar(await newTotpUser());
    const login = expectPage(await rp.open(await rp.pushedAuthorizationUrl({ max_age: '0' })));
    assert.match(login.html, /name="password"/);
  });

  test('an essential acr in a pushed claims parameter is enforced by rank', async () => {
    const { rp } = await signedInThroughPar(await newTotpUser());
    const claims = JSON.stringify({ id_token: { acr: { essential: true, values: [ACR_MULTI_FACTOR] } } });
    const callback = expectCallback(
      await rp.open(await rp.pushedAuthorizationUrl({ claims, prompt: 'none' })),
    );
    assert.equal(callback.searchParams.get('error'), 'interaction_required');
  });
});

describe('requestSecurity.requirePushedAuthorizationRequests', () => {
  let idp: TestProvider;

  before(async () => {
    idp = await startTestProvider({ requestSecurity: { requirePushedAuthorizationRequests: true } });
    await idp.addClient({ client_id: 'app', client_secret: CLIENT_SECRET });
  });
  after(() => idp.close());

  test('discovery says every client must push', async () => {
    const document = (await (await fetch(`${idp.issuer}/.well-known/openid-configuration`)).json()) as Record<
      string,
      unknown
    >;
    assert.equal(document.require_pushed_authorization_requests, true);
  });

  test('a client whose registration does not ask for PAR is refused a request in the URL', async () => {
    const rp = await TestRelyingParty.discover(idp.issuer, 'app', { client_secret: CLIENT_SECRET });
    const callback = expectCallback(await rp.open(await rp.authorizationUrl()));
    assert.equal(callback.searchParams.get('error'), 'invalid_request');
    const pushed = expectPage(await rp.open(await rp.pushedAuthorizationUrl()));
    assert.match(pushed.html, /name="password"/);
  });

  test("the provider's own account page still signs in from its URL", async () => {
    const page = await fetch(`${idp.issuer}/account`, { redirect: 'manual' });
    const location = page.headers.get('location') ?? '';
    assert.ok(location, 'the account page sends the browser to sign in');
    const authorization = await fetch(new URL(location, idp.issuer), { redirect: 'manual' });
    assert.equal(authorization.status, 303);
    assert.match(authorization.headers.get('location') ?? '', /^\/interaction\//);
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ACR_MULTI_FACTOR, ACR_ONE_FACTOR, ACR_PHISHING_RESISTANT } from '@stepup/core';
import * as oidc from 'openid-client';
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
const CLIENT_SECRET = 'salary-client-secret-0123456789abcdef';
const now = () => Math.floor(Date.now() / 1000);

describe('step-up on the authorization code flow', () => {
  let idp: TestProvider;
  let aliceId: string;
  // The provider's clock, set behind for a sign-in that a later request must find too old.
  let offset = 0;
  const clock = () => now() + offset;

  /** Signs in (and runs `steps`) with the provider's clock `seconds` behind, as if that long ago. */
  async function earlier<T>(seconds: number, steps: () => Promise<T>): Promise<T> {
    offset = -seconds;
    try {
      return await steps();
    } finally {
      offset = 0;
    }
  }

  before(async () => {
    idp = await startTestProvider({ clock });
    aliceId = (await idp.addUser('alice', 'correct horse battery', { email: 'alice@example.com' })).id;
    await idp.importTotp(aliceId, SECRET);
    await idp.addUser('bob', 'bob password 123');
    await idp.addClient({ client_id: 'salary', client_secret: CLIENT_SECRET });
  });
  after(() => idp.close());

  let userCount = 0;
  /** A user of their own with TOTP: accepted time steps only move forward, per factor. */
  async function newTotpUser(): Promise<string> {
    userCount += 1;
    const username = `totp-user-${userCount}`;
    const user = await idp.addUser(username, 'correct horse battery');
    await idp.importTotp(user.id, SECRET);
    return username;
  }

  async function signedInRp(username = 'alice') {
    const rp = await TestRelyingParty.discover(idp.issuer, 'salary', { client_secret: CLIENT_SECRET });
    const pending = await rp.authorizationUrl();
    const login = expectPage(await rp.open(pending));
    const tokens = await rp.redeem(
      expectCallback(await submitPassword(rp.browser, login.html, username, 'correct horse battery')),
      pending,
    );
    return { rp, tokens };
  }

  test('a password login gives the one-factor acr and amr ["pwd"]', async () => {
    const { tokens } = await signedInRp();
    const claims = tokens.claims();
    assert.equal(claims?.acr, ACR_ONE_FACTOR);
    assert.deepEqual(claims?.amr, ['pwd']);
    assert.equal(claims?.sub, aliceId);
    assert.ok(Number.isInteger(claims?.auth_time) && Math.abs((claims?.auth_time ?? 0) - now()) <= 5);
  });

  test('asking the same session for the MFA acr challenges TOTP and proves mfa', async () => {
    const { rp, tokens: first } = await signedInRp();
    const pending = await rp.authorizationUrl({ acr_values: ACR_MULTI_FACTOR });
    const challenge = expectPage(await rp.open(pending));
    assert.match(challenge.html, /name="code"/);
    assert.doesNotMatch(challenge.html, /name="password"/, 'the password is not asked again');
    const tokens = await rp.redeem(
      expectCallback(await submitTotp(rp.browser, challenge.html, totpCodeAt(SECRET, now() + 30))),
      pending,
    );
    const claims = tokens.claims();
    assert.equal(claims?.acr, ACR_MULTI_FACTOR);
    assert.deepEqual(claims?.amr, ['mfa', 'otp', 'pwd']);
    // auth_time is the earliest proof behind the claim: the password of the first login.
    assert.equal(claims?.auth_time, first.claims()?.auth_time);
  });

  test('prompt=none with the MFA acr on a password session answers interaction_required', async () => {
    const { rp } = await signedInRp();
    const pending = await rp.authorizationUrl({ acr_values: ACR_MULTI_FACTOR, prompt: 'none' });
    const callback = expectCallback(await rp.open(pending));
    assert.equal(callback.searchParams.get('error'), 'interaction_required');
    assert.equal(callback.searchParams.get('code'), null);
  });

  test('prompt=none without acr keeps the session context silently', async () => {
    const { rp } = await signedInRp();
    const pending = await rp.authorizationUrl({ prompt: 'none' });
    const tokens = await rp.redeem(expectCallback(await rp.open(pending)), pending);
    assert.equal(tokens.claims()?.acr, ACR_ONE_FACTOR);
    assert.deepEqual(tokens.claims()?.amr, ['pwd']);
  });

  test('wrong TOTP codes allow retries, then end in unmet_authentication_requirements, never a weaker token', async () => {
    const { rp } = await signedInRp();
    const pending = await rp.authorizationUrl({ acr_values: ACR_MULTI_FACTOR });
    let page = expectPage(await rp.open(pending));
    for (let attempt = 1; attempt < 5; attempt += 1) {
      page = expectPage(await submitTotp(rp.browser, page.html, '000000'));
      assert.equal(page.page.status, 401);
      assert.match(page.html, /role="alert"/);
    }
    const callback = expectCallback(await submitTotp(rp.browser, page.html, '000000'));
    assert.equal(callback.searchParams.get('error'), 'unmet_authentication_requirements');
    assert.equal(callback.searchParams.get('code'), null);
  });

  test('cancelling the second factor ends in unmet_authentication_requirements', async () => {
    const { rp } = await signedInRp();
    const pending = await rp.authorizationUrl({ acr_values: ACR_MULTI_FACTOR });
    const page = expectPage(await rp.open(pending));
    const csrf = /name="csrf" value="([^"]+)"/.exec(page.html)?.[1] ?? '';
    const cancel = /action="([^"]*\/cancel)"/.exec(page.html)?.[1] ?? '';
    const callback = expectCallback(await rp.browser.navigate(cancel, { form: { csrf } }));
    assert.equal(callback.searchParams.get('error'), 'unmet_authentication_requirements');
  });

  test('a used TOTP code is refused the second time', async () => {
    const username = await newTotpUser();
    const code = totpCodeAt(SECRET, now());
    const first = await signedInRp(username);
    const firstPending = await first.rp.authorizationUrl({ acr_values: ACR_MULTI_FACTOR });
    const firstPage = expectPage(await first.rp.open(firstPending));
    expectCallback(await submitTotp(first.rp.browser, firstPage.html, code));

    const second = await signedInRp(username);
    const pending = await second.rp.authorizationUrl({ acr_values: ACR_MULTI_FACTOR });
    const page = expectPage(await second.rp.open(pending));
    const replay = expectPage(await submitTotp(second.rp.browser, page.html, code));
    assert.equal(replay.page.status, 401);
    assert.match(replay.html, /already used/);
  });

  test('an essential acr in the claims parameter is enforced by rank', async () => {
    const { rp } = await signedInRp();
    const claims = JSON.stringify({ id_token: { acr: { essential: true, values: [ACR_MULTI_FACTOR] } } });
    const pending = await rp.authorizationUrl({ claims, prompt: 'none' });
    const callback = expectCallback(await rp.open(pending));
    assert.equal(callback.searchParams.get('error'), 'interaction_required');
  });

  test('acr_values with only unknown values is refused instead of silently ignored', async () => {
    const { rp } = await signedInRp();
    const pending = await rp.authorizationUrl({ acr_values: 'urn:example:gold' });
    const callback = expectCallback(await rp.open(pending));
    assert.equal(callback.searchParams.get('error'), 'unmet_authentication_requirements');
  });

  test('the phishing-resistant level cannot be reached with TOTP: unmet, not a weaker token', async () => {
    const { rp } = await signedInRp();
    const pending = await rp.authorizationUrl({ acr_values: ACR_PHISHING_RESISTANT });
    const callback = expectCallback(await rp.open(pending));
    assert.equal(callback.searchParams.get('error'), 'unmet_authentication_requirements');
  });

  test('max_age forces the password again once the authentication is older', async () => {
    const { rp } = await earlier(3, () => signedInRp());
    const pending = await rp.authorizationUrl({ max_age: '1' });
    const login = expectPage(await rp.open(pending));
    assert.match(login.html, /name="password"/);
    const tokens = await rp.redeem(
      expectCallback(await submitPassword(rp.browser, login.html, 'alice', 'correct horse battery')),
      pending,
    );
    assert.ok((tokens.claims()?.auth_time ?? 0) >= now() - 1);
  });

  test('max_age=0 always re-authenticates and is met by that authentication', async () => {
    const { rp } = await signedInRp();
    const pending = await rp.authorizationUrl({ max_age: '0' });
    const login = expectPage(await rp.open(pending));
    const callback = expectCallback(
      await submitPassword(rp.browser, login.html, 'alice', 'correct horse battery'),
    );
    const tokens = await oidc.authorizationCodeGrant(rp.config, callback, {
      pkceCodeVerifier: pending.verifier,
      expectedState: pending.state,
      expectedNonce: pending.nonce,
    });
    assert.equal(tokens.claims()?.acr, ACR_ONE_FACTOR);
  });

  test('the MFA acr with max_age challenges both factors again', async () => {
    const username = await newTotpUser();
    const rp = await earlier(3, async () => {
      const { rp } = await signedInRp(username);
      const stepUp = await rp.authorizationUrl({ acr_values: ACR_MULTI_FACTOR });
      const challenge = expectPage(await rp.open(stepUp));
      expectCallback(await submitTotp(rp.browser, challenge.html, totpCodeAt(SECRET, clock())));
      return rp;
    });

    const pending = await rp.authorizationUrl({ acr_values: ACR_MULTI_FACTOR, max_age: '1' });
    const login = expectPage(await rp.open(pending));
    assert.match(login.html, /name="password"/);
    const totpPage = expectPage(
      await submitPassword(rp.browser, login.html, username, 'correct horse battery'),
    );
    assert.match(totpPage.html, /name="code"/);
  });

  test('unknown user and wrong password get the same answer', async () => {
    const rp = await TestRelyingParty.discover(idp.issuer, 'salary', { client_secret: CLIENT_SECRET });
    const login = expectPage(await rp.open(await rp.authorizationUrl()));
    const unknown = expectPage(await submitPassword(rp.browser, login.html, 'mallory', 'whatever password'));
    const wrong = expectPage(await submitPassword(rp.browser, unknown.html, 'bob', 'not bob password'));
    assert.equal(unknown.page.status, 401);
    assert.equal(wrong.page.status, 401);
    const message = (html: string) => /role="alert"[^>]*>([\s\S]*?)<\//.exec(html)?.[1];
    assert.equal(message(unknown.html), message(wrong.html));
  });

  test('a password form without the CSRF token, or with a forged one, is refused with 403 and changes nothing', async () => {
    const rp = await TestRelyingParty.discover(idp.issuer, 'salary', { client_secret: CLIENT_SECRET });
    const login = expectPage(await rp.open(await rp.authorizationUrl()));
    const action = /action="([^"]*\/password)"/.exec(login.html)?.[1] ?? '';
    const credentials = { username: 'alice', password: 'correct horse battery' };
    const missing = await rp.browser.request(action, { form: credentials });
    assert.equal(missing.status, 403);
    const forged = await rp.browser.request(action, { form: { csrf: 'forged', ...credentials } });
    assert.equal(forged.status, 403);
    const again = expectPage(await rp.browser.navigate(action.replace(/\/password$/, '')));
    assert.match(again.html, /name="password"/, 'still asks for the password');
  });
});

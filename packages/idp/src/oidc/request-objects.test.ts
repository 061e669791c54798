import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ACR_MULTI_FACTOR, ACR_ONE_FACTOR } from '@stepup/core';
import { exportJWK, generateKeyPair, SignJWT, UnsecuredJWT } from 'jose';
import { startTestProvider, TEST_REDIRECT_URI, type TestProvider } from '../testing/test-provider.ts';
import {
  expectCallback,
  expectPage,
  submitPassword,
  TestRelyingParty,
} from '../testing/test-relying-party.ts';
import { PROVIDER_ROUTES } from './provider-routes.ts';

const CLIENT_SECRET = 'jar-client-secret-0123456789abcdef0123';
const PASSWORD = 'correct horse battery';

describe('signed request objects (RFC 9101)', () => {
  let idp: TestProvider;
  let privateKey: CryptoKey;
  let otherKey: CryptoKey;

  before(async () => {
    idp = await startTestProvider();
    await idp.addUser('alice', PASSWORD);
    const pair = await generateKeyPair('ES256', { extractable: true });
    privateKey = pair.privateKey;
    otherKey = (await generateKeyPair('ES256')).privateKey;
    const jwks = { keys: [{ ...(await exportJWK(pair.publicKey)), alg: 'ES256', use: 'sig', kid: 'jar-1' }] };
    await idp.addClient({
      client_id: 'jar-required',
      client_secret: CLIENT_SECRET,
      jwks,
      require_signed_request_object: true,
    });
  });
  after(() => idp.close());

  const discover = () =>
    TestRelyingParty.discover(idp.issuer, 'jar-required', { client_secret: CLIENT_SECRET });

  async function signedIn() {
    const rp = await discover();
    const pending = await rp.signedAuthorizationUrl({}, privateKey);
    const login = expectPage(await rp.open(pending));
    await rp.redeem(expectCallback(await submitPassword(rp.browser, login.html, 'alice', PASSWORD)), pending);
    return rp;
  }

  test('discovery offers request objects by value and through PAR', async () => {
    const document = (await (await fetch(`${idp.issuer}/.well-known/openid-configuration`)).json()) as Record<
      string,
      unknown
    >;
    assert.equal(document.request_parameter_supported, true);
    assert.ok((document.request_object_signing_alg_values_supported as string[]).includes('ES256'));
  });

  test('a request object by value signs the client in', async () => {
    const rp = await discover();
    const pending = await rp.signedAuthorizationUrl({}, privateKey);
    assert.deepEqual([...pending.url.searchParams.keys()].sort(), ['client_id', 'request']);
    const login = expectPage(await rp.open(pending));
    const callback = expectCallback(await submitPassword(rp.browser, login.html, 'alice', PASSWORD));
    assert.equal((await rp.redeem(callback, pending)).claims()?.acr, ACR_ONE_FACTOR);
  });

  test('a request object pushed through PAR signs the client in', async () => {
    const rp = await discover();
    const pending = await rp.signedAuthorizationUrl({}, privateKey, { push: true });
    assert.deepEqual([...pending.url.searchParams.keys()].sort(), ['client_id', 'request_uri']);
    const login = expectPage(await rp.open(pending));
    const callback = expectCallback(await submitPassword(rp.browser, login.html, 'alice', PASSWORD));
    assert.equal((await rp.redeem(callback, pending)).claims()?.acr, ACR_ONE_FACTOR);
  });

  test('the step-up parameters inside the request object are honoured (positive control)', async () => {
    const rp = await signedIn();
    const pending = await rp.signedAuthorizationUrl(
      { acr_values: ACR_MULTI_FACTOR, prompt: 'none' },
      privateKey,
    );
    const callback = expectCallback(await rp.open(pending));
    assert.equal(callback.searchParams.get('error'), 'interaction_required');
  });

  for (const push of [false, true]) {
    test(`acr_values, max_age, claims and prompt edited in the URL beside a request object ${push ? 'pushed through PAR' : 'by value'} have no effect`, async () => {
      const rp = await signedIn();
      const pending = await rp.signedAuthorizationUrl({}, privateKey, {
        push,
        outside: {
          acr_values: ACR_MULTI_FACTOR,
          max_age: '0',
          prompt: 'login',
          claims: JSON.stringify({ id_token: { acr: { essential: true, values: [ACR_MULTI_FACTOR] } } }),
        },
      });
      // Any one of them honoured would show a password or second-factor page.
      const callback = expectCallback(await rp.open(pending));
      const tokens = await rp.redeem(callback, pending);
      assert.equal(tokens.claims()?.acr, ACR_ONE_FACTOR);
      assert.deepEqual(tokens.claims()?.amr, ['pwd']);
    });
  }

  test('a client that requires request objects is refused a plain URL request with invalid_request', async () => {
    const rp = await discover();
    const callback = expectCallback(await rp.open(await rp.authorizationUrl()));
    assert.equal(callback.searchParams.get('error'), 'invalid_request');
    assert.equal(callback.searchParams.get('code'), null);
  });

  test('an unsigned request object is refused with invalid_request_object', async () => {
    const request = new UnsecuredJWT({
      client_id: 'jar-required',
      response_type: 'code',
      scope: 'openid',
      redirect_uri: TEST_REDIRECT_URI,
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
    })
      .setIssuer('jar-required')
      .setAudience(idp.issuer)
      .encode();
    const url = new URL(PROVIDER_ROUTES.authorization, idp.issuer);
    url.search = new URLSearchParams({ client_id: 'jar-required', request }).toString();
    const answer = expectCallback(await (await discover()).browser.navigate(url.href));
    assert.equal(answer.searchParams.get('error'), 'invalid_request_object');
  });

  test('a request object signed by a key the client did not register is refused with invalid_request_object', async () => {
    const request = await new SignJWT({
      client_id: 'jar-required',
      response_type: 'code',
      scope: 'openid',
      redirect_uri: TEST_REDIRECT_URI,
    })
      .setProtectedHeader({ alg: 'ES256' })
      .setIssuer('jar-required')
      .setAudience(idp.issuer)
      .setIssuedAt()
      .setExpirationTime('1m')
      .sign(otherKey);
    const url = new URL(PROVIDER_ROUTES.authorization, idp.issuer);
    url.search = new URLSearchParams({ client_id: 'jar-required', request }).toString();
    const answer = expectCallback(await (await discover()).browser.navigate(url.href));
    assert.equal(answer.searchParams.get('error'), 'invalid_request_object');
  });
});

describe('requestSecurity.requireSignedRequestObjects', () => {
  let idp: TestProvider;
  let privateKey: CryptoKey;

  before(async () => {
    idp = await startTestProvider({ requestSecurity: { requireSignedRequestObjects: true } });
    const pair = await generateKeyPair('ES256', { extractable: true });
    privateKey = pair.privateKey;
    await idp.addClient({
      client_id: 'app',
      client_secret: CLIENT_SECRET,
      jwks: { keys: [{ ...(await exportJWK(pair.publicKey)), alg: 'ES256' }] },
    });
  });
  after(() => idp.close());

  test('discovery says every request must be signed', async () => {
    const document = (await (await fetch(`${idp.issuer}/.well-known/openid-configuration`)).json()) as Record<
      string,
      unknown
    >;
    assert.equal(document.require_signed_request_object, true);
  });

  test('a client whose registration does not ask for it is refused a plain request, and accepted signed', async () => {
    const rp = await TestRelyingParty.discover(idp.issuer, 'app', { client_secret: CLIENT_SECRET });
    const plain = expectCallback(await rp.open(await rp.authorizationUrl()));
    assert.equal(plain.searchParams.get('error'), 'invalid_request');
    const signed = expectPage(await rp.inNewBrowser().open(await rp.signedAuthorizationUrl({}, privateKey)));
    assert.match(signed.html, /name="password"/);
  });
});

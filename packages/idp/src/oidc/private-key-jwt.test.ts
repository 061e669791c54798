import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { type CryptoKey, exportJWK, generateKeyPair, type JWK } from 'jose';
import { CLIENT_ASSERTION_TYPE, signClientAssertion } from '../testing/client-assertion.ts';
import { startTestProvider, type TestProvider } from '../testing/test-provider.ts';
import { PROVIDER_ROUTES } from './provider-routes.ts';

interface KeyPair {
  privateKey: CryptoKey;
  publicJwk: JWK;
}

async function keyPair(alg: 'ES256' | 'PS256', kid: string): Promise<KeyPair> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

/** A machine client authenticated by its key alone: no redirect, no secret. */
function jwtClient(clientId: string, keys: { jwks: { keys: JWK[] } } | { jwks_uri: string }) {
  return {
    client_id: clientId,
    token_endpoint_auth_method: 'private_key_jwt',
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    ...keys,
  };
}

/** Authenticates at the revocation endpoint, which answers 200 to any authenticated client. */
async function authenticate(issuer: string, clientId: string, assertion: string, origin = issuer) {
  const response = await fetch(new URL(PROVIDER_ROUTES.revocation, origin), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      client_id: clientId,
      client_assertion_type: CLIENT_ASSERTION_TYPE,
      client_assertion: assertion,
      token: 'not-a-token',
    }),
  });
  const text = await response.text();
  return {
    status: response.status,
    error: text ? (JSON.parse(text) as { error?: string }).error : undefined,
  };
}

describe('private_key_jwt client authentication (RFC 7523)', () => {
  let idp: TestProvider;
  let es256: KeyPair;
  let ps256: KeyPair;
  let jwksServer: Server;
  let jwksFetches = 0;

  before(async () => {
    idp = await startTestProvider();
    es256 = await keyPair('ES256', 'es-1');
    ps256 = await keyPair('PS256', 'ps-1');
    await idp.addClient(jwtClient('es256-client', { jwks: { keys: [es256.publicJwk] } }));
    await idp.addClient(jwtClient('ps256-client', { jwks: { keys: [ps256.publicJwk] } }));
    jwksServer = createServer((_request, response) => {
      jwksFetches += 1;
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ keys: [es256.publicJwk] }));
    });
    await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
    const address = jwksServer.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    await idp.addClient(jwtClient('jwks-uri-client', { jwks_uri: `http://127.0.0.1:${port}/jwks.json` }));
  });
  after(async () => {
    jwksServer.close();
    await idp.close();
  });

  const assertion = (clientId: string, key: KeyPair, alg: string, jti?: string) =>
    signClientAssertion({
      clientId,
      audience: idp.issuer,
      privateKey: key.privateKey,
      alg,
      ...(jti ? { jti } : {}),
    });

  test('discovery offers private_key_jwt with PS256 and ES256', async () => {
    const document = (await (await fetch(`${idp.issuer}/.well-known/openid-configuration`)).json()) as {
      token_endpoint_auth_methods_supported: string[];
      token_endpoint_auth_signing_alg_values_supported: string[];
    };
    assert.ok(document.token_endpoint_auth_methods_supported.includes('private_key_jwt'));
    const algorithms = document.token_endpoint_auth_signing_alg_values_supported;
    assert.deepEqual(algorithms.slice(0, 2), ['PS256', 'ES256']);
  });

  test('an ES256 assertion checked against the JWKS in the registration authenticates', async () => {
    const answer = await authenticate(
      idp.issuer,
      'es256-client',
      await assertion('es256-client', es256, 'ES256'),
    );
    assert.deepEqual(answer, { status: 200, error: undefined });
  });

  test('a PS256 assertion authenticates', async () => {
    const answer = await authenticate(
      idp.issuer,
      'ps256-client',
      await assertion('ps256-client', ps256, 'PS256'),
    );
    assert.deepEqual(answer, { status: 200, error: undefined });
  });

  test('a jwks_uri on a private or loopback address is never fetched (SSRF): invalid_client', async () => {
    // oidc-provider refuses connections to special-use addresses; a public jwks_uri is fetched.
    const answer = await authenticate(
      idp.issuer,
      'jwks-uri-client',
      await assertion('jwks-uri-client', es256, 'ES256'),
    );
    assert.deepEqual(answer, { status: 401, error: 'invalid_client' });
    assert.equal(jwksFetches, 0);
  });

  test('an assertion signed by another key is refused with invalid_client', async () => {
    const answer = await authenticate(
      idp.issuer,
      'es256-client',
      await assertion('es256-client', ps256, 'PS256'),
    );
    assert.deepEqual(answer, { status: 401, error: 'invalid_client' });
  });

  test('an assertion used twice is refused the second time with invalid_client', async () => {
    const once = await assertion('es256-client', es256, 'ES256');
    assert.equal((await authenticate(idp.issuer, 'es256-client', once)).status, 200);
    assert.deepEqual(await authenticate(idp.issuer, 'es256-client', once), {
      status: 401,
      error: 'invalid_client',
    });
  });

  test('one assertion sent 100 times at once authenticates exactly once', async () => {
    const once = await assertion('es256-client', es256, 'ES256');
    const answers = await Promise.all(
      Array.from({ length: 100 }, () => authenticate(idp.issuer, 'es256-client', once)),
    );
    assert.equal(answers.filter((answer) => answer.status === 200).length, 1);
    assert.ok(answers.every((answer) => answer.status === 200 || answer.error === 'invalid_client'));
  });
});

describe('private_key_jwt with a jwks_uri', () => {
  test("an assertion is checked against the keys fetched from the client's jwks_uri", async () => {
    const key = await keyPair('ES256', 'es-uri');
    let fetches = 0;
    const server = createServer((_request, response) => {
      fetches += 1;
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ keys: [key.publicJwk] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    // The key server is on loopback, which oidc-provider's own fetch refuses: this one drops that guard.
    const idp = await startTestProvider({
      outboundFetch: (url, options) => fetch(url, { ...options, dispatcher: undefined } as RequestInit),
    });
    try {
      await idp.addClient(jwtClient('jwks-uri-client', { jwks_uri: `http://127.0.0.1:${port}/jwks.json` }));
      const assertion = await signClientAssertion({
        clientId: 'jwks-uri-client',
        audience: idp.issuer,
        privateKey: key.privateKey,
        alg: 'ES256',
      });
      assert.deepEqual(await authenticate(idp.issuer, 'jwks-uri-client', assertion), {
        status: 200,
        error: undefined,
      });
      assert.equal(fetches, 1);
      const foreign = await keyPair('ES256', 'es-uri');
      const forged = await signClientAssertion({
        clientId: 'jwks-uri-client',
        audience: idp.issuer,
        privateKey: foreign.privateKey,
        alg: 'ES256',
      });
      assert.deepEqual(await authenticate(idp.issuer, 'jwks-uri-client', forged), {
        status: 401,
        error: 'invalid_client',
      });
    } finally {
      server.close();
      await idp.close();
    }
  });
});

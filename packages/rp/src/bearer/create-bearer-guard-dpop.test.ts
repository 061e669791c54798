import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ACR_MULTI_FACTOR, ACR_ONE_FACTOR } from '@stepup/core';
import { exportJWK, generateKeyPair } from 'jose';
import type { StepupRpErrorCode } from '../errors.ts';
import { createTestDpopKey, type TestDpopKey } from '../testing/dpop-proof.ts';
import { type ForgingProvider, startForgingProvider } from '../testing/forging-provider.ts';
import { type BearerGuard, createBearerGuard } from './create-bearer-guard.ts';
import { createDpopNonceSource } from './dpop-nonce.ts';
import { createMemoryDpopReplayStore } from './dpop-replay-store.ts';

// The bearer guard with DPoP (RFC 9449): DPoP-bound access tokens forged by a provider on
// 127.0.0.1, proofs signed here. Every refusal has its own code and its RFC 9449 7.1 challenge; each
// case has a positive control (the same request with a good proof passes).

const API = 'https://payroll.example/api';
const URL_ = 'https://payroll.example/api/salaries';

describe('bearer guard: DPoP proofs for DPoP-bound tokens', () => {
  let provider: ForgingProvider;
  let guard: BearerGuard;
  let key: TestDpopKey;
  let otherKey: TestDpopKey;
  let offset = 0;
  const clock = () => Math.floor(Date.now() / 1000) + offset;

  const accessToken = (overrides: Record<string, unknown> = {}) => {
    const now = clock();
    return provider.sign(
      {
        iss: provider.issuer,
        aud: API,
        sub: 'alice',
        client_id: 'salary',
        jti: `at-${Math.random()}`,
        iat: now,
        exp: now + 300,
        scope: 'payroll:read',
        acr: ACR_ONE_FACTOR,
        amr: ['pwd'],
        auth_time: now - 10,
        cnf: { jkt: key.jkt },
        ...overrides,
      },
      { typ: 'at+jwt' },
    );
  };
  const request = (token: string, proof: string | undefined, init: { method?: string; url?: string } = {}) =>
    new Request(init.url ?? URL_, {
      method: init.method ?? 'GET',
      headers: { authorization: `DPoP ${token}`, ...(proof === undefined ? {} : { dpop: proof }) },
    });

  before(async () => {
    provider = await startForgingProvider();
    key = await createTestDpopKey(clock);
    otherKey = await createTestDpopKey(clock, 'EdDSA');
    guard = await createBearerGuard({
      issuer: provider.issuer,
      audience: API,
      allowInsecureRequests: true,
      clock,
      realm: 'payroll',
      policies: { mfa: { acr: [ACR_MULTI_FACTOR] } },
      dpop: { algorithms: ['ES256', 'EdDSA'] },
    });
  });
  after(() => provider.close());

  async function refused(req: Request, code: StepupRpErrorCode, challenge: RegExp) {
    const result = await guard.check(req);
    assert.equal(result.ok, false, `expected ${code}`);
    if (result.ok) return;
    assert.equal(result.error.code, code);
    assert.equal(result.response.status, 401);
    assert.match(result.response.headers.get('www-authenticate') ?? '', challenge);
  }
  const invalidProof =
    /^DPoP realm="payroll", error="invalid_dpop_proof", error_description="[^"]+", algs="ES256 EdDSA"$/;

  test('a good proof from the bound key passes, and the token says which key (positive control)', async () => {
    const token = await accessToken();
    const result = await guard.check(request(token, await key.proof('GET', URL_, token)));
    assert.equal(result.ok, true);
    if (result.ok) assert.equal(result.token.jkt, key.jkt);
  });

  test('htu is compared without query and fragment, normalised (RFC 9449 4.3 point 9)', async () => {
    const token = await accessToken();
    const proof = await key.proof('GET', 'HTTPS://Payroll.Example:443/api/salaries', token);
    assert.equal((await guard.check(request(token, proof, { url: `${URL_}?month=5#x` }))).ok, true);
  });

  test('a forged proof: the bound key in the header, another key signed it', async () => {
    const token = await accessToken();
    // The header and claims of a good proof, with the signature of another key's proof.
    const good = await key.proof('GET', URL_, token);
    const stranger = await createTestDpopKey(clock);
    const forgedSignature = (await stranger.proof('GET', URL_, token)).split('.')[2];
    const forged = `${good.split('.').slice(0, 2).join('.')}.${forgedSignature}`;
    await refused(request(token, forged), 'dpop_signature_invalid', invalidProof);
  });

  test('wrong htm', async () => {
    const token = await accessToken();
    await refused(request(token, await key.proof('POST', URL_, token)), 'dpop_method_mismatch', invalidProof);
  });

  test('wrong htu', async () => {
    const token = await accessToken();
    const proof = await key.proof('GET', 'https://payroll.example/api/other', token);
    await refused(request(token, proof), 'dpop_url_mismatch', invalidProof);
  });

  test('stale iat, and iat from the future (beyond proofMaxAge and clockSkew)', async () => {
    const token = await accessToken();
    const stale = await key.proof('GET', URL_, token, { claims: { iat: clock() - 60 - 30 - 1 } });
    await refused(request(token, stale), 'dpop_proof_stale', invalidProof);
    const future = await key.proof('GET', URL_, token, { claims: { iat: clock() + 31 } });
    await refused(request(token, future), 'dpop_proof_stale', invalidProof);
    const edge = await key.proof('GET', URL_, token, { claims: { iat: clock() - 60 - 30 } });
    assert.equal((await guard.check(request(token, edge))).ok, true);
  });

  test('wrong ath: a proof made for another access token', async () => {
    const token = await accessToken();
    const other = await accessToken();
    await refused(request(token, await key.proof('GET', URL_, other)), 'dpop_ath_mismatch', invalidProof);
  });

  test('key mismatch: a valid proof from a key the token is not bound to', async () => {
    const token = await accessToken();
    await refused(
      request(token, await otherKey.proof('GET', URL_, token)),
      'dpop_key_mismatch',
      invalidProof,
    );
  });

  test('a replayed proof is refused; of 100 concurrent presentations exactly one passes', async () => {
    const token = await accessToken();
    const proof = await key.proof('GET', URL_, token);
    const results = await Promise.all(Array.from({ length: 100 }, () => guard.check(request(token, proof))));
    assert.equal(results.filter((result) => result.ok).length, 1);
    const codes = results.flatMap((result) => (result.ok ? [] : [result.error.code]));
    assert.deepEqual(new Set(codes), new Set(['dpop_proof_replayed']));
    await refused(request(token, proof), 'dpop_proof_replayed', invalidProof);
  });

  test('malformed proofs: wrong typ, HS256, a private key in jwk, a missing claim, two DPoP headers', async () => {
    const token = await accessToken();
    const cases: [string, Promise<string> | string][] = [
      ['typ JWT', key.proof('GET', URL_, token, { header: { typ: 'JWT' } })],
      ['no jti', key.proof('GET', URL_, token, { claims: { jti: undefined } })],
      ['no ath', key.proof('GET', URL_, token, { claims: { ath: undefined } })],
      ['not a JWS', 'abc.def'],
    ];
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const privateJwk = await exportJWK(privateKey);
    const withPrivate = await key.proof('GET', URL_, token);
    const [, payload, signature] = withPrivate.split('.');
    const header = Buffer.from(JSON.stringify({ alg: 'ES256', typ: 'dpop+jwt', jwk: privateJwk })).toString(
      'base64url',
    );
    cases.push(['a private jwk', `${header}.${payload}.${signature}`]);
    const hs = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'dpop+jwt', jwk: key.jwk })).toString(
      'base64url',
    );
    cases.push(['HS256', `${hs}.${payload}.${signature}`]);
    for (const [name, proof] of cases) {
      const result = await guard.check(request(token, await proof));
      assert.equal(result.ok ? 'ok' : result.error.code, 'dpop_proof_invalid', name);
    }
    const two = new Request(URL_, {
      headers: [
        ['authorization', `DPoP ${token}`],
        ['dpop', await key.proof('GET', URL_, token)],
        ['dpop', await key.proof('GET', URL_, token)],
      ],
    });
    await refused(two, 'dpop_proof_invalid', invalidProof);
  });

  test('DPoP without a proof header', async () => {
    await refused(request(await accessToken(), undefined), 'dpop_proof_missing', invalidProof);
  });

  test('a DPoP-bound token presented as Bearer is refused, with a DPoP challenge', async () => {
    const token = await accessToken();
    const result = await guard.check(
      new Request(URL_, {
        headers: { authorization: `Bearer ${token}`, dpop: await key.proof('GET', URL_, token) },
      }),
    );
    assert.equal(result.ok ? 'ok' : result.error.code, 'dpop_binding_required');
    if (result.ok) return;
    assert.match(
      result.response.headers.get('www-authenticate') ?? '',
      /^DPoP realm="payroll", error="invalid_token", error_description="[^"]+", algs="ES256 EdDSA"$/,
    );
    await assert.rejects(
      guard.verify(token),
      (error: { code?: string }) => error.code === 'dpop_binding_required',
    );
  });

  test('an unbound token presented as DPoP is refused; as Bearer it passes (DPoP not required)', async () => {
    const token = await accessToken({ cnf: undefined });
    await refused(
      request(token, await key.proof('GET', URL_, token)),
      'dpop_token_unbound',
      /^DPoP .*error="invalid_token"/,
    );
    assert.equal(
      (await guard.check(new Request(URL_, { headers: { authorization: `Bearer ${token}` } }))).ok,
      true,
    );
  });

  test('a malformed cnf is refused', async () => {
    const token = await accessToken({ cnf: { jkt: 42 } });
    await refused(
      request(token, await key.proof('GET', URL_, token)),
      'claim_invalid',
      /^DPoP .*error="invalid_token"/,
    );
  });

  test('step-up over DPoP: RFC 9470 insufficient_user_authentication in a DPoP challenge', async () => {
    const token = await accessToken();
    const result = await guard.check(request(token, await key.proof('GET', URL_, token)), { policy: 'mfa' });
    assert.equal(result.ok ? 'ok' : result.error.code, 'insufficient_user_authentication');
    if (result.ok) return;
    assert.equal(result.response.status, 401);
    assert.equal(
      result.response.headers.get('www-authenticate'),
      `DPoP realm="payroll", error="insufficient_user_authentication", error_description="A different authentication level is required.", acr_values="${ACR_MULTI_FACTOR}", algs="ES256 EdDSA"`,
    );
  });

  test('no token: both schemes offered', async () => {
    const result = await guard.check(new Request(URL_));
    assert.equal(result.ok ? 'ok' : result.error.code, 'token_missing');
    if (!result.ok)
      assert.equal(
        result.response.headers.get('www-authenticate'),
        'Bearer realm="payroll", DPoP realm="payroll", algs="ES256 EdDSA"',
      );
  });

  test('the clock moves: a proof accepted now is refused as stale later (injected clock)', async () => {
    const token = await accessToken({ exp: clock() + 3600 });
    const proof = await key.proof('GET', URL_, token);
    offset = 91;
    try {
      await refused(request(token, proof), 'dpop_proof_stale', invalidProof);
    } finally {
      offset = 0;
    }
  });
});

describe('bearer guard: DPoP required, server nonces, and a failing replay store', () => {
  let provider: ForgingProvider;
  let key: TestDpopKey;
  const clock = () => Math.floor(Date.now() / 1000);
  const sign = (claims: Record<string, unknown>) => {
    const now = clock();
    return provider.sign(
      {
        iss: provider.issuer,
        aud: API,
        sub: 'alice',
        client_id: 'salary',
        jti: `at-${Math.random()}`,
        iat: now,
        exp: now + 300,
        ...claims,
      },
      { typ: 'at+jwt' },
    );
  };

  before(async () => {
    provider = await startForgingProvider();
    key = await createTestDpopKey(clock);
  });
  after(() => provider.close());

  test('required: an unbound bearer token is refused, and only DPoP is offered', async () => {
    const guard = await createBearerGuard({
      issuer: provider.issuer,
      audience: API,
      allowInsecureRequests: true,
      dpop: { required: true, algorithms: ['ES256'] },
    });
    const token = await sign({});
    const result = await guard.check(new Request(URL_, { headers: { authorization: `Bearer ${token}` } }));
    assert.equal(result.ok ? 'ok' : result.error.code, 'dpop_binding_required');
    const missing = await guard.check(new Request(URL_));
    assert.equal(missing.ok ? '' : missing.response.headers.get('www-authenticate'), 'DPoP algs="ES256"');
  });

  test('nonce: a proof without the server nonce gets use_dpop_nonce and a DPoP-Nonce; with it, it passes', async () => {
    const nonce = createDpopNonceSource({ secret: 'a nonce secret of at least thirty-two bytes', clock });
    const guard = await createBearerGuard({
      issuer: provider.issuer,
      audience: API,
      allowInsecureRequests: true,
      dpop: { nonce, algorithms: ['ES256'] },
    });
    const token = await sign({ cnf: { jkt: key.jkt } });
    const first = await guard.check(
      new Request(URL_, {
        headers: { authorization: `DPoP ${token}`, dpop: await key.proof('GET', URL_, token) },
      }),
    );
    assert.equal(first.ok ? 'ok' : first.error.code, 'dpop_nonce_required');
    if (first.ok) return;
    assert.equal(first.response.status, 401);
    assert.match(
      first.response.headers.get('www-authenticate') ?? '',
      /^DPoP error="use_dpop_nonce", error_description="[^"]+", algs="ES256"$/,
    );
    const given = first.response.headers.get('dpop-nonce') ?? '';
    assert.equal(nonce.accepts(given), true);
    const forged = await key.proof('GET', URL_, token, {
      claims: { nonce: `${given.split('.')[0]}.AAAAAAAAAAAAAAAAAAAAAA` },
    });
    const refused = await guard.check(
      new Request(URL_, { headers: { authorization: `DPoP ${token}`, dpop: forged } }),
    );
    assert.equal(refused.ok ? 'ok' : refused.error.code, 'dpop_nonce_required');
    const second = await guard.check(
      new Request(URL_, {
        headers: {
          authorization: `DPoP ${token}`,
          dpop: await key.proof('GET', URL_, token, { claims: { nonce: given } }),
        },
      }),
    );
    assert.equal(second.ok, true);
  });

  test('a replay store that fails: 503, the proof is not accepted (fail closed)', async () => {
    const guard = await createBearerGuard({
      issuer: provider.issuer,
      audience: API,
      allowInsecureRequests: true,
      dpop: { replayStore: { consume: async () => Promise.reject(new Error('store down')) } },
    });
    const token = await sign({ cnf: { jkt: key.jkt } });
    const result = await guard.check(
      new Request(URL_, {
        headers: { authorization: `DPoP ${token}`, dpop: await key.proof('GET', URL_, token) },
      }),
    );
    assert.equal(result.ok ? 'ok' : result.error.code, 'dpop_replay_store_unavailable');
    if (!result.ok) assert.equal(result.response.status, 503);
  });

  test('the memory replay store: one of 100 concurrent consumes wins', async () => {
    const store = createMemoryDpopReplayStore();
    const results = await Promise.all(Array.from({ length: 100 }, () => store.consume('k.j', clock() + 60)));
    assert.equal(results.filter(Boolean).length, 1);
  });

  test('bad dpop settings fail at start-up with the setting named', async () => {
    const base = { issuer: provider.issuer, audience: API, allowInsecureRequests: true };
    await assert.rejects(createBearerGuard({ ...base, dpop: { proofMaxAge: 0 } }), /dpop\.proofMaxAge/);
    await assert.rejects(createBearerGuard({ ...base, dpop: { algorithms: [] } }), /dpop\.algorithms/);
    assert.throws(() => createDpopNonceSource({ secret: 'short' }), /at least 32 bytes/);
  });
});

describe('the in-memory DPoP replay store', () => {
  test('expired proofs are forgotten; when full of live proofs it refuses rather than forgets', async () => {
    let now = 1000;
    const store = createMemoryDpopReplayStore({ maxEntries: 2, clock: () => now });
    assert.equal(await store.consume('a', 1010), true);
    assert.equal(await store.consume('b', 1020), true);
    assert.equal(await store.consume('a', 1010), false);
    await assert.rejects(store.consume('c', 1030), /maxEntries/);
    assert.equal(await store.consume('b', 1020), false, 'nothing was forgotten to make room');
    now = 1010;
    assert.equal(await store.consume('c', 1030), true, 'a expired and made room');
    now = 1020;
    assert.equal(await store.consume('a', 1040), true, 'b expired and made room for a key seen before');
  });
});

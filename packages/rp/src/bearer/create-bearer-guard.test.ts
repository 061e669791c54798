import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ACR_MULTI_FACTOR, ACR_ONE_FACTOR, parseBearerChallenges } from '@stepup/core';
import type { StepupRpErrorCode } from '../errors.ts';
import { type ForgingProvider, startForgingProvider } from '../testing/forging-provider.ts';
import { type BearerGuard, type BearerGuardOptions, createBearerGuard } from './create-bearer-guard.ts';

// The bearer guard against access tokens forged by a provider on 127.0.0.1. The hot path verifies
// with node:crypto and pre-imported keys; it must refuse and accept exactly what the jose path does,
// so every case below runs through one loop over both verifiers (and over the verified-token cache).

const API = 'https://payroll.example/api';
const VERIFIERS = [
  { name: 'jose', options: { verifier: 'jose' } },
  { name: 'node:crypto', options: { verifier: 'node-crypto' } },
  {
    name: 'node:crypto with the verified-token cache',
    options: { verifier: 'node-crypto', cache: { maxEntries: 100 } },
  },
] as const satisfies readonly { name: string; options: Partial<BearerGuardOptions> }[];

type Case = {
  name: string;
  token: () => Promise<string> | string;
  code?: StepupRpErrorCode;
  requirement?: { scopes?: string[]; policy?: string };
};

describe('bearer guard: negative cases, one loop over the jose and node:crypto verifiers', () => {
  let provider: ForgingProvider;
  let offset = 0;
  const clock = () => Math.floor(Date.now() / 1000) + offset;
  const guards = new Map<string, BearerGuard>();

  function claims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
    const now = clock();
    const base: Record<string, unknown> = {
      iss: provider.issuer,
      aud: API,
      sub: 'alice',
      client_id: 'salary',
      jti: `jti-${Math.random()}`,
      iat: now,
      exp: now + 300,
      scope: 'payroll:read openid',
      acr: ACR_MULTI_FACTOR,
      amr: ['mfa', 'otp', 'pwd'],
      auth_time: now - 10,
    };
    for (const [name, value] of Object.entries(overrides)) {
      if (value === undefined) delete base[name];
      else base[name] = value;
    }
    return base;
  }
  /** A claims set as bytes: with a UTF-8 byte-order mark, or encoded as Latin-1 (not UTF-8). */
  function claimsBytes(value: Record<string, unknown>, shape: { bom?: boolean; latin1?: boolean } = {}) {
    const json = Buffer.from(JSON.stringify(value), shape.latin1 ? 'latin1' : 'utf8');
    return shape.bom ? Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), json]) : json;
  }
  const at = (
    overrides: Record<string, unknown> = {},
    options: Parameters<ForgingProvider['sign']>[1] = {},
  ) => provider.sign(claims(overrides), { typ: 'at+jwt', ...options });

  before(async () => {
    provider = await startForgingProvider();
    for (const verifier of VERIFIERS) {
      guards.set(
        verifier.name,
        await createBearerGuard({
          issuer: provider.issuer,
          audience: API,
          algorithms: ['RS256', 'ES256', 'EdDSA'],
          policies: { mfa: { acr: [ACR_MULTI_FACTOR] }, recent: { maxAge: 60 }, mfaAmr: { amr: ['mfa'] } },
          allowInsecureRequests: true,
          clock,
          realm: 'payroll',
          ...verifier.options,
        }),
      );
    }
  });
  after(() => provider.close());

  const cases: Case[] = [
    { name: 'an RS256 token (control)', token: () => at() },
    { name: 'an ES256 token (control)', token: () => at({}, { alg: 'ES256' }) },
    { name: 'an EdDSA token (control)', token: () => at({}, { alg: 'EdDSA' }) },
    { name: 'typ application/at+jwt (control)', token: () => at({}, { typ: 'application/at+jwt' }) },
    {
      name: 'alg none',
      token: () => provider.signNone(claims(), { typ: 'at+jwt' }),
      code: 'alg_not_allowed',
    },
    {
      name: 'HS256 signed with the RSA public key',
      token: () => provider.signHmac(claims(), undefined, { typ: 'at+jwt' }),
      code: 'alg_not_allowed',
    },
    {
      name: 'a signature by another key under a published kid',
      token: () => at({}, { rogue: true }),
      code: 'signature_invalid',
    },
    {
      name: 'an EdDSA header over an RSA kid',
      token: () => at({}, { alg: 'EdDSA', kid: 'rsa-1' }),
      code: 'key_not_found',
    },
    {
      name: 'a tampered payload',
      token: async () => {
        const [header, , signature] = (await at()).split('.');
        return `${header}.${Buffer.from(JSON.stringify(claims({ sub: 'mallory' }))).toString('base64url')}.${signature}`;
      },
      code: 'signature_invalid',
    },
    { name: 'an ID token (no typ)', token: () => provider.sign(claims()), code: 'typ_invalid' },
    { name: 'typ JWT', token: () => at({}, { typ: 'JWT' }), code: 'typ_invalid' },
    { name: 'wrong iss', token: () => at({ iss: 'https://evil.example' }), code: 'issuer_mismatch' },
    { name: 'wrong aud', token: () => at({ aud: 'https://other.example/api' }), code: 'audience_mismatch' },
    { name: 'aud list with the API (control)', token: () => at({ aud: ['https://other.example', API] }) },
    { name: 'expired', token: () => at({ exp: clock() - 60 }), code: 'token_expired' },
    { name: 'exp missing', token: () => at({ exp: undefined }), code: 'claim_invalid' },
    { name: 'exp as a string', token: () => at({ exp: String(clock() + 60) }), code: 'claim_invalid' },
    { name: 'exp as a fraction', token: () => at({ exp: clock() + 60.5 }), code: 'claim_invalid' },
    { name: 'not yet valid (nbf)', token: () => at({ nbf: clock() + 120 }), code: 'token_not_yet_valid' },
    { name: 'nbf as a string', token: () => at({ nbf: 'soon' }), code: 'claim_invalid' },
    { name: 'iat in the future', token: () => at({ iat: clock() + 120 }), code: 'issued_in_future' },
    { name: 'iat as a string', token: () => at({ iat: String(clock()) }), code: 'claim_invalid' },
    { name: 'no client_id (RFC 9068 2.2)', token: () => at({ client_id: undefined }), code: 'claim_invalid' },
    { name: 'no jti (RFC 9068 2.2)', token: () => at({ jti: undefined }), code: 'claim_invalid' },
    { name: 'no sub', token: () => at({ sub: undefined }), code: 'claim_invalid' },
    { name: 'amr as a string', token: () => at({ amr: 'mfa' }), code: 'claim_invalid' },
    { name: 'scope as an array', token: () => at({ scope: ['payroll:read'] }), code: 'claim_invalid' },
    {
      name: 'a crit header jose does not understand',
      token: () => provider.signRaw({ typ: 'at+jwt', crit: ['exp-ext'], 'exp-ext': 1 }, claims()),
      code: 'token_malformed',
    },
    {
      name: 'a raw RS256 token (control of signRaw)',
      token: () => provider.signRaw({ typ: 'at+jwt' }, claims()),
    },
    {
      name: 'b64 false in crit (unencoded payload)',
      token: () => provider.signRaw({ typ: 'at+jwt', crit: ['b64'], b64: false }, claims()),
      code: 'token_malformed',
    },
    {
      name: 'a claims set with a byte-order mark (jose drops it: control)',
      token: () => provider.signRaw({ typ: 'at+jwt' }, claimsBytes(claims(), { bom: true })),
    },
    {
      name: 'a claims set with non-ASCII UTF-8 (control)',
      token: () => provider.signRaw({ typ: 'at+jwt' }, claimsBytes(claims({ name: 'Zoë Ångström 😀' }))),
    },
    {
      name: 'a claims set that is not UTF-8',
      token: () =>
        provider.signRaw({ typ: 'at+jwt' }, claimsBytes(claims({ name: 'Zo\u00eb' }), { latin1: true })),
      code: 'token_malformed',
    },
    {
      name: 'a claims set that is a JSON array',
      token: () => provider.signRaw({ typ: 'at+jwt' }, Buffer.from(JSON.stringify([claims()]))),
      code: 'token_malformed',
    },
    {
      name: 'a claims set that is not JSON',
      token: () => provider.signRaw({ typ: 'at+jwt' }, Buffer.from('{"sub":"alice",')),
      code: 'token_malformed',
    },
    {
      name: 'a kid that is not a string',
      token: () => provider.signRaw({ typ: 'at+jwt', kid: 7 }, claims()),
      code: 'token_malformed',
    },
    {
      name: 'a standard-base64 character instead of base64url',
      token: async () => {
        const token = await at();
        return token.includes('-') ? token.replace('-', '+') : token.replace('_', '/');
      },
      code: 'token_malformed',
    },
    {
      name: 'a header that is not JSON',
      token: async () => `bm90IGpzb24.${(await at()).split('.').slice(1).join('.')}`,
      code: 'token_malformed',
    },
    {
      name: 'two segments',
      token: async () => (await at()).split('.').slice(0, 2).join('.'),
      code: 'token_malformed',
    },
    {
      name: 'an oversized token, refused before parsing',
      token: () => 'x'.repeat(9000),
      code: 'token_too_large',
    },
    { name: 'an unknown kid', token: () => at({}, { kid: 'not-published' }), code: 'key_not_found' },
    {
      name: 'a missing scope',
      token: () => at({ scope: 'openid' }),
      requirement: { scopes: ['payroll:read'] },
      code: 'insufficient_scope',
    },
    {
      name: 'scope as a substring does not count',
      token: () => at({ scope: 'payroll:reader' }),
      requirement: { scopes: ['payroll:read'] },
      code: 'insufficient_scope',
    },
    {
      name: 'acr lower than required',
      token: () => at({ acr: ACR_ONE_FACTOR }),
      requirement: { policy: 'mfa' },
      code: 'insufficient_user_authentication',
    },
    {
      name: 'acr missing',
      token: () => at({ acr: undefined }),
      requirement: { policy: 'mfa' },
      code: 'insufficient_user_authentication',
    },
    {
      name: '"nomfa" is not mfa',
      token: () => at({ amr: ['nomfa'] }),
      requirement: { policy: 'mfaAmr' },
      code: 'insufficient_user_authentication',
    },
    {
      name: 'auth_time too old',
      token: () => at({ auth_time: clock() - 600 }),
      requirement: { policy: 'recent' },
      code: 'insufficient_user_authentication',
    },
    {
      name: 'auth_time missing with a max age',
      token: () => at({ auth_time: undefined }),
      requirement: { policy: 'recent' },
      code: 'insufficient_user_authentication',
    },
    {
      name: 'everything required (control)',
      token: () => at(),
      requirement: { scopes: ['payroll:read'], policy: 'mfa' },
    },
  ];

  for (const item of cases) {
    test(`${item.name}: ${item.code ?? 'accepted'}, the same with every verifier`, async () => {
      const token = await item.token();
      for (const verifier of VERIFIERS) {
        const guard = guards.get(verifier.name) as BearerGuard;
        // Twice: the second call is a cache hit where there is a cache, and must answer the same.
        for (let round = 0; round < 2; round++) {
          const outcome = await guard.verify(token, item.requirement).then(
            (claims) => ({ ok: true as const, sub: claims.sub }),
            (error: { code?: string }) => ({ ok: false as const, code: error.code }),
          );
          if (item.code === undefined)
            assert.deepEqual(outcome, { ok: true, sub: 'alice' }, `${verifier.name}, round ${round}`);
          else assert.deepEqual(outcome, { ok: false, code: item.code }, `${verifier.name}, round ${round}`);
        }
      }
    });
  }

  test('answers over HTTP: 401 invalid_token, 403 insufficient_scope, 401 insufficient_user_authentication with acr_values and max_age, bare 401 without a token', async () => {
    const guard = guards.get('node:crypto') as BearerGuard;
    const ask = async (authorization: string | undefined, requirement = {}) => {
      const result = await guard.check(
        new Request(`${API}/salary`, authorization === undefined ? {} : { headers: { authorization } }),
        requirement,
      );
      assert.equal(result.ok, false);
      if (result.ok) throw new Error('unreachable');
      return {
        code: result.error.code,
        status: result.response.status,
        challenge: parseBearerChallenges(result.response.headers.get('www-authenticate') ?? ''),
      };
    };
    assert.deepEqual(await ask(undefined), {
      code: 'token_missing',
      status: 401,
      challenge: [{ realm: 'payroll' }],
    });
    assert.deepEqual(await ask('Basic YWxpY2U6c2VjcmV0'), {
      code: 'token_missing',
      status: 401,
      challenge: [{ realm: 'payroll' }],
    });
    const expired = await ask(`Bearer ${await at({ exp: clock() - 60 })}`);
    assert.equal(expired.status, 401);
    assert.equal(expired.code, 'token_expired');
    assert.equal(expired.challenge[0]?.error, 'invalid_token');
    const scope = await ask(`Bearer ${await at({ scope: 'openid' })}`, {
      scopes: ['payroll:read', 'payroll:write'],
    });
    assert.equal(scope.status, 403);
    assert.equal(scope.challenge[0]?.error, 'insufficient_scope');
    assert.equal(scope.challenge[0]?.scope, 'payroll:read payroll:write');
    const weak = await ask(`Bearer ${await at({ acr: ACR_ONE_FACTOR })}`, { policy: 'mfa' });
    assert.deepEqual(weak, {
      code: 'insufficient_user_authentication',
      status: 401,
      challenge: [
        {
          realm: 'payroll',
          error: 'insufficient_user_authentication',
          error_description: 'A different authentication level is required.',
          acr_values: ACR_MULTI_FACTOR,
        },
      ],
    });
    const old = await ask(`Bearer ${await at({ auth_time: clock() - 600 })}`, { policy: 'recent' });
    assert.deepEqual(old.challenge[0], {
      realm: 'payroll',
      error: 'insufficient_user_authentication',
      error_description: 'More recent authentication is required.',
      max_age: 60,
    });
    const huge = await ask(`Bearer ${'x'.repeat(20_000)}`);
    assert.deepEqual([huge.code, huge.status], ['token_too_large', 401]);
    const malformed = await ask('Bearer not a token');
    assert.deepEqual([malformed.code, malformed.status], ['token_malformed', 401]);
  });

  test('an unknown kid: one JWKS refetch, then refusal; a flood of unknown kids does not flood the provider', async () => {
    offset += 31; // past the 30-second cooldown since the guards loaded their keys
    for (const verifier of VERIFIERS) {
      const guard = guards.get(verifier.name) as BearerGuard;
      const fetches = guard.keySet.fetchCount;
      await assert.rejects(guard.verify(await at({}, { kid: 'rotated-in' })), { code: 'key_not_found' });
      assert.equal(guard.keySet.fetchCount, fetches + 1, verifier.name);
      const flood = await Promise.all(
        Array.from({ length: 50 }, async (_, index) =>
          guard
            .verify(await at({}, { kid: `unknown-${index}` }))
            .catch((error: { code: string }) => error.code),
        ),
      );
      assert.deepEqual(new Set(flood), new Set(['key_not_found']));
      assert.equal(guard.keySet.fetchCount, fetches + 1, `${verifier.name}: still one refetch`);
      // Known keys keep working meanwhile.
      assert.equal((await guard.verify(await at())).sub, 'alice');
    }
  });

  test('the cache re-checks expiry and the policy on every hit', async () => {
    const guard = guards.get('node:crypto with the verified-token cache') as BearerGuard;
    const token = await at({ exp: clock() + 100, acr: ACR_ONE_FACTOR });
    assert.equal((await guard.verify(token)).sub, 'alice');
    await assert.rejects(guard.verify(token, { policy: 'mfa' }), {
      code: 'insufficient_user_authentication',
    });
    offset += 200;
    await assert.rejects(guard.verify(token), { code: 'token_expired' });
    offset -= 200;
  });

  test('settings are checked at start-up with TypeErrors', async () => {
    const base = { issuer: provider.issuer, audience: API, allowInsecureRequests: true };
    await assert.rejects(createBearerGuard({ ...base, algorithms: ['HS256' as 'RS256'] }), TypeError);
    await assert.rejects(createBearerGuard({ ...base, algorithms: [] }), TypeError);
    await assert.rejects(createBearerGuard({ ...base, clockSkew: 3600 }), TypeError);
    await assert.rejects(
      createBearerGuard({ ...base, policies: { x: { acr: ['urn:unknown'] } } }),
      TypeError,
    );
    await assert.rejects(createBearerGuard({ ...base, allowInsecureRequests: false }), {
      code: 'discovery_failed',
    });
    await assert.rejects(createBearerGuard({ ...base, issuer: `${provider.issuer}/other` }), {
      code: 'discovery_failed',
    });
  });
});

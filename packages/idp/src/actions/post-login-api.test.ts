import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { JsonValue } from './json-value.ts';
import { type SandboxArgument, validateApiCall } from './post-login-api.ts';
import { applyCalls, emptyEffects, mergeMultifactor } from './post-login-outcome.ts';

const json = (value: JsonValue): SandboxArgument => ({ kind: 'json', value });
const absent: SandboxArgument = { kind: 'undefined' };

describe('validateApiCall', () => {
  test('normalises the calls a script makes', () => {
    assert.deepEqual(validateApiCall('multifactor.enable', [json('any'), absent]), {
      ok: true,
      call: { method: 'multifactor.enable', provider: 'any', allowRememberBrowser: false },
    });
    assert.deepEqual(
      validateApiCall('authentication.challengeWith', [
        json({ type: 'otp' }),
        json({ additionalFactors: ['email', { type: 'otp' }] }),
      ]),
      {
        ok: true,
        call: { method: 'authentication.challengeWith', factors: ['otp', 'email'], enroll: false },
      },
    );
    // The provider names of multifactor.enable stand for their factors.
    assert.deepEqual(
      validateApiCall('authentication.enrollWith', [
        json('guardian'),
        json({ additionalFactors: [{ type: 'google-authenticator' }, 'webauthn-roaming'] }),
      ]),
      {
        ok: true,
        call: {
          method: 'authentication.enrollWith',
          factors: ['push-notification', 'otp', 'webauthn-roaming'],
          enroll: true,
        },
      },
    );
    assert.deepEqual(validateApiCall('access.deny', [json('  No\naccess  ')]), {
      ok: true,
      call: { method: 'access.deny', reason: 'No access' },
    });
    assert.deepEqual(validateApiCall('user.setAppMetadata', [json('k'), absent]), {
      ok: true,
      call: { method: 'user.setAppMetadata', key: 'k', value: null },
    });
  });

  const refused: [string, string, SandboxArgument[], string][] = [
    ['an unknown provider', 'multifactor.enable', [json('duo')], 'action_invalid_call'],
    [
      'a provider that is not a string',
      'multifactor.enable',
      [{ kind: 'other', type: 'function' }],
      'action_invalid_call',
    ],
    [
      'a misspelt option',
      'multifactor.enable',
      [json('any'), json({ allowRemeberBrowser: true })],
      'action_invalid_call',
    ],
    [
      'a non-boolean option',
      'multifactor.enable',
      [json('any'), json({ allowRememberBrowser: 'yes' })],
      'action_invalid_call',
    ],
    ['a phone factor', 'authentication.challengeWith', [json({ type: 'phone' })], 'action_invalid_call'],
    ['an empty factor list', 'authentication.enrollWithAny', [json([])], 'action_invalid_call'],
    ['an empty deny reason', 'access.deny', [json(' ')], 'action_invalid_call'],
    ['the sub claim', 'idToken.setCustomClaim', [json('sub'), json('x')], 'action_invalid_claim'],
    ['the acr claim', 'accessToken.setCustomClaim', [json('acr'), json('x')], 'action_invalid_claim'],
    ['an empty claim name', 'idToken.setCustomClaim', [json(''), json('x')], 'action_invalid_claim'],
    ['a claim without value', 'idToken.setCustomClaim', [json('https://x/y'), absent], 'action_invalid_call'],
    [
      'a claim that is a function',
      'idToken.setCustomClaim',
      [json('https://x/y'), { kind: 'other', type: 'function' }],
      'action_invalid_call',
    ],
    [
      'a value over 8 KiB',
      'user.setUserMetadata',
      [json('k'), json('x'.repeat(9000))],
      'action_invalid_call',
    ],
    ['a __proto__ metadata key', 'user.setAppMetadata', [json('__proto__'), json({})], 'action_invalid_call'],
  ];
  for (const [name, method, args, code] of refused) {
    test(`refuses ${name} with ${code}`, () => {
      const result = validateApiCall(method, args);
      assert.equal(result.ok, false);
      assert.equal(result.ok ? undefined : result.failure.code, code);
    });
  }

  test('accessToken.addScope / removeScope take one RFC 6749 scope token; the later call on a scope wins', () => {
    assert.deepEqual(validateApiCall('accessToken.addScope', [json('write:salary')]), {
      ok: true,
      call: { method: 'accessToken.addScope', scope: 'write:salary' },
    });
    for (const scope of ['read write', '', 'quote"d', 'x'.repeat(129)]) {
      const result = validateApiCall('accessToken.removeScope', [json(scope)]);
      assert.equal(result.ok ? 'ok' : result.failure.code, 'action_invalid_call', JSON.stringify(scope));
    }
    const effects = emptyEffects();
    applyCalls(effects, [
      { method: 'accessToken.addScope', scope: 'a' },
      { method: 'accessToken.removeScope', scope: 'a' },
      { method: 'accessToken.removeScope', scope: 'b' },
      { method: 'accessToken.addScope', scope: 'b' },
    ]);
    assert.deepEqual(Object.fromEntries(effects.accessTokenScopes), { a: 'remove', b: 'add' });
  });

  test('an unknown method is a programming error', () => {
    assert.throws(() => validateApiCall('nope', []), TypeError);
  });
});

describe('merging the calls of several Actions', () => {
  test('the strictest provider wins; remembering the browser needs every factor call to allow it', () => {
    assert.equal(mergeMultifactor([]), undefined);
    assert.deepEqual(
      mergeMultifactor([
        { provider: 'none', allowRememberBrowser: false },
        { provider: 'otp', allowRememberBrowser: true },
        { provider: 'any', allowRememberBrowser: true },
      ]),
      { provider: 'otp', allowRememberBrowser: true },
    );
    assert.deepEqual(
      mergeMultifactor([
        { provider: 'guardian', allowRememberBrowser: true },
        { provider: 'otp', allowRememberBrowser: false },
      ]),
      { provider: 'guardian', allowRememberBrowser: false },
    );
    assert.deepEqual(mergeMultifactor([{ provider: 'none', allowRememberBrowser: true }]), {
      provider: 'none',
      allowRememberBrowser: true,
    });
  });

  test('claims and metadata: the later write wins; the first deny reason stays', () => {
    const effects = emptyEffects();
    applyCalls(effects, [
      { method: 'idToken.setCustomClaim', name: 'https://x/a', value: 1 },
      { method: 'access.deny', reason: 'first' },
    ]);
    applyCalls(effects, [
      { method: 'idToken.setCustomClaim', name: 'https://x/a', value: 2 },
      { method: 'access.deny', reason: 'second' },
    ]);
    assert.deepEqual(Object.fromEntries(effects.idTokenClaims), { 'https://x/a': 2 });
    assert.equal(effects.denyReason, 'first');
  });
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ACR_MULTI_FACTOR, DEFAULT_ACR_LADDER } from '@stepup/core';
import { requirementFromActions } from './login-requirement.ts';
import type { PostLoginChallenge, PostLoginOutcome } from './post-login-outcome.ts';

function allowed(
  challenges: PostLoginChallenge[],
  extra: Pick<PostLoginOutcome, 'multifactor'> = {},
): PostLoginOutcome {
  return {
    decision: 'allow',
    challenges,
    idTokenClaims: {},
    accessTokenClaims: {},
    accessTokenScopes: { add: [], remove: [] },
    appMetadata: {},
    userMetadata: {},
    executions: [],
    ...extra,
  };
}

describe('requirementFromActions: enrollWith', () => {
  test('asks for the multi-factor level and the enrollment, without restricting the factor proven first', () => {
    assert.deepEqual(
      requirementFromActions(allowed([{ factors: ['webauthn-roaming'], enroll: true }]), DEFAULT_ACR_LADDER),
      {
        acr: ACR_MULTI_FACTOR,
        enroll: { factors: ['webauthn-roaming'], methods: ['security-key', 'security-key-verified'] },
      },
    );
  });

  test('enrollWithAny keeps the order named; a challengeWith beside it restricts the proof only', () => {
    const outcome = allowed([
      { factors: ['otp'], enroll: false },
      { factors: ['push-notification', 'otp'], enroll: true },
    ]);
    assert.deepEqual(requirementFromActions(outcome, DEFAULT_ACR_LADDER), {
      acr: ACR_MULTI_FACTOR,
      methods: ['totp'],
      enroll: { factors: ['push-notification', 'otp'], methods: ['push', 'totp'] },
    });
  });

  test('several enrollWith calls intersect; with nothing in common, no method is left', () => {
    const keys = allowed([
      { factors: ['webauthn-roaming'], enroll: true },
      { factors: ['webauthn-platform'], enroll: true },
    ]);
    assert.deepEqual(requirementFromActions(keys, DEFAULT_ACR_LADDER).enroll, {
      factors: ['webauthn-roaming', 'webauthn-platform'],
      methods: ['security-key'],
    });
    const apart = allowed([
      { factors: ['otp'], enroll: true },
      { factors: ['email'], enroll: true },
    ]);
    assert.deepEqual(requirementFromActions(apart, DEFAULT_ACR_LADDER).enroll, {
      factors: ['otp', 'email'],
      methods: [],
    });
  });

  test('an enrollment is never skipped by a remembered browser', () => {
    const outcome = allowed([{ factors: ['otp'], enroll: true }], {
      multifactor: { provider: 'any', allowRememberBrowser: true },
    });
    assert.equal(requirementFromActions(outcome, DEFAULT_ACR_LADDER).allowRememberBrowser, undefined);
  });
});

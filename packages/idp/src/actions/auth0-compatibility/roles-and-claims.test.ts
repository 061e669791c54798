import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ACR_MULTI_FACTOR, ACR_ONE_FACTOR } from '@stepup/core';
import { CompatibilityProvider } from '../testing/auth0-compatibility-provider.ts';

/** Auth0's usual MFA-for-admins rule, guarded with `?.` as its docs write it. */
const MFA_FOR_ADMINS = `exports.onExecutePostLogin = async (event, api) => {
  if (event.authorization?.roles.includes('admin')) {
    api.multifactor.enable('any');
  }
};`;

/** The same rule without the guard: it must not throw (Auth0 always gives the list). */
const MFA_FOR_ADMINS_UNGUARDED = `exports.onExecutePostLogin = async (event, api) => {
  if (event.authorization.roles.includes('admin')) api.multifactor.enable('any');
};`;

/** Roles copied into the ID and access tokens under a namespace. */
const ROLE_CLAIMS = `exports.onExecutePostLogin = async (event, api) => {
  const namespace = 'https://example.com/';
  if (event.authorization) {
    api.idToken.setCustomClaim(namespace + 'roles', event.authorization.roles);
    api.accessToken.setCustomClaim(namespace + 'roles', event.authorization.roles);
  }
};`;

describe('Auth0 compatibility: roles', () => {
  let provider: CompatibilityProvider;
  before(async () => {
    provider = await CompatibilityProvider.start();
  });
  after(() => provider.close());

  for (const [shape, code] of [
    ['guarded', MFA_FOR_ADMINS],
    ['unguarded', MFA_FOR_ADMINS_UNGUARDED],
  ] as const) {
    test(`MFA for admins (${shape}): an admin is asked for a second factor and gets the multi-factor acr`, async () => {
      await provider.only(`mfa-for-admins-${shape}`, code);
      const admin = await provider.user({ roles: ['admin'] });
      const result = await provider.login(admin);
      assert.equal(result.ended, 'tokens');
      if (result.ended !== 'tokens') return;
      assert.equal(result.askedForSecondFactor, true);
      assert.equal(result.idToken.acr, ACR_MULTI_FACTOR);
      assert.deepEqual(result.idToken.amr, ['mfa', 'otp', 'pwd']);
    });

    test(`MFA for admins (${shape}): a person without the role signs in with the password alone`, async () => {
      await provider.only(`mfa-for-admins-${shape}`, code);
      const person = await provider.user();
      const result = await provider.login(person);
      assert.equal(result.ended, 'tokens');
      if (result.ended !== 'tokens') return;
      assert.equal(result.askedForSecondFactor, false);
      assert.equal(result.idToken.acr, ACR_ONE_FACTOR);
      assert.deepEqual(result.idToken.amr, ['pwd']);
    });
  }

  test('namespaced role claims from event.authorization.roles reach the ID token', async () => {
    await provider.only('role-claims', ROLE_CLAIMS);
    const admin = await provider.user({ roles: ['admin'] });
    const result = await provider.login(admin);
    assert.equal(result.ended, 'tokens');
    if (result.ended !== 'tokens') return;
    assert.deepEqual(result.idToken['https://example.com/roles'], ['admin']);

    const person = await provider.user();
    const plain = await provider.login(person);
    assert.equal(plain.ended, 'tokens');
    if (plain.ended !== 'tokens') return;
    assert.deepEqual(plain.idToken['https://example.com/roles'], []);
  });
});

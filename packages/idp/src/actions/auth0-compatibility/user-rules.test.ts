import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ACR_MULTI_FACTOR } from '@stepup/core';
import { CompatibilityProvider } from '../testing/auth0-compatibility-provider.ts';

/** Only people of the company's own domains, with a verified address, may sign in. */
const DENY_BY_EMAIL_DOMAIN = `exports.onExecutePostLogin = async (event, api) => {
  const allowed = ['example.com', 'example.org'];
  const domain = (event.user.email || '').split('@').pop().toLowerCase();
  if (!event.user.email_verified || !allowed.includes(domain)) {
    return api.access.deny('Access is limited to company accounts.');
  }
};`;

/** A flag operators set in app_metadata asks for MFA, and the plan goes into the token. */
const APP_METADATA_FLAG = `exports.onExecutePostLogin = async (event, api) => {
  if (event.user.app_metadata.require_mfa === true) {
    api.multifactor.enable('any', { allowRememberBrowser: false });
  }
  if (event.user.app_metadata.plan) {
    api.idToken.setCustomClaim('https://example.com/plan', event.user.app_metadata.plan);
  }
};`;

/** Accounts younger than a day must prove a second factor; the identity's provider goes in a claim. */
const NEW_ACCOUNT_MFA = `exports.onExecutePostLogin = async (event, api) => {
  const ageMs = Date.now() - Date.parse(event.user.created_at);
  if (!(ageMs >= 24 * 3600 * 1000)) api.multifactor.enable('any');
  api.idToken.setCustomClaim('https://example.com/provider', event.user.identities[0].provider);
};`;

describe('Auth0 compatibility: rules on the user', () => {
  let provider: CompatibilityProvider;
  before(async () => {
    provider = await CompatibilityProvider.start();
  });
  after(() => provider.close());

  test('deny by email domain: other domains are refused with the reason, the company domain signs in', async () => {
    await provider.only('email-domain', DENY_BY_EMAIL_DOMAIN);
    const outsider = await provider.login(await provider.user({ email: 'someone@example.net' }));
    assert.deepEqual(outsider, {
      ended: 'error',
      error: 'access_denied',
      description: 'Access is limited to company accounts.',
    });
    const staff = await provider.login(await provider.user({ email: 'someone@Example.com' }));
    assert.equal(staff.ended, 'tokens');
  });

  test('an app_metadata flag asks for MFA and its plan reaches the ID token', async () => {
    await provider.only('app-metadata-flag', APP_METADATA_FLAG);
    const flagged = await provider.login(
      await provider.user({ appMetadata: { require_mfa: true, plan: 'gold' } }),
    );
    assert.ok(flagged.ended === 'tokens' && flagged.askedForSecondFactor);
    assert.equal(flagged.idToken.acr, ACR_MULTI_FACTOR);
    assert.equal(flagged.idToken['https://example.com/plan'], 'gold');
    const plain = await provider.login(await provider.user({ appMetadata: { plan: 'free' } }));
    assert.ok(plain.ended === 'tokens' && !plain.askedForSecondFactor);
    assert.equal(plain.idToken['https://example.com/plan'], 'free');
  });

  test('a rule on event.user.created_at asks a new account for MFA', async () => {
    await provider.only('new-account-mfa', NEW_ACCOUNT_MFA);
    const result = await provider.login(await provider.user());
    assert.ok(result.ended === 'tokens' && result.askedForSecondFactor);
    assert.equal(result.idToken.acr, ACR_MULTI_FACTOR);
    assert.equal(result.idToken['https://example.com/provider'], 'auth0');
  });
});

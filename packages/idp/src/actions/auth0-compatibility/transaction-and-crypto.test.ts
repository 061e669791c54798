import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { ACR_MULTI_FACTOR, ACR_ONE_FACTOR } from '@stepup/core';
import { ActionManagementError } from '../action-management-error.ts';
import { CompatibilityProvider } from '../testing/auth0-compatibility-provider.ts';

/** The seed's comparison, verbatim: one requested value, compared with ===. */
const ACR_EQUALS = `exports.onExecutePostLogin = async (event, api) => {
  if (event.transaction.acr_values === 'http://schemas.openid.net/pape/policies/2007/06/multi-factor') {
    api.multifactor.enable('any', { allowRememberBrowser: false });
  }
};`;

/** Auth0's array idioms, on the list Stepup gives beside the string. */
const ACR_LIST = `exports.onExecutePostLogin = async (event, api) => {
  const wanted = event.transaction.acr_values_list;
  if (wanted.length === 1 && wanted.some((value) => value.endsWith('/multi-factor'))) {
    api.multifactor.enable('any');
  }
  api.idToken.setCustomClaim('https://example.com/requested', wanted.map((value) => value.split('/').pop()));
};`;

/** A pseudonymous id for an analytics partner: HMAC of the user id with a secret. */
const HMAC_CLAIM = `const crypto = require('crypto');
exports.onExecutePostLogin = async (event, api) => {
  const pseudonym = crypto.createHmac('sha256', event.secrets.PSEUDONYM_KEY).update(event.user.user_id).digest('hex');
  api.idToken.setCustomClaim('https://example.com/pseudonym', pseudonym);
};`;

describe('Auth0 compatibility: acr_values and require', () => {
  let provider: CompatibilityProvider;
  before(async () => {
    provider = await CompatibilityProvider.start();
  });
  after(() => provider.close());

  test("=== on acr_values (the seed's idiom) asks for MFA exactly when the app requested it", async () => {
    await provider.only('acr-equals', ACR_EQUALS);
    const username = await provider.user();
    const plain = await provider.login(username);
    assert.ok(plain.ended === 'tokens' && !plain.askedForSecondFactor);
    assert.equal(plain.idToken.acr, ACR_ONE_FACTOR);
    const stepUp = await provider.login(username, { acr_values: ACR_MULTI_FACTOR });
    assert.ok(stepUp.ended === 'tokens' && stepUp.askedForSecondFactor);
    assert.equal(stepUp.idToken.acr, ACR_MULTI_FACTOR);
  });

  test('array idioms (.length, .some, .map) on acr_values_list behave as on Auth0', async () => {
    await provider.only('acr-list', ACR_LIST);
    const username = await provider.user();
    const stepUp = await provider.login(username, { acr_values: ACR_MULTI_FACTOR });
    assert.ok(stepUp.ended === 'tokens' && stepUp.askedForSecondFactor);
    assert.deepEqual(stepUp.idToken['https://example.com/requested'], ['multi-factor']);
    const plain = await provider.login(username);
    assert.ok(plain.ended === 'tokens' && !plain.askedForSecondFactor);
    assert.deepEqual(plain.idToken['https://example.com/requested'], []);
  });

  test('array idioms on the acr_values string are refused at deploy, naming acr_values_list', async () => {
    const code = `exports.onExecutePostLogin = async (event, api) => {
  if (event.transaction.acr_values.some((value) => value.endsWith('/multi-factor'))) api.multifactor.enable('any');
};`;
    await assert.rejects(provider.idp.deployAction('acr-some', code), (error: unknown) => {
      assert.ok(error instanceof ActionManagementError);
      assert.match(error.message, /line 2: event\.transaction\.acr_values\.some: .*acr_values_list\.some/);
      return true;
    });
  });

  test("HMAC with a secret through require('crypto') reaches the ID token", async () => {
    const key = 'pseudonym-key-0123456789';
    await provider.only('hmac-claim', HMAC_CLAIM, { PSEUDONYM_KEY: key });
    const username = await provider.user();
    const result = await provider.login(username);
    assert.ok(result.ended === 'tokens');
    assert.equal(
      result.idToken['https://example.com/pseudonym'],
      createHmac('sha256', key).update(String(result.idToken.sub)).digest('hex'),
    );
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ActionManagementError } from '../action-management-error.ts';
import { CompatibilityProvider } from '../testing/auth0-compatibility-provider.ts';

/** Auth0 Actions that Stepup can not run as written: refused when deployed, never at a login. */
const REFUSED: [string, string, RegExp][] = [
  [
    'Duo as the MFA provider',
    `exports.onExecutePostLogin = async (event, api) => {
  api.multifactor.enable('duo', { providerOptions: { host: 'api-1.duo.example', ikey: 'x', skey: 'y' } });
};`,
    /line 2: api\.multifactor\.enable\("duo"\): the provider must be one of any, /,
  ],
  [
    'an api method the product does not implement',
    `exports.onExecutePostLogin = async (event, api) => {
  if (event.stats.logins_count > 100) {
    api.session.revoke('too many logins');
  }
};`,
    /line 3: api\.session\.revoke is not available in Stepup/,
  ],
  [
    "require('fs')",
    `const fs = require('fs');
exports.onExecutePostLogin = async (event, api) => {
  fs.writeFileSync('/tmp/seen', event.user.user_id);
};`,
    /line 1: require\("fs"\): Actions can load only crypto/,
  ],
  [
    "Auth0's risk assessment, which Stepup does not compute: a guard on it would never ask for MFA",
    `exports.onExecutePostLogin = async (event, api) => {
  if (event.authentication?.riskAssessment?.confidence === 'low') {
    api.multifactor.enable('any');
  }
};`,
    /line 2: event\.authentication\.riskAssessment is not provided by Stepup/,
  ],
];

describe('Auth0 compatibility: refused at deploy with the call and its line', () => {
  let provider: CompatibilityProvider;
  before(async () => {
    provider = await CompatibilityProvider.start();
  });
  after(() => provider.close());

  for (const [name, code, message] of REFUSED) {
    test(name, async () => {
      await assert.rejects(provider.idp.deployAction('refused', code), (error: unknown) => {
        assert.ok(error instanceof ActionManagementError);
        assert.equal(error.code, 'invalid_request');
        assert.match(error.message, message);
        return true;
      });
      assert.equal(await provider.idp.stepup.store.actions.find('refused'), undefined, 'nothing was stored');
    });
  }
});

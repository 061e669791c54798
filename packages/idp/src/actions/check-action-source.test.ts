import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkActionSource } from './check-action-source.ts';

describe('checkActionSource', () => {
  const refused: [string, string, { line: number; message: RegExp }[]][] = [
    [
      'an api method Stepup does not implement, with its line',
      "exports.onExecutePostLogin = async (event, api) => {\n  api.session.revoke('bye');\n};",
      [{ line: 2, message: /^api\.session\.revoke is not available in Stepup$/ }],
    ],
    [
      'a method that is not on the api at all',
      'exports.onExecutePostLogin = async (event, api) => { api.multifactor.disable(); };',
      [{ line: 1, message: /^api\.multifactor\.disable is not a method/ }],
    ],
    [
      'an unknown MFA provider written as a literal',
      "exports.onExecutePostLogin = async (event, api) => {\n\n  api.multifactor.enable('duo', { providerOptions: {} });\n};",
      [{ line: 3, message: /^api\.multifactor\.enable\("duo"\): the provider must be one of any, guardian/ }],
    ],
    [
      'a module outside the allow-list, named with the list',
      "const fs = require('fs');\nexports.onExecutePostLogin = async () => {};",
      [{ line: 1, message: /^require\("fs"\): Actions can load only crypto$/ }],
    ],
    [
      'the api under another parameter name',
      'module.exports = { onExecutePostLogin: async function (e, a) { a.session.revoke("r"); } };',
      [{ line: 1, message: /^api\.session\.revoke is not available/ }],
    ],
    [
      'a declared entry point',
      "async function onExecutePostLogin(event, tools) { tools['refreshToken'].revoke('r'); }\nexports.onExecutePostLogin = onExecutePostLogin;",
      [{ line: 1, message: /^api\.refreshToken\.revoke is not available/ }],
    ],
  ];
  for (const [name, code, expected] of refused) {
    test(`refuses ${name}`, () => {
      const problems = checkActionSource(code);
      assert.equal(problems.length, expected.length, JSON.stringify(problems));
      expected.forEach((want, index) => {
        assert.equal(problems[index]?.line, want.line);
        assert.match(problems[index]?.message ?? '', want.message);
      });
    });
  }

  test('passes what the product runs', () => {
    const code = `const crypto = require('crypto');
const { createHash } = require('node:crypto');
exports.onExecutePostLogin = async (event, api) => {
  api.multifactor.enable('any', { allowRememberBrowser: false });
  api.multifactor.enable(event.user.app_metadata.factor);
  api.idToken.setCustomClaim('https://example.com/h', createHash('sha256').update('x').digest('hex'));
  api.access.deny('no');
};`;
    assert.deepEqual(checkActionSource(code), []);
  });

  test('leaves dynamic access and syntax errors to the sandbox', () => {
    assert.deepEqual(
      checkActionSource(
        "exports.onExecutePostLogin = async (e, api) => { const g = 'cache'; api[g].get('k'); };",
      ),
      [],
    );
    assert.deepEqual(checkActionSource('exports.onExecutePostLogin = async () => {'), []);
  });
});

describe('checkActionSource: event.transaction.acr_values is a string', () => {
  for (const idiom of [
    ".includes('x')",
    ".some((v) => v === 'x')",
    '.map((v) => v)',
    '.length === 1',
    '[0]',
  ]) {
    test(`refuses acr_values${idiom}, naming acr_values_list`, () => {
      const code = `exports.onExecutePostLogin = async (event, api) => {\n  if (event.transaction.acr_values${idiom}) api.multifactor.enable('any');\n};`;
      const [problem, ...more] = checkActionSource(code);
      assert.equal(more.length, 0);
      assert.equal(problem?.line, 2);
      assert.match(
        problem?.message ?? '',
        /acr_values is one string in Stepup .* use event\.transaction\.acr_values_list/,
      );
    });
  }

  test("accepts the seed's === and the list's array idioms", () => {
    const code = `exports.onExecutePostLogin = async (event, api) => {
  if (event.transaction.acr_values === 'http://schemas.openid.net/pape/policies/2007/06/multi-factor') api.multifactor.enable('any');
  if (event.transaction.acr_values_list.includes('x') || event.transaction.acr_values_list.length > 1) api.multifactor.enable('any');
};`;
    assert.deepEqual(checkActionSource(code), []);
  });
});

describe('checkActionSource: event fields Auth0 has and Stepup does not', () => {
  for (const path of [
    'event.authentication.riskAssessment.confidence',
    'event.request.geoip.cityName',
    'event.session.device.initial_ip',
    'event.security_context',
  ]) {
    test(`refuses a read of ${path}: a guard on it would never fire`, () => {
      const code = `exports.onExecutePostLogin = async (event, api) => {\n  if (${path.replace(/\./g, '?.')} === 'low') api.multifactor.enable('any');\n};`;
      const [problem, ...more] = checkActionSource(code);
      assert.equal(more.length, 0, JSON.stringify(more));
      assert.equal(problem?.line, 2);
      assert.match(problem?.message ?? '', /is not provided by Stepup/);
    });
  }

  test('follows the event parameter under another name, and accepts provided fields', () => {
    const code = `exports.onExecutePostLogin = async (e, api) => {
  if (e.request.geoip.countryCode === 'GB' || e.user.created_at || e.authorization.roles.length) return;
  if (e.user.identities[0].provider === 'auth0') return;
  console.log(e.authentication.riskAssessment);
};`;
    assert.deepEqual(
      checkActionSource(code).map((problem) => problem.line),
      [4],
    );
  });
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { readSalaryConfig, SalaryConfigError, SEED_MFA_ACR } from './salary-config.ts';

const SECRET = 'a session secret of at least thirty-two bytes';

describe('readSalaryConfig', () => {
  test('defaults: port 4000, base URL on localhost, the seed acr, RS256, no maximum age', () => {
    const config = readSalaryConfig({
      SALARY_ISSUER: 'https://idp.example.com',
      SALARY_SESSION_SECRET: SECRET,
    });
    assert.deepEqual(config, {
      issuer: 'https://idp.example.com',
      clientId: 'salary',
      clientSecret: undefined,
      baseUrl: 'http://localhost:4000',
      port: 4000,
      host: '127.0.0.1',
      mfaAcr: SEED_MFA_ACR,
      mfaMaxAge: undefined,
      idTokenAlg: 'RS256',
      sessionSecret: SECRET,
      sessionSecretGenerated: false,
    });
  });

  test('the issuer is kept exactly, trailing slash and all (Auth0 issuers end with one)', () => {
    const config = readSalaryConfig({
      SALARY_ISSUER: 'https://tenant.eu.auth0.com/',
      SALARY_SESSION_SECRET: SECRET,
    });
    assert.equal(config.issuer, 'https://tenant.eu.auth0.com/');
  });

  test('every setting from the environment', () => {
    const config = readSalaryConfig({
      SALARY_ISSUER: 'http://localhost:3000',
      SALARY_CLIENT_ID: 'payroll',
      SALARY_CLIENT_SECRET: 'x'.repeat(32),
      SALARY_BASE_URL: 'https://salary.example.com',
      APP_PORT: '8080',
      APP_HOST: '0.0.0.0',
      SALARY_MFA_ACR: 'urn:okta:loa:2fa:any',
      SALARY_MFA_MAX_AGE: '600',
      SALARY_ID_TOKEN_ALG: 'HS256',
      SALARY_SESSION_SECRET: SECRET,
    });
    assert.equal(config.baseUrl, 'https://salary.example.com');
    assert.equal(config.port, 8080);
    assert.equal(config.host, '0.0.0.0');
    assert.equal(config.mfaAcr, 'urn:okta:loa:2fa:any');
    assert.equal(config.mfaMaxAge, 600);
    assert.equal(config.idTokenAlg, 'HS256');
  });

  test('a missing session secret is made up outside production, and refused in production', () => {
    const config = readSalaryConfig({ SALARY_ISSUER: 'https://idp.example.com' });
    assert.equal(config.sessionSecretGenerated, true);
    assert.ok(Buffer.byteLength(config.sessionSecret) >= 32);
    assert.throws(
      () => readSalaryConfig({ SALARY_ISSUER: 'https://idp.example.com', NODE_ENV: 'production' }),
      /SALARY_SESSION_SECRET: is required in production/,
    );
  });

  const refusals: [string, NodeJS.ProcessEnv, RegExp][] = [
    ['no issuer', { SALARY_ISSUER: '' }, /SALARY_ISSUER: is required/],
    [
      'plain http off localhost',
      { SALARY_ISSUER: 'http://idp.example.com' },
      /SALARY_ISSUER: .* must use https/,
    ],
    [
      'a base URL with a path',
      { SALARY_BASE_URL: 'https://app.example.com/salary' },
      /SALARY_BASE_URL: must be an origin/,
    ],
    ['a bad port', { APP_PORT: '70000' }, /APP_PORT: "70000" is not a port number/],
    [
      'a short session secret',
      { SALARY_SESSION_SECRET: 'short' },
      /SALARY_SESSION_SECRET: must be at least 32 bytes/,
    ],
    ['an unknown algorithm', { SALARY_ID_TOKEN_ALG: 'none' }, /SALARY_ID_TOKEN_ALG: use one of/],
    [
      'HS256 without a long secret',
      { SALARY_ID_TOKEN_ALG: 'HS256', SALARY_CLIENT_SECRET: 'short' },
      /SALARY_CLIENT_SECRET: HS256/,
    ],
    ['two acr values', { SALARY_MFA_ACR: 'a b' }, /SALARY_MFA_ACR: must be one acr value/],
    ['a maximum age in words', { SALARY_MFA_MAX_AGE: 'ten minutes' }, /SALARY_MFA_MAX_AGE: "ten minutes"/],
  ];
  for (const [name, env, message] of refusals) {
    test(`refuses ${name}, naming the variable`, () => {
      assert.throws(
        () =>
          readSalaryConfig({
            SALARY_ISSUER: 'https://idp.example.com',
            SALARY_SESSION_SECRET: SECRET,
            ...env,
          }),
        (error: unknown) => error instanceof SalaryConfigError && message.test(error.message),
      );
    });
  }
});

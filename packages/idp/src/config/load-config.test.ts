import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ConfigError, loadConfig } from './load-config.ts';

function configFile(content: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'stepup-config-')), 'stepup.json');
  writeFileSync(file, content);
  return file;
}

describe('loadConfig', () => {
  test('defaults', () => {
    const config = loadConfig({});
    assert.equal(config.issuer, 'http://localhost:3000');
    assert.equal(config.port, 3000);
    assert.equal(config.dataDir, './data');
    assert.equal(config.trustProxy, false);
    assert.deepEqual(config.requestSecurity, {
      requirePushedAuthorizationRequests: false,
      requireSignedRequestObjects: false,
      defaultClientProfile: 'standard',
      requireDpopNonce: true,
    });
    assert.equal(config.throttling.accountLockFailures, 100);
    assert.deepEqual(config.throttling.accountIp, { limit: 10, windowSeconds: 900 });
    assert.deepEqual(config.throttling.secondFactor, {
      limit: 10,
      windowSeconds: 900,
      freeFailures: 10,
      maxDelaySeconds: 900,
      lockFailures: 100,
    });
  });

  test('STEPUP_TRUST_PROXY: a flag, a number of proxy hops, or a list of proxy addresses', () => {
    assert.equal(loadConfig({ STEPUP_TRUST_PROXY: 'true' }).trustProxy, true);
    assert.equal(loadConfig({ STEPUP_TRUST_PROXY: 'false' }).trustProxy, false);
    assert.equal(loadConfig({ STEPUP_TRUST_PROXY: '2' }).trustProxy, 2);
    assert.deepEqual(
      loadConfig({ STEPUP_TRUST_PROXY: '10.0.0.0/8, 192.0.2.7,fd00::/8,loopback' }).trustProxy,
      ['10.0.0.0/8', '192.0.2.7', 'fd00::/8', 'loopback'],
    );
  });

  test('environment variables override the file', () => {
    const file = configFile(JSON.stringify({ port: 4100, logLevel: 'warn' }));
    const config = loadConfig({ STEPUP_CONFIG: file, IDP_PORT: '4200', STEPUP_TRUST_PROXY: 'true' });
    assert.equal(config.port, 4200);
    assert.equal(config.logLevel, 'warn');
    assert.equal(config.trustProxy, true);
    assert.equal(config.issuer, 'http://localhost:4200');
  });

  test('Redis settings come from the environment; without them Redis is off', () => {
    assert.equal(loadConfig({}).redisUrl, undefined);
    const config = loadConfig({
      STEPUP_REDIS_URL: 'redis://127.0.0.1:6379/2',
      STEPUP_REDIS_KEY_PREFIX: 'tenant-a:',
      STEPUP_REDIS_COMMAND_TIMEOUT_MS: '250',
    });
    assert.equal(config.redisUrl, 'redis://127.0.0.1:6379/2');
    assert.deepEqual(config.redis, { keyPrefix: 'tenant-a:', commandTimeoutMs: 250 });
  });

  test('the encryption keys come from STEPUP_SECRET_KEY or STEPUP_SECRET_KEY_FILE; without them, neither is set', () => {
    assert.equal(loadConfig({}).secretKey, undefined);
    assert.equal(loadConfig({}).secretKeyFile, undefined);
    assert.equal(loadConfig({ STEPUP_SECRET_KEY: 'k1,k2' }).secretKey, 'k1,k2');
    assert.equal(
      loadConfig({ STEPUP_SECRET_KEY_FILE: '/run/secrets/stepup' }).secretKeyFile,
      '/run/secrets/stepup',
    );
  });

  const invalid: [string, NodeJS.ProcessEnv | (() => NodeJS.ProcessEnv), RegExp][] = [
    [
      'both an encryption key and a key file',
      { STEPUP_SECRET_KEY: 'a', STEPUP_SECRET_KEY_FILE: '/run/secrets/stepup' },
      /STEPUP_SECRET_KEY.*not both/,
    ],
    ['a port that is not a number', { IDP_PORT: 'eighty' }, /IDP_PORT/],
    ['a port out of range', { IDP_PORT: '70000' }, /IDP_PORT/],
    [
      'a proxy setting that is no flag, number or address',
      { STEPUP_TRUST_PROXY: 'maybe' },
      /STEPUP_TRUST_PROXY/,
    ],
    ['a proxy range with a bad prefix', { STEPUP_TRUST_PROXY: '10.0.0.0/33' }, /STEPUP_TRUST_PROXY/],
    ['too many proxy hops', { STEPUP_TRUST_PROXY: '11' }, /STEPUP_TRUST_PROXY/],
    ['an issuer that is not a URL', { STEPUP_ISSUER: 'not a url' }, /STEPUP_ISSUER/],
    ['a plain-http issuer off localhost', { STEPUP_ISSUER: 'http://id.example.com' }, /STEPUP_ISSUER.*https/],
    ['an unknown log level', { STEPUP_LOG_LEVEL: 'loud' }, /STEPUP_LOG_LEVEL/],
    ['a Redis URL of another scheme', { STEPUP_REDIS_URL: 'http://127.0.0.1:6379' }, /STEPUP_REDIS_URL/],
    [
      'a Redis timeout that is not a number',
      { STEPUP_REDIS_COMMAND_TIMEOUT_MS: 'soon' },
      /STEPUP_REDIS_COMMAND_TIMEOUT_MS/,
    ],
    ['a missing config file', { STEPUP_CONFIG: '/nonexistent/stepup.json' }, /STEPUP_CONFIG/],
    ['a config file that is not JSON', () => ({ STEPUP_CONFIG: configFile('{ port: ') }), /not valid JSON/],
    [
      'an unknown setting in the file',
      () => ({ STEPUP_CONFIG: configFile('{"prot": 1}') }),
      /unknown setting.*prot/,
    ],
    [
      'a ladder that is not ordered',
      () => ({
        STEPUP_CONFIG: configFile('{"acrLadder":[{"acr":"a","factors":2},{"acr":"b","factors":1}]}'),
      }),
      /acrLadder/,
    ],
    [
      'a bad nested value',
      () => ({ STEPUP_CONFIG: configFile('{"throttling":{"accountLockFailures":500}}') }),
      /throttling\.accountLockFailures/,
    ],
    [
      'a second-factor lock above the 100 consecutive failures of NIST SP 800-63B',
      () => ({ STEPUP_CONFIG: configFile('{"throttling":{"secondFactor":{"lockFailures":101}}}') }),
      /throttling\.secondFactor\.lockFailures/,
    ],
    [
      'a client profile that does not exist',
      () => ({ STEPUP_CONFIG: configFile('{"requestSecurity":{"defaultClientProfile":"fapi3"}}') }),
      /requestSecurity\.defaultClientProfile/,
    ],
    [
      'a PAR requirement that is not a boolean',
      () => ({
        STEPUP_CONFIG: configFile('{"requestSecurity":{"requirePushedAuthorizationRequests":"yes"}}'),
      }),
      /requestSecurity\.requirePushedAuthorizationRequests/,
    ],
  ];
  for (const [name, env, message] of invalid) {
    test(`refuses ${name}, naming the setting`, () => {
      assert.throws(
        () => loadConfig(typeof env === 'function' ? env() : env),
        (error: unknown) => error instanceof ConfigError && message.test(error.message),
      );
    });
  }
});

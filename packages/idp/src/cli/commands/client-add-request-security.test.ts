import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.ts';
import { runCli } from '../run-cli.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'stepup-cli-request-security-'));
const env = { STEPUP_DATA_DIR: dataDir };
const REDIRECT = 'https://bank.example/callback';

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (line) => out.push(line), env }, (line) => err.push(line));
  return { code, out: out.join('\n'), err: err.join('\n') };
}

async function stored(clientId: string) {
  const store = await openSqliteStore({ dataDir });
  try {
    return await store.clients.find(clientId);
  } finally {
    await store.close();
  }
}

describe('stepup-idp client add: PAR, request objects, DPoP, keys and the fapi2 profile', () => {
  let publicJwk: JWK;
  let publicKeys: string;
  let privateKeys: string;

  before(async () => {
    const pair = await generateKeyPair('ES256', { extractable: true });
    publicJwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1' };
    publicKeys = join(dataDir, 'public-jwks.json');
    privateKeys = join(dataDir, 'private-jwks.json');
    writeFileSync(publicKeys, JSON.stringify({ keys: [publicJwk] }));
    writeFileSync(privateKeys, JSON.stringify({ keys: [await exportJWK(pair.privateKey)] }));
  });
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  test('--profile fapi2 --jwks: private_key_jwt without a secret, ES256 ID tokens, the profile stored', async () => {
    const result = await cli(
      'client',
      'add',
      'bank',
      '--profile',
      'fapi2',
      '--jwks',
      publicKeys,
      '--redirect-uri',
      REDIRECT,
    );
    assert.equal(result.code, 0, result.err);
    assert.doesNotMatch(result.out, /client_secret/);
    assert.match(result.out, /private_key_jwt, ID tokens ES256.*profile fapi2/);
    const client = await stored('bank');
    assert.equal(client?.token_endpoint_auth_method, 'private_key_jwt');
    assert.deepEqual(client?.jwks, { keys: [publicJwk] });
    assert.equal(client?.client_profile, 'fapi2');
    assert.equal(client?.id_token_signed_response_alg, 'ES256');
    assert.equal(client?.client_secret, undefined);
  });

  test('--require-par, --require-signed-request-object and --dpop are stored as the registration fields', async () => {
    const result = await cli(
      'client',
      'add',
      'payroll',
      '--jwks-uri',
      'https://payroll.example/jwks.json',
      '--redirect-uri',
      REDIRECT,
      '--require-par',
      '--require-signed-request-object',
      '--dpop',
    );
    assert.equal(result.code, 0, result.err);
    assert.match(result.out, /PAR required, signed request objects required, DPoP required/);
    const client = await stored('payroll');
    assert.equal(client?.jwks_uri, 'https://payroll.example/jwks.json');
    assert.equal(client?.require_pushed_authorization_requests, true);
    assert.equal(client?.require_signed_request_object, true);
    assert.equal(client?.dpop_bound_access_tokens, true);
  });

  test('--require-par on a client with a secret: a client add again updates it', async () => {
    assert.equal((await cli('client', 'add', 'hr', '--redirect-uri', REDIRECT)).code, 0);
    assert.equal((await stored('hr'))?.require_pushed_authorization_requests, undefined);
    assert.equal((await cli('client', 'add', 'hr', '--redirect-uri', REDIRECT, '--require-par')).code, 0);
    assert.equal((await stored('hr'))?.require_pushed_authorization_requests, true);
  });

  const refusals: Array<[string, string[], RegExp]> = [
    [
      'fapi2 without keys',
      ['--profile', 'fapi2'],
      /^error: --profile fapi2 authenticates with private_key_jwt/,
    ],
    ['an unknown profile', ['--profile', 'gold'], /^error: --profile: "gold" is not one of standard, fapi2/],
    ['a private key', ['--jwks', 'PRIVATE'], /^error: --jwks: key 0 has private members/],
    [
      'keys and a secret',
      ['--jwks', 'PUBLIC', '--secret', 'x'.repeat(64)],
      /^error: --jwks and --jwks-uri replace the secret/,
    ],
    [
      'a plain http jwks_uri',
      ['--jwks-uri', 'http://keys.example/jwks'],
      /^error: --jwks-uri: .* is not an https URI/,
    ],
    [
      'fapi2 with HS256',
      ['--profile', 'fapi2', '--jwks', 'PUBLIC', '--id-token-alg', 'HS256'],
      /^error: --id-token-alg: a fapi2 client/,
    ],
    [
      'signed request objects without keys',
      ['--require-signed-request-object'],
      /^error: --require-signed-request-object needs the client keys/,
    ],
  ];
  for (const [name, options, message] of refusals) {
    test(`refused with a clear error, nothing written: ${name}`, async () => {
      const argv = options.map((option) =>
        option === 'PRIVATE' ? privateKeys : option === 'PUBLIC' ? publicKeys : option,
      );
      const result = await cli('client', 'add', 'refused', '--redirect-uri', REDIRECT, ...argv);
      assert.equal(result.code, 2);
      assert.match(result.err, message);
      assert.equal(await stored('refused'), undefined);
    });
  }
});

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ACCOUNT_CLIENT_ID } from '../../account/account-client.ts';
import { DASHBOARD_CLIENT_ID } from '../../admin/management-api-identity.ts';
import { hashClientSecret, STORED_SECRET_METADATA } from '../../client-secrets/stored-client-secret.ts';
import { PROVIDER_ROUTES } from '../../oidc/provider-routes.ts';
import { isReservedClientId } from '../../store/clients.ts';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.ts';
import { startTestProvider } from '../../testing/test-provider.ts';
import { runCli } from '../run-cli.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'stepup-cli-client-'));
const env = { STEPUP_DATA_DIR: dataDir };

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (line) => out.push(line), env }, (line) => err.push(line));
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('stepup-idp client add: the provider’s own client ids', () => {
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  test('the account page and dashboard ids are the reserved ones', () => {
    assert.equal(isReservedClientId(ACCOUNT_CLIENT_ID), true);
    assert.equal(isReservedClientId(DASHBOARD_CLIENT_ID), true);
    assert.equal(isReservedClientId('Stepup-Account'), false, 'client ids are case-sensitive');
  });

  const reserved: [string, RegExp][] = [
    ['stepup-account', /^error: client_id "stepup-account" is reserved for the provider's own account page;/],
    [
      'stepup-dashboard',
      /^error: client_id "stepup-dashboard" is reserved for the provider's own dashboard;/,
    ],
  ];
  for (const [clientId, message] of reserved) {
    test(`${clientId} is refused with a clear error and nothing is written`, async () => {
      const result = await cli(
        'client',
        'add',
        clientId,
        '--public',
        '--redirect-uri',
        'https://attacker.example/callback',
      );
      assert.equal(result.code, 2);
      assert.match(result.err, message);
      assert.equal(result.out, '');
      const store = await openSqliteStore({ dataDir });
      try {
        assert.deepEqual(await store.clients.list(), []);
      } finally {
        await store.close();
      }
    });
  }

  test('any other id is registered', async () => {
    const result = await cli(
      'client',
      'add',
      'stepup-accounts',
      '--public',
      '--redirect-uri',
      'https://a.example/cb',
    );
    assert.equal(result.code, 0, result.err);
    const store = await openSqliteStore({ dataDir });
    try {
      assert.deepEqual(
        (await store.clients.list()).map((client) => client.client_id),
        ['stepup-accounts'],
      );
    } finally {
      await store.close();
    }
  });
});

describe('stepup-idp client add: secrets', () => {
  const secretsDir = mkdtempSync(join(tmpdir(), 'stepup-cli-secret-'));
  const run = async (...argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(
      argv,
      { out: (line) => out.push(line), env: { STEPUP_DATA_DIR: secretsDir } },
      (line) => err.push(line),
    );
    return { code, out: out.join('\n'), err: err.join('\n') };
  };
  const stored = async (clientId: string) => {
    const store = await openSqliteStore({ dataDir: secretsDir });
    try {
      return await store.clients.find(clientId);
    } finally {
      await store.close();
    }
  };
  after(() => rmSync(secretsDir, { recursive: true, force: true }));

  test('without --secret a secret of 32 random bytes is generated, printed once and stored as its digest', async () => {
    const result = await run('client', 'add', 'batch', '--grant', 'client_credentials');
    assert.equal(result.code, 0, result.err);
    const secret = /^client_secret: ([A-Za-z0-9_-]{43})$/m.exec(result.out)?.[1];
    assert.ok(secret, result.out);
    assert.equal(Buffer.from(secret, 'base64url').length, 32);
    const client = await stored('batch');
    assert.deepEqual(client?.[STORED_SECRET_METADATA], { sha256: hashClientSecret(secret) });
    assert.equal(client?.client_secret, undefined);
  });

  test('a strong --secret is not printed and rests sealed for HS256', async () => {
    const secret = 'Q3f8Lk1Zr6Tn0Wb5Yc9Hv2Mx7Ps4Dj1Gu8Ea3Io6Ks0';
    const result = await run(
      'client',
      'add',
      'hs',
      '--secret',
      secret,
      '--redirect-uri',
      'https://hs.example/cb',
      '--id-token-alg',
      'HS256',
    );
    assert.equal(result.code, 0, result.err);
    assert.equal(result.out.includes(secret), false);
    const client = await stored('hs');
    assert.deepEqual(Object.keys(client?.[STORED_SECRET_METADATA] ?? {}), ['sealed']);
    assert.equal(JSON.stringify(client).includes(secret), false);
  });

  for (const [name, secret] of [
    ['abc', 'abc'],
    ['42 base64url characters', 'Q3f8Lk1Zr6Tn0Wb5Yc9Hv2Mx7Ps4Dj1Gu8Ea3Io6Ks'],
    ['a passphrase', 'correct horse battery staple and some more words'],
  ] as const) {
    test(`--secret ${name} is refused, saying how to make one, and nothing is written`, async () => {
      const result = await run(
        'client',
        'add',
        'weak',
        '--secret',
        secret,
        '--redirect-uri',
        'https://w.example/cb',
      );
      assert.equal(result.code, 2);
      assert.match(
        result.err,
        /^error: --secret: .*at least 43 base64url or 64 hex characters; generate one with `openssl rand -hex 32`/,
      );
      assert.equal(await stored('weak'), undefined);
    });
  }
});

describe('stepup-idp client add: the README’s machine client, with the secret the command printed', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'stepup-cli-readme-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  test('the printed secret, sent as `curl -u id:secret` sends it (not form-encoded), gets a token; it is printed once', async () => {
    const out: string[] = [];
    const code = await runCli(
      [
        ...['client', 'add', 'reporting', '--grant', 'client_credentials'],
        ...['--api', 'http://localhost/api/v1', '--scopes', 'read:users'],
      ],
      { out: (line) => out.push(line), env: { STEPUP_DATA_DIR: dataDir } },
      () => {},
    );
    assert.equal(code, 0);
    const printed = out.filter((line) => line.startsWith('client_secret: '));
    assert.equal(printed.length, 1, out.join('\n'));
    const secret = printed[0]?.slice('client_secret: '.length) ?? '';
    // base64url: nothing that Basic authentication's form-encoding (RFC 6749 2.3.1) would change.
    assert.equal(encodeURIComponent(secret), secret);

    const idp = await startTestProvider({ dataDir });
    try {
      const tokenRequest = (password: string) =>
        fetch(new URL(PROVIDER_ROUTES.token, idp.issuer), {
          method: 'POST',
          headers: {
            authorization: `Basic ${Buffer.from(`reporting:${password}`).toString('base64')}`,
            'content-type': 'application/x-www-form-urlencoded',
          },
          body: new URLSearchParams({ grant_type: 'client_credentials' }),
        });
      const granted = await tokenRequest(secret);
      assert.equal(granted.status, 200);
      assert.equal(((await granted.json()) as { token_type?: string }).token_type, 'Bearer');
      const refused = await tokenRequest(`${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}`);
      assert.equal(refused.status, 401);
      assert.equal(((await refused.json()) as { error?: string }).error, 'invalid_client');
    } finally {
      await idp.close({ removeData: false });
    }
  });
});

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { openSqliteStore } from '../store/sqlite/sqlite-store.ts';
import { runCli } from './run-cli.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'stepup-cli-'));
const env = { STEPUP_DATA_DIR: dataDir };

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (line) => out.push(line), env }, (line) => err.push(line));
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('stepup-idp', () => {
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  test('user add, client add and totp import write to the data folder', async () => {
    assert.equal(
      (await cli('user', 'add', 'carol', '--password', 'carol password', '--email', 'carol@example.com'))
        .code,
      0,
    );
    const client = await cli(
      'client',
      'add',
      'payroll',
      '--secret',
      '4f9a1c3e8b7d2f6a0e5c9b1d7a3f8e2c6b0d4a9f1e7c3b5d8a2f6e0c4b9d1a7f',
      '--redirect-uri',
      'https://payroll.example.com/callback',
      '--id-token-alg',
      'HS256',
    );
    assert.equal(client.code, 0, client.err);
    assert.equal((await cli('totp', 'import', 'carol', 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP')).code, 0);

    const store = await openSqliteStore({ dataDir });
    try {
      const carol = await store.users.findByLogin('carol@example.com');
      assert.equal(carol?.username, 'carol');
      assert.notEqual(carol?.passwordHash, 'carol password');
      assert.match(carol?.passwordHash ?? '', /^\$argon2id\$/);
      const payroll = await store.clients.find('payroll');
      assert.deepEqual(payroll?.redirect_uris, ['https://payroll.example.com/callback']);
      assert.equal(payroll?.id_token_signed_response_alg, 'HS256');
      assert.equal((await store.factors.listForUser(carol?.id ?? '')).length, 1);
    } finally {
      await store.close();
    }
  });

  const refused: [string, string[], RegExp][] = [
    ['a duplicate user', ['user', 'add', 'carol', '--password', 'another password'], /already exists/],
    [
      'a short password',
      ['user', 'add', 'dave', '--password', 'short'],
      /--password: Use at least 8 characters/,
    ],
    [
      'a common password',
      ['user', 'add', 'dave', '--password', 'password'],
      /--password: .*common and leaked/,
    ],
    [
      'the email as password',
      ['user', 'add', 'dave', '--email', 'dave@example.com', '--password', 'dave@example.com'],
      /username or email/,
    ],
    ['a missing password', ['user', 'add', 'dave'], /--password is required/],
    ['an unknown option', ['user', 'add', 'dave', '--pasword', 'x'], /pasword/],
    [
      'an http redirect off localhost',
      ['client', 'add', 'x', '--secret', 's', '--redirect-uri', 'http://x.example/cb'],
      /https/,
    ],
    [
      'a redirect with a fragment',
      ['client', 'add', 'x', '--secret', 's', '--redirect-uri', 'https://x.example/cb#f'],
      /fragment/,
    ],
    [
      'an unknown algorithm',
      [
        'client',
        'add',
        'x',
        '--secret',
        's',
        '--redirect-uri',
        'https://x.example/cb',
        '--id-token-alg',
        'none',
      ],
      /RS256, ES256, EdDSA, HS256/,
    ],
    [
      'HS256 with a short secret',
      [
        'client',
        'add',
        'x',
        '--secret',
        'short',
        '--redirect-uri',
        'https://x.example/cb',
        '--id-token-alg',
        'HS256',
      ],
      /--secret: the secret has 5 base64url characters, fewer than 43: .*openssl rand -hex 32/,
    ],
    [
      'both a secret and --public',
      ['client', 'add', 'x', '--secret', 's', '--public', '--redirect-uri', 'https://x.example/cb'],
      /either/,
    ],
    ['a TOTP secret that is not base32', ['totp', 'import', 'carol', 'not-base32!'], /base32/],
    ['a TOTP secret that is too short', ['totp', 'import', 'carol', 'JBSWY3DP'], /128 bits/],
    ['TOTP for an unknown user', ['totp', 'import', 'nobody', 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP'], /no user/],
    ['an unknown command', ['user', 'remove', 'carol'], /unknown command/],
  ];
  for (const [name, argv, message] of refused) {
    test(`refuses ${name} with exit code 2 and a clear message`, async () => {
      const result = await cli(...argv);
      assert.equal(result.code, 2);
      assert.match(result.err, message);
    });
  }

  test('--help on every command prints its usage', async () => {
    for (const words of [['start'], ['user', 'add'], ['client', 'add'], ['totp', 'import']]) {
      const result = await cli(...words, '--help');
      assert.equal(result.code, 0);
      assert.match(result.out, /usage: stepup-idp/);
    }
  });
});

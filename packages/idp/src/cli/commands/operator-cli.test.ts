import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { hashClientSecret } from '../../client-secrets/stored-client-secret.ts';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.ts';
import { runCli } from '../run-cli.ts';

const REPORTING_SECRET = 'c2f0e9a7b4d1836f5e2a9c0b7d4e1f8a3b6c9d2e5f8a1b4c7d0e3f6a9b2c5d8e';

const dataDir = mkdtempSync(join(tmpdir(), 'stepup-cli-operator-'));
const env = { STEPUP_DATA_DIR: dataDir };

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (line) => out.push(line), env }, (line) => err.push(line));
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('stepup-idp: the first operator and machine clients', () => {
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  test('user add --admin creates an operator; without it, no role', async () => {
    assert.equal((await cli('user', 'add', 'root', '--password', 'operator pass 1', '--admin')).code, 0);
    assert.equal((await cli('user', 'add', 'plain', '--password', 'operator pass 2')).code, 0);
    const store = await openSqliteStore({ dataDir });
    try {
      const root = await store.users.findByLogin('root');
      const plain = await store.users.findByLogin('plain');
      assert.deepEqual((await store.userManagement.find(root?.id ?? ''))?.roles, ['admin']);
      assert.deepEqual((await store.userManagement.find(plain?.id ?? ''))?.roles, []);
    } finally {
      await store.close();
    }
  });

  test('client add --grant client_credentials --scopes registers a machine client without redirect URIs', async () => {
    const result = await cli(
      'client',
      'add',
      'reporting',
      '--secret',
      REPORTING_SECRET,
      '--grant',
      'client_credentials',
      '--api',
      'https://idp.example/api/v1',
      '--scopes',
      'read:users  read:audit',
    );
    assert.equal(result.code, 0, result.err);
    const store = await openSqliteStore({ dataDir });
    try {
      assert.deepEqual(await store.clients.find('reporting'), {
        client_id: 'reporting',
        stepup_client_secret: { sha256: hashClientSecret(REPORTING_SECRET) },
        redirect_uris: [],
        post_logout_redirect_uris: [],
        grant_types: ['client_credentials'],
        response_types: [],
        id_token_signed_response_alg: 'RS256',
        stepup_allowed_scopes: { 'https://idp.example/api/v1': ['read:users', 'read:audit'] },
      });
    } finally {
      await store.close();
    }
  });

  const refused: [string, string[], RegExp][] = [
    [
      'a public machine client',
      ['client', 'add', 'm', '--public', '--grant', 'client_credentials'],
      /needs a secret/,
    ],
    ['an unknown grant', ['client', 'add', 'm', '--secret', 's', '--grant', 'password'], /not one of/],
    [
      'scopes without the API they are for',
      ['client', 'add', 'm', '--secret', 's', '--grant', 'client_credentials', '--scopes', 'read:users'],
      /--api/,
    ],
    [
      'a bad scope',
      ['client', 'add', 'm', '--secret', 's', '--grant', 'client_credentials', '--scopes', 'a"b'],
      /scope token/,
    ],
    ['a code-flow client without redirect URI', ['client', 'add', 'm', '--secret', 's'], /--redirect-uri/],
  ];
  for (const [name, argv, message] of refused) {
    test(`refuses ${name} with exit code 2`, async () => {
      const result = await cli(...argv);
      assert.equal(result.code, 2);
      assert.match(result.err, message);
    });
  }
});

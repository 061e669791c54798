import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.ts';
import { runCli } from '../run-cli.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'stepup-cli-api-'));
const env = { STEPUP_DATA_DIR: dataDir };

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (line) => out.push(line), env }, (line) => err.push(line));
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('stepup-idp api add', () => {
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  test('registers an API with its scopes, lifetime and algorithm, and updates it', async () => {
    const first = await cli('api', 'add', 'https://payroll.example/api', '--scope', 'payroll:read');
    assert.equal(first.code, 0, first.err);
    const second = await cli(
      'api',
      'add',
      'https://payroll.example/api',
      '--scope',
      'payroll:read',
      '--scope',
      'payroll:write',
      '--access-token-ttl',
      '120',
      '--alg',
      'ES256',
    );
    assert.equal(second.code, 0, second.err);
    const store = await openSqliteStore({ dataDir });
    try {
      assert.deepEqual(await store.resourceServers.list(), [
        {
          identifier: 'https://payroll.example/api',
          scopes: ['payroll:read', 'payroll:write'],
          accessTokenTtl: 120,
          signingAlg: 'ES256',
        },
      ]);
    } finally {
      await store.close();
    }
  });

  const refused: [string, string[], RegExp][] = [
    ['a relative identifier', ['api', 'add', '/api', '--scope', 'a'], /absolute URI/],
    ['an identifier with a fragment', ['api', 'add', 'https://x.example/#f', '--scope', 'a'], /fragment/],
    ['plain http off localhost', ['api', 'add', 'http://x.example', '--scope', 'a'], /https/],
    ['no scope', ['api', 'add', 'https://x.example'], /--scope/],
    ['an OIDC scope', ['api', 'add', 'https://x.example', '--scope', 'openid'], /reserved/],
    ['a scope with a space', ['api', 'add', 'https://x.example', '--scope', 'a b'], /scope token/],
    ['HS256', ['api', 'add', 'https://x.example', '--scope', 'a', '--alg', 'HS256'], /RS256, ES256, EdDSA/],
    [
      'a zero lifetime',
      ['api', 'add', 'https://x.example', '--scope', 'a', '--access-token-ttl', '0'],
      /positive/,
    ],
  ];
  for (const [name, argv, message] of refused) {
    test(`refuses ${name} with exit code 2`, async () => {
      const result = await cli(...argv);
      assert.equal(result.code, 2);
      assert.match(result.err, message);
    });
  }
});

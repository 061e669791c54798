import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ACCOUNT_CLIENT_ID } from '../../account/account-client.ts';
import { DASHBOARD_CLIENT_ID } from '../../admin/management-api-identity.ts';
import { isReservedClientId } from '../../store/clients.ts';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.ts';
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

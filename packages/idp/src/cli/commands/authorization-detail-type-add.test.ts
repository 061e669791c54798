import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { SALARY_PAYOUT_ACCOUNT } from '../../authorization-details/testing/salary-payout-account-type.ts';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.ts';
import { runCli } from '../run-cli.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'stepup-cli-rar-'));
const env = { STEPUP_DATA_DIR: dataDir };

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (line) => out.push(line), env }, (line) => err.push(line));
  return { code, out: out.join('\n'), err: err.join('\n') };
}

function typeFile(name: string, content: unknown): string {
  const path = join(dataDir, name);
  writeFileSync(path, JSON.stringify(content));
  return path;
}

const FILE_CONTENT = {
  type: SALARY_PAYOUT_ACCOUNT.type,
  description: SALARY_PAYOUT_ACCOUNT.description,
  schema: SALARY_PAYOUT_ACCOUNT.schema,
  display_fields: SALARY_PAYOUT_ACCOUNT.displayFields,
};

describe('stepup-idp authorization-detail-type add', () => {
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  test('registers the type the file describes', async () => {
    const added = await cli('authorization-detail-type', 'add', typeFile('payout.json', FILE_CONTENT));
    assert.equal(added.code, 0, added.err);
    assert.equal(
      added.out,
      'registered authorization detail type salary_payout_account (shows iban, holder)',
    );
    const store = await openSqliteStore({ dataDir });
    try {
      assert.deepEqual(await store.authorizationDetailTypes.list(), [SALARY_PAYOUT_ACCOUNT]);
    } finally {
      await store.close();
    }
  });

  test('a type whose displayed field the schema does not require is refused and nothing changes', async () => {
    const hidden = { ...FILE_CONTENT, type: 'other', display_fields: [{ field: 'amount', label: 'amount' }] };
    const refused = await cli('authorization-detail-type', 'add', typeFile('hidden.json', hidden));
    assert.equal(refused.code, 2, refused.err);
    assert.match(refused.err, /display_fields: the schema must require "amount"/);
    const store = await openSqliteStore({ dataDir });
    try {
      assert.equal(await store.authorizationDetailTypes.find('other'), undefined);
    } finally {
      await store.close();
    }
  });
});

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import pg from 'pg';
import { storeMigrations } from '../../store/sql/migrations/store-migrations.ts';
import { createPostgresTestDatabase } from '../../testing/postgres-test-database.ts';
import { runCli } from '../run-cli.ts';

const created = await createPostgresTestDatabase();
after(() => created.database?.drop());

async function cli(env: NodeJS.ProcessEnv, ...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (line) => out.push(line), env }, (line) => err.push(line));
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('stepup-idp migrate', () => {
  test('on SQLite: creates the database in the data folder', async (t) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'stepup-migrate-'));
    t.after(() => rmSync(dataDir, { recursive: true, force: true }));
    assert.deepEqual(await cli({ STEPUP_DATA_DIR: dataDir }, 'migrate'), {
      code: 0,
      out: `SQLite database in ${dataDir}: schema up to date`,
      err: '',
    });
  });

  test('on PostgreSQL: applies every step once, then has nothing to do', {
    skip: created.skip ?? false,
  }, async (t) => {
    const url = created.database?.url ?? '';
    const { names } = storeMigrations('postgres');
    const latest = names.at(-1);
    assert.deepEqual(await cli({ STEPUP_DATABASE_URL: url }, 'migrate'), {
      code: 0,
      out: `PostgreSQL: schema migrated to ${latest} (applied ${names.join(', ')})`,
      err: '',
    });
    assert.deepEqual(await cli({ STEPUP_DATABASE_URL: url }, 'migrate'), {
      code: 0,
      out: `PostgreSQL: schema already up to date (${latest})`,
      err: '',
    });
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    t.after(() => client.end());
    const { rows } = await client.query('SELECT name FROM kysely_migration ORDER BY name');
    assert.deepEqual(
      rows.map((row) => row.name),
      names,
    );
  });

  test('a URL that is not PostgreSQL is refused, naming the variable', async () => {
    const result = await cli({ STEPUP_DATABASE_URL: 'mysql://db.example/stepup' }, 'migrate');
    assert.equal(result.code, 2);
    assert.match(
      result.err,
      /^error: Invalid setting STEPUP_DATABASE_URL: use a postgres:\/\/ or postgresql:\/\/ URL/,
    );
  });

  test('a pool size that is not a number is refused, naming the variable', async () => {
    const result = await cli(
      { STEPUP_DATABASE_URL: 'postgres://postgres@127.0.0.1/x', STEPUP_DATABASE_POOL_MAX: 'many' },
      'migrate',
    );
    assert.equal(result.code, 2);
    assert.match(result.err, /^error: Invalid setting STEPUP_DATABASE_POOL_MAX:/);
  });
});

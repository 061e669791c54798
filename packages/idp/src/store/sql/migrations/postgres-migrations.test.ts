import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, describe, type TestContext, test } from 'node:test';
import pg from 'pg';
import {
  createPostgresTestDatabase,
  type PostgresTestDatabase,
} from '../../../testing/postgres-test-database.ts';
import { postgresSchemaSnapshot, TABLES_ADDED_AFTER_BASELINE } from '../../../testing/sql-schema-snapshot.ts';
import { openPostgresStore } from '../../postgres/postgres-store.ts';
import { LEGACY_LATEST_VERSION } from './legacy-schema.ts';
import { SchemaVersionError } from './schema-version-error.ts';
import { storeMigrations } from './store-migrations.ts';
import { assertLegacyRowsIntact } from './testing/assert-legacy-rows.ts';

/** Schema and rows of a database the last release before the migration list made (see README.md). */
const LEGACY_FIXTURE = readFileSync(new URL('./testing/legacy-postgres-v5.sql', import.meta.url), 'utf8');

const created = await createPostgresTestDatabase();
const skip = created.skip ?? false;
const databases: PostgresTestDatabase[] = [];
after(async () => {
  for (const database of databases) await database.drop();
});

async function freshDatabase(): Promise<string> {
  const next = databases.length === 0 && created.database ? created : await createPostgresTestDatabase();
  if (next.database === undefined) throw new Error(next.skip);
  databases.push(next.database);
  return next.database.url;
}

async function connect(t: TestContext, url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  t.after(() => client.end());
  return client;
}

/** A database holding the legacy fixture, restored on a connection of its own (it empties search_path). */
async function legacyDatabase(): Promise<string> {
  const url = await freshDatabase();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(LEGACY_FIXTURE);
  } finally {
    await client.end();
  }
  return url;
}

function open(url: string) {
  return openPostgresStore({
    connectionString: url,
    poolMax: 2,
    connectionTimeoutMs: 3000,
    statementTimeoutMs: 5000,
  });
}

async function appliedMigrations(client: pg.Client): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>('SELECT name FROM kysely_migration ORDER BY name');
  return rows.map((row) => row.name);
}

/** Compared with the last release before the migration list: the tables added since are left out. */
const baseline = { withoutTables: TABLES_ADDED_AFTER_BASELINE };

describe('postgresql: one migration list', { skip }, () => {
  test('a fresh database gets the schema the last release made', async (t) => {
    const reference = await postgresSchemaSnapshot(await connect(t, await legacyDatabase()), baseline);
    const url = await freshDatabase();
    await (await open(url)).close();
    const client = await connect(t, url);
    assert.deepEqual(await postgresSchemaSnapshot(client, baseline), reference);
    assert.deepEqual(await appliedMigrations(client), storeMigrations('postgres').names);
    const { rows } = await client.query<{ name: string }>(
      'SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ANY($1)',
      [TABLES_ADDED_AFTER_BASELINE],
    );
    assert.deepEqual(rows.map((row) => row.name).sort(), [...TABLES_ADDED_AFTER_BASELINE].sort());
  });

  test('a database the last release made opens in place: rows intact, repositories at work', async (t) => {
    const url = await legacyDatabase();
    const client = await connect(t, url);
    const before = await postgresSchemaSnapshot(client, baseline);

    const store = await open(url);
    try {
      assert.deepEqual(store.migration.applied, storeMigrations('postgres').names);
      await assertLegacyRowsIntact(store);
    } finally {
      await store.close();
    }
    assert.deepEqual(await postgresSchemaSnapshot(client, baseline), before);
    assert.deepEqual(await appliedMigrations(client), storeMigrations('postgres').names);
    // The release before refuses the database as newer than it understands.
    const { rows } = await client.query('SELECT MAX(version) AS version FROM schema_migrations');
    assert.equal(rows[0].version, LEGACY_LATEST_VERSION.postgres + 1);
    await assert.rejects(
      client.query(`UPDATE push_challenges SET denial_reason = NULL WHERE id = 'c1'`),
      /push_challenges_denial_reason_with_denied/,
      'a denial still says why',
    );
  });

  test('a database a newer build migrated is refused before anything runs, and left as it was', async (t) => {
    const url = await freshDatabase();
    await (await open(url)).close();
    const client = await connect(t, url);
    await client.query(
      `INSERT INTO kysely_migration (name, timestamp) VALUES ('9999-from-a-newer-build', $1)`,
      [new Date(0).toISOString()],
    );
    const before = await postgresSchemaSnapshot(client, baseline);

    await assert.rejects(
      open(url),
      (error) => error instanceof SchemaVersionError && error.code === 'schema_newer_than_code',
    );
    assert.deepEqual(await postgresSchemaSnapshot(client, baseline), before);
    assert.deepEqual(await appliedMigrations(client), [
      ...storeMigrations('postgres').names,
      '9999-from-a-newer-build',
    ]);
  });

  test('a database an older release left behind the baseline is refused, naming the release to go through', async (t) => {
    const url = await legacyDatabase();
    const client = await connect(t, url);
    await client.query('DELETE FROM schema_migrations WHERE version = $1', [LEGACY_LATEST_VERSION.postgres]);

    await assert.rejects(
      open(url),
      (error) => error instanceof SchemaVersionError && error.code === 'legacy_schema_too_old',
    );
    const { rows } = await client.query(
      `SELECT to_regclass('kysely_migration') IS NULL AS untouched, MAX(version) AS version FROM schema_migrations`,
    );
    assert.deepEqual(rows[0], { untouched: true, version: LEGACY_LATEST_VERSION.postgres - 1 });
  });

  test('two nodes starting together: one applies the migrations, the other waits and finds them applied', async (t) => {
    const url = await freshDatabase();
    const stores = await Promise.all([open(url), open(url)]);
    t.after(() => Promise.all(stores.map((store) => store.close())));
    assert.deepEqual(stores.map((store) => store.migration.applied).sort(), [
      [],
      storeMigrations('postgres').names,
    ]);
    assert.deepEqual(await appliedMigrations(await connect(t, url)), storeMigrations('postgres').names);
  });
});

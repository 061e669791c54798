import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { sql } from 'kysely';
import { createPostgresTestDatabase } from '../../testing/postgres-test-database.ts';
import { createPostgresPool } from '../postgres/postgres-pool.ts';
import { createPostgresSqlDatabase } from '../postgres/postgres-sql-database.ts';
import { createSqliteSqlDatabase } from '../sqlite/sqlite-sql-database.ts';
import type { SqlDatabase } from './sql-database.ts';
import { readBoolean, writeBoolean, writeJson } from './sql-dialect.ts';

/** Two tables of the store's schema, enough to exercise what every repository relies on. */
const TABLES = {
  sqlite: [
    'CREATE TABLE keys (name TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT',
    'CREATE TABLE clients (client_id TEXT PRIMARY KEY, metadata TEXT NOT NULL) STRICT',
    'CREATE TABLE actions (id TEXT PRIMARY KEY, name TEXT NOT NULL, trigger TEXT NOT NULL, enabled INTEGER NOT NULL, position INTEGER NOT NULL, version INTEGER NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL) STRICT',
  ],
  postgres: [
    'CREATE TABLE keys (name TEXT PRIMARY KEY, value TEXT NOT NULL)',
    'CREATE TABLE clients (client_id TEXT PRIMARY KEY, metadata JSON NOT NULL)',
    'CREATE TABLE actions (id TEXT PRIMARY KEY, name TEXT NOT NULL, trigger TEXT NOT NULL, enabled BOOLEAN NOT NULL, position INTEGER NOT NULL, version INTEGER NOT NULL, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)',
  ],
};

async function withTables(db: SqlDatabase): Promise<SqlDatabase> {
  for (const statement of TABLES[db.dialect.engine]) await sql.raw(statement).execute(db.kysely);
  return db;
}

const created = await createPostgresTestDatabase();
after(() => created.database?.drop());

const engines: { name: string; skip: string | false; open: () => Promise<SqlDatabase> }[] = [
  {
    name: 'sqlite',
    skip: false,
    open: () => withTables(createSqliteSqlDatabase(new Database(':memory:'))),
  },
  {
    name: 'postgresql',
    skip: created.skip ?? false,
    async open() {
      const url = created.database?.url ?? '';
      const pool = createPostgresPool({
        connectionString: url,
        poolMax: 4,
        connectionTimeoutMs: 3000,
        statementTimeoutMs: 5000,
      });
      const db = createPostgresSqlDatabase(pool);
      for (const table of ['keys', 'clients', 'actions']) {
        await sql`DROP TABLE IF EXISTS ${sql.table(table)}`.execute(db.kysely);
      }
      return withTables(db);
    },
  },
];

for (const engine of engines) {
  describe(`sql database on ${engine.name}`, { skip: engine.skip, concurrency: false }, () => {
    test('a second row with the same key is a StoreConflictError', async (t) => {
      const db = await engine.open();
      t.after(() => db.close());
      await db.kysely.insertInto('keys').values({ name: 'a', value: '1' }).execute();
      await assert.rejects(db.kysely.insertInto('keys').values({ name: 'a', value: '2' }).execute(), {
        name: 'StoreConflictError',
        code: 'conflict',
      });
    });

    test('a closed database rejects queries and transactions with code unavailable', async () => {
      const db = await engine.open();
      await db.close();
      await db.close();
      await assert.rejects(db.kysely.selectFrom('keys').selectAll().execute(), {
        name: 'StoreError',
        code: 'unavailable',
      });
      await assert.rejects(
        db.kysely.transaction().execute(() => Promise.resolve()),
        { code: 'unavailable' },
      );
    });

    test('a transaction whose work throws leaves nothing written, and its error passes unchanged', async (t) => {
      const db = await engine.open();
      t.after(() => db.close());
      const failure = new Error('audit write failed');
      await assert.rejects(
        db.kysely.transaction().execute(async (trx) => {
          await trx.insertInto('keys').values({ name: 'a', value: '1' }).execute();
          throw failure;
        }),
        (error) => error === failure,
      );
      assert.deepEqual(await db.kysely.selectFrom('keys').selectAll().execute(), []);
    });

    test('concurrent read-then-write transactions do not lose an update', async (t) => {
      const db = await engine.open();
      t.after(() => db.close());
      await db.kysely.insertInto('keys').values({ name: 'counter', value: '0' }).execute();
      const increment = () =>
        db.kysely.transaction().execute(async (trx) => {
          const row = await db.dialect
            .lockForUpdate(trx.selectFrom('keys').select('value').where('name', '=', 'counter'))
            .executeTakeFirstOrThrow();
          await trx
            .updateTable('keys')
            .set({ value: String(Number(row.value) + 1) })
            .where('name', '=', 'counter')
            .execute();
        });
      await Promise.all(Array.from({ length: 8 }, increment));
      const row = await db.kysely
        .selectFrom('keys')
        .select('value')
        .where('name', '=', 'counter')
        .executeTakeFirstOrThrow();
      assert.equal(row.value, '8');
    });

    test('text sorts in byte order', async (t) => {
      const db = await engine.open();
      t.after(() => db.close());
      const names = ['b', 'B', '\u00e9', 'a', 'Z', '_'];
      await db.kysely
        .insertInto('keys')
        .values(names.map((name) => ({ name, value: '' })))
        .execute();
      const rows = await db.kysely
        .selectFrom('keys')
        .select('name')
        .orderBy(db.dialect.inByteOrder('name'))
        .execute();
      assert.deepEqual(
        rows.map((row) => row.name),
        ['B', 'Z', '_', 'a', 'b', '\u00e9'],
      );
    });

    test('JSON and booleans read back as written', async (t) => {
      const db = await engine.open();
      t.after(() => db.close());
      const metadata = { redirect_uris: ['https://rp.example/cb'], 'x"y': '\u00e9' };
      await db.kysely
        .insertInto('clients')
        .values({ client_id: 'rp', metadata: writeJson(metadata) })
        .execute();
      const client = await db.kysely.selectFrom('clients').select('metadata').executeTakeFirstOrThrow();
      assert.deepEqual(db.dialect.readJson(client.metadata), metadata);

      const action = {
        name: 'a',
        trigger: 'post-login',
        position: 1,
        version: 1,
        created_at: 1,
        updated_at: 1,
      };
      await db.kysely
        .insertInto('actions')
        .values([
          { id: 'on', enabled: writeBoolean(true), ...action },
          { id: 'off', enabled: writeBoolean(false), ...action, name: 'b' },
        ])
        .execute();
      const enabled = await db.kysely.selectFrom('actions').select(['id', 'enabled']).orderBy('id').execute();
      assert.deepEqual(
        enabled.map((row) => [row.id, readBoolean(row.enabled)]),
        [
          ['off', false],
          ['on', true],
        ],
      );
      const onlyEnabled = await db.kysely
        .selectFrom('actions')
        .select('id')
        .where('enabled', '=', writeBoolean(true))
        .execute();
      assert.deepEqual(onlyEnabled, [{ id: 'on' }]);
    });
  });
}

test('a PostgreSQL server that cannot be reached rejects with code unavailable', async (t) => {
  // Port 9 (discard) has no PostgreSQL listening: the connection is refused at once.
  const pool = createPostgresPool({
    connectionString: 'postgres://postgres@127.0.0.1:9/none',
    poolMax: 1,
    connectionTimeoutMs: 1000,
    statementTimeoutMs: 1000,
  });
  const db = createPostgresSqlDatabase(pool);
  t.after(() => db.close());
  await assert.rejects(db.kysely.selectFrom('keys').selectAll().execute(), {
    name: 'StoreUnavailableError',
    code: 'unavailable',
  });
});

import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { sql } from 'kysely';
import { createPostgresTestDatabase } from '../../testing/postgres-test-database.ts';
import { createPostgresPool } from '../postgres/postgres-pool.ts';
import { createPostgresSqlDatabase } from '../postgres/postgres-sql-database.ts';
import { createSqliteSqlDatabase } from '../sqlite/sqlite-sql-database.ts';
import type { SqlDatabase } from './sql-database.ts';

/** A table listed by creation as the store's are: `rowid` on SQLite, a `seq` column on PostgreSQL. */
const TABLE = {
  sqlite: 'CREATE TABLE keys (name TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT',
  postgres:
    'CREATE TABLE keys (name TEXT PRIMARY KEY, seq BIGINT GENERATED ALWAYS AS IDENTITY, value TEXT NOT NULL)',
};

const created = await createPostgresTestDatabase();
after(() => created.database?.drop());

const engines: { name: string; skip: string | false; open: () => Promise<SqlDatabase> }[] = [
  { name: 'sqlite', skip: false, open: async () => createSqliteSqlDatabase(new Database(':memory:')) },
  {
    name: 'postgresql',
    skip: created.skip ?? false,
    async open() {
      const pool = createPostgresPool({
        connectionString: created.database?.url ?? '',
        poolMax: 8,
        connectionTimeoutMs: 3000,
        statementTimeoutMs: 5000,
      });
      const db = createPostgresSqlDatabase(pool);
      await sql`DROP TABLE IF EXISTS keys`.execute(db.kysely);
      return db;
    },
  },
];

for (const engine of engines) {
  describe(`sql dialect on ${engine.name}`, { skip: engine.skip, concurrency: false }, () => {
    async function openWithTable() {
      const db = await engine.open();
      await sql.raw(TABLE[db.dialect.engine]).execute(db.kysely);
      return db;
    }

    test('insertionOrder lists rows in the order they were inserted, whatever their key', async (t) => {
      const db = await openWithTable();
      t.after(() => db.close());
      const names = ['m', 'a', 'z', 'b'];
      for (const name of names) await db.kysely.insertInto('keys').values({ name, value: '' }).execute();
      const ascending = await db.kysely
        .selectFrom('keys')
        .select('name')
        .orderBy(db.dialect.insertionOrder)
        .execute();
      assert.deepEqual(
        ascending.map((row) => row.name),
        names,
      );
      const latest = await db.kysely
        .selectFrom('keys')
        .select('name')
        .orderBy(db.dialect.insertionOrder, 'desc')
        .limit(1)
        .executeTakeFirst();
      assert.equal(latest?.name, 'b');
    });

    test('takeTurns: writers that decide on rows not yet inserted never collide', async (t) => {
      const db = await openWithTable();
      t.after(() => db.close());
      // Each writer names its row after how many there are, as a deploy places a new Action last:
      // without turns, two would count the same rows and insert the same name.
      const writeNext = () =>
        db.kysely.transaction().execute(async (trx) => {
          await db.dialect.takeTurns(trx, 42);
          const { count } = await trx
            .selectFrom('keys')
            .select((eb) => eb.fn.countAll<number>().as('count'))
            .executeTakeFirstOrThrow();
          await trx
            .insertInto('keys')
            .values({ name: `row ${Number(count)}`, value: '' })
            .execute();
        });
      await Promise.all(Array.from({ length: 8 }, writeNext));
      const rows = await db.kysely
        .selectFrom('keys')
        .select('name')
        .orderBy(db.dialect.insertionOrder)
        .execute();
      assert.deepEqual(
        rows.map((row) => row.name),
        Array.from({ length: 8 }, (_, n) => `row ${n}`),
      );
    });
  });
}

import assert from 'node:assert/strict';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { sql } from 'kysely';
import { createSqliteSqlDatabase } from '../sqlite/sqlite-sql-database.ts';
import { prepareQuery } from './prepared-query.ts';

test('a prepared query runs with the values of each call and keeps the constants it was built with', async (t) => {
  const db = createSqliteSqlDatabase(new Database(':memory:'));
  t.after(() => db.close());
  await sql`CREATE TABLE keys (name TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT`.execute(db.kysely);
  await db.kysely
    .insertInto('keys')
    .values([
      { name: 'a', value: 'x' },
      { name: 'b', value: 'x' },
      { name: 'c', value: 'y' },
    ])
    .execute();
  const find = prepareQuery<{ value: string; after: string }, { name: string }>(db.kysely, (parameter) =>
    db.kysely
      .selectFrom('keys')
      .select('name')
      .where('value', '=', parameter('value'))
      .where('name', '>', parameter('after'))
      .orderBy('name')
      .limit(1),
  );
  assert.deepEqual(await find({ value: 'x', after: '' }), [{ name: 'a' }]);
  assert.deepEqual(await find({ value: 'x', after: 'a' }), [{ name: 'b' }]);
  assert.deepEqual(await find({ value: 'y', after: '' }), [{ name: 'c' }]);
  assert.deepEqual(await find({ value: 'x', after: 'b' }), []);
});

test('a prepared query on a closed database rejects with code unavailable', async () => {
  const db = createSqliteSqlDatabase(new Database(':memory:'));
  const find = prepareQuery<{ name: string }, { value: string }>(db.kysely, (parameter) =>
    db.kysely.selectFrom('keys').select('value').where('name', '=', parameter('name')),
  );
  await db.close();
  await assert.rejects(find({ name: 'a' }), { code: 'unavailable' });
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { sql } from 'kysely';
import { createSqliteSqlDatabase } from '../sqlite/sqlite-sql-database.ts';
import { prepareCommand, prepareQuery } from './prepared-query.ts';

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

test('a prepared command resolves with the number of rows it changed', async (t) => {
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
  const rename = prepareCommand<{ from: string; to: string }>(db.kysely, (parameter) =>
    db.kysely
      .updateTable('keys')
      .set({ value: parameter('to') })
      .where('value', '=', parameter('from')),
  );
  const remove = prepareCommand<{ name: string }>(db.kysely, (parameter) =>
    db.kysely.deleteFrom('keys').where('name', '=', parameter('name')),
  );
  assert.equal(await rename({ from: 'x', to: 'z' }), 2n);
  assert.equal(await rename({ from: 'x', to: 'z' }), 0n);
  assert.equal(await remove({ name: 'c' }), 1n);
  assert.equal(await remove({ name: 'c' }), 0n);
  assert.deepEqual(await db.kysely.selectFrom('keys').selectAll().orderBy('name').execute(), [
    { name: 'a', value: 'z' },
    { name: 'b', value: 'z' },
  ]);
});

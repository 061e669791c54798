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
  const find = prepareQuery<{ value: string; after: string }, { name: string }>(db, (parameter) =>
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
  const find = prepareQuery<{ name: string }, { value: string }>(db, (parameter) =>
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
  const rename = prepareCommand<{ from: string; to: string }>(db, (parameter) =>
    db.kysely
      .updateTable('keys')
      .set({ value: parameter('to') })
      .where('value', '=', parameter('from')),
  );
  const remove = prepareCommand<{ name: string }>(db, (parameter) =>
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

test('a prepared query never runs inside another caller’s transaction: it waits its turn', async (t) => {
  const db = createSqliteSqlDatabase(new Database(':memory:'));
  t.after(() => db.close());
  await sql`CREATE TABLE keys (name TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT`.execute(db.kysely);
  const find = prepareQuery<{ name: string }, { value: string }>(db, (parameter) =>
    db.kysely.selectFrom('keys').select('value').where('name', '=', parameter('name')),
  );
  const insert = prepareCommand<{ name: string }>(db, (parameter) =>
    db.kysely.insertInto('keys').values({ name: parameter('name'), value: 'outside' }),
  );
  let inserted = () => {};
  const insideTransaction = new Promise<void>((resolve) => {
    inserted = resolve;
  });
  let finish = () => {};
  const finishing = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const rolledBack = db.kysely
    .transaction()
    .execute(async (trx) => {
      await trx.insertInto('keys').values({ name: 'uncommitted', value: 'inside' }).execute();
      inserted();
      await finishing;
      throw new Error('roll back');
    })
    .catch(() => 'rolled back');
  await insideTransaction;
  const seen = find({ name: 'uncommitted' });
  const written = insert({ name: 'during' });
  finish();
  assert.equal(await rolledBack, 'rolled back');
  assert.deepEqual(await seen, [], 'the uncommitted row was not seen');
  assert.equal(await written, 1n);
  assert.deepEqual(await find({ name: 'during' }), [{ value: 'outside' }], 'the write outlived the rollback');
  assert.deepEqual(await find({ name: 'uncommitted' }), []);
});

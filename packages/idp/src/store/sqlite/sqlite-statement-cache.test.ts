import assert from 'node:assert/strict';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { cachingStatements } from './sqlite-statement-cache.ts';

test('the same SQL text is prepared once', (t) => {
  const database = new Database(':memory:');
  t.after(() => database.close());
  const statements = cachingStatements(database);
  assert.equal(statements.prepare('SELECT 1'), statements.prepare('SELECT 1'));
  assert.notEqual(statements.prepare('SELECT 1'), statements.prepare('SELECT 2'));
});

test('past the cache size the oldest text is prepared anew, and every statement still answers', (t) => {
  const database = new Database(':memory:');
  t.after(() => database.close());
  const statements = cachingStatements(database);
  const first = statements.prepare('SELECT 0 AS n');
  for (let n = 1; n <= 300; n++) {
    assert.deepEqual(statements.prepare(`SELECT ${n} AS n`).all([]), [{ n }]);
  }
  const again = statements.prepare('SELECT 0 AS n');
  assert.notEqual(again, first);
  assert.deepEqual(again.all([]), [{ n: 0 }]);
});

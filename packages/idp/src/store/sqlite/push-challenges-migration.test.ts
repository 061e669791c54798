import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import Database from 'better-sqlite3';
import { SqlPushChallengesRepository } from '../sql/sql-push-challenges.ts';
import { openSqliteDatabase } from './database.ts';
import { migrations } from './migrations.ts';
import { createSqliteSqlDatabase } from './sqlite-sql-database.ts';

const root = mkdtempSync(join(tmpdir(), 'stepup-push-migration-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** The step that rebuilds push_challenges for `withdrawn` and `denial_reason` (counting from 1). */
const REBUILD_STEP = 11;

test('the push_challenges rebuild keeps every request; a denial from before reads as refused', async () => {
  const file = join(root, 'before.sqlite');
  const before = new Database(file);
  for (const step of migrations.slice(0, REBUILD_STEP - 1)) before.exec(step);
  before.pragma(`user_version = ${REBUILD_STEP - 1}`);
  before.exec(`
    INSERT INTO users (id, username, username_key, password_hash, created_at)
      VALUES ('u1', 'alice', 'alice', 'h', 1);
    INSERT INTO push_challenges
      (id, user_id, interaction_uid, client_id, client_name, ip, number, choices, nonce, status,
       created_at, expires_at, resolved_at, device_id)
    VALUES
      ('c1', 'u1', 'i1', 'salary', 'Salary', '203.0.113.7', 42, '[17,42,88]', 'n1', 'denied', 10, 70, 20, 'd1'),
      ('c2', 'u1', 'i2', 'salary', 'Salary', '203.0.113.7', 17, '[17,42,88]', 'n2', 'open', 10, 70, NULL, NULL);
  `);
  before.close();

  const db = openSqliteDatabase(file);
  const sql = createSqliteSqlDatabase(db);
  try {
    const challenges = new SqlPushChallengesRepository(sql);
    const denied = await challenges.findById('c1');
    assert.deepEqual([denied?.status, denied?.denialReason, denied?.deviceId], ['denied', 'refused', 'd1']);
    assert.deepEqual(
      (await challenges.listPendingForUser('u1', 11)).map((challenge) => challenge.id),
      ['c2'],
    );
    assert.deepEqual(
      (await challenges.withdrawOpen('i2', 12)).map((challenge) => challenge.status),
      ['withdrawn'],
    );
    assert.throws(
      () => db.exec(`UPDATE push_challenges SET denial_reason = NULL WHERE id = 'c1'`),
      /CHECK constraint failed/,
      'a denial always says why',
    );
  } finally {
    await sql.close();
  }
});

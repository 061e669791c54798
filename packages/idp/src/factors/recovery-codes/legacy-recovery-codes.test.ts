import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import pg from 'pg';
import { openPostgresStore } from '../../store/postgres/postgres-store.ts';
import { openSqliteStore, SQLITE_FILE_NAME } from '../../store/sqlite/sqlite-store.ts';
import type { Store } from '../../store/store.ts';
import { createPostgresTestDatabase } from '../../testing/postgres-test-database.ts';
import { isLegacyRecoveryCodeHash } from './legacy-recovery-code.ts';
import { hashRecoveryCode } from './recovery-code.ts';
import { RecoveryCodes } from './recovery-codes.ts';

/** Databases the last release before the migration list made, with user u1 (store/sql/migrations/README.md). */
const MIGRATIONS = new URL('../../store/sql/migrations/testing/', import.meta.url);
const LEGACY_SQLITE = fileURLToPath(new URL('legacy-sqlite-v12.sqlite', MIGRATIONS));
const LEGACY_POSTGRES = readFileSync(new URL('legacy-postgres-v5.sql', MIGRATIONS), 'utf8');

const NOW = 1_800_000_000;
const BURST = 100;
/** Codes as the last release showed them: two groups of five, 50 bits. */
const ONCE = '7QKXM-2HD9R';
const RACED = 'ABCDE-12345';
const USED = 'ZZZZZ-00000';
/** Rows as that release wrote them: the plain SHA-256 of each code, bound to its user. */
const LEGACY_ROWS = [
  { code: ONCE, usedAt: null },
  { code: RACED, usedAt: null },
  { code: USED, usedAt: NOW - 100 },
].map(({ code, usedAt }) => ({
  user_id: 'u1',
  code_hash: hashRecoveryCode('u1', code.replace('-', '')),
  created_at: NOW - 1000,
  used_at: usedAt,
}));

async function assertLegacyCodes(store: Store, storedHashes: () => Promise<string[]>) {
  const hashes = await storedHashes();
  const unusedLegacy = LEGACY_ROWS.filter((row) => row.used_at === null).map((row) => row.code_hash);
  for (const sha256 of unusedLegacy)
    assert.equal(hashes.includes(sha256), false, 'no unused code rests under SHA-256');
  assert.equal(hashes.filter(isLegacyRecoveryCodeHash).length, 2, 'each unused code under argon2id');

  const codes = new RecoveryCodes(store.recoveryCodes);
  assert.deepEqual(await codes.use('u1', ONCE.toLowerCase(), NOW), { accepted: true, remaining: 1 });
  assert.deepEqual(await codes.use('u1', ONCE, NOW + 1), { accepted: false }, 'once only');
  assert.deepEqual(await codes.use('u1', USED, NOW + 1), { accepted: false }, 'used before the upgrade');
  assert.deepEqual(await codes.use('u1', 'AAAAA-AAAAA', NOW + 1), { accepted: false });

  const raced = await Promise.all(Array.from({ length: BURST }, () => codes.use('u1', RACED, NOW + 2)));
  assert.equal(raced.filter((use) => use.accepted).length, 1, `one of ${BURST} parallel uses`);

  // A new set: 120-bit codes under SHA-256, the old ones void; a new code also works exactly once.
  const issued = await codes.issue('u1', NOW + 3);
  assert.match(issued[0] ?? '', /^([0-9A-Z]{4}-){5}[0-9A-Z]{4}$/);
  const fresh = await Promise.all(
    Array.from({ length: BURST }, () => codes.use('u1', issued[0] ?? '', NOW + 4)),
  );
  assert.equal(fresh.filter((use) => use.accepted).length, 1, `one of ${BURST} parallel uses of a new code`);
  assert.equal((await storedHashes()).some(isLegacyRecoveryCodeHash), false, 'the old set is gone');
}

describe('sqlite: recovery codes of the last release', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'stepup-legacy-recovery-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  test('rest under argon2id after the upgrade, and each still works exactly once', async () => {
    const file = join(dataDir, SQLITE_FILE_NAME);
    copyFileSync(LEGACY_SQLITE, file);
    const db = new Database(file);
    const insert = db.prepare(
      'INSERT INTO recovery_codes (user_id, code_hash, created_at, used_at) VALUES (?, ?, ?, ?)',
    );
    for (const row of LEGACY_ROWS) insert.run(row.user_id, row.code_hash, row.created_at, row.used_at);
    db.close();

    const store = await openSqliteStore({ dataDir });
    try {
      await assertLegacyCodes(store, async () => {
        const raw = new Database(file, { readonly: true });
        try {
          return raw.prepare('SELECT code_hash FROM recovery_codes').pluck().all() as string[];
        } finally {
          raw.close();
        }
      });
    } finally {
      await store.close();
    }
  });
});

const postgres = await createPostgresTestDatabase();
describe('postgres: recovery codes of the last release', { skip: postgres.skip }, () => {
  after(() => postgres.database?.drop());

  test('rest under argon2id after the upgrade, and each still works exactly once', async () => {
    const url = postgres.database?.url ?? '';
    // The fixture empties search_path on its connection: the rows go in on another one.
    const restore = new pg.Client({ connectionString: url });
    await restore.connect();
    await restore.query(LEGACY_POSTGRES);
    await restore.end();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      for (const row of LEGACY_ROWS) {
        await client.query(
          'INSERT INTO recovery_codes (user_id, code_hash, created_at, used_at) VALUES ($1, $2, $3, $4)',
          [row.user_id, row.code_hash, row.created_at, row.used_at],
        );
      }
      const store = await openPostgresStore({
        connectionString: url,
        poolMax: 10,
        connectionTimeoutMs: 3000,
        statementTimeoutMs: 5000,
      });
      try {
        await assertLegacyCodes(store, async () =>
          (await client.query<{ code_hash: string }>('SELECT code_hash FROM recovery_codes')).rows.map(
            (row) => row.code_hash,
          ),
        );
      } finally {
        await store.close();
      }
    } finally {
      await client.end();
    }
  });
});

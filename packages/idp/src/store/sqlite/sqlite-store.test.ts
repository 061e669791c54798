import assert from 'node:assert/strict';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ConfigError } from '../../config/load-config.ts';
import { storeMigrations } from '../sql/migrations/store-migrations.ts';
import { describeStoreContract } from '../store-contract.ts';
import { openSqliteDatabase } from './database.ts';
import { openSqliteStore, SQLITE_FILE_NAME } from './sqlite-store.ts';

const root = mkdtempSync(join(tmpdir(), 'stepup-store-'));
after(() => rmSync(root, { recursive: true, force: true }));

let opened = 0;
function freshDataDir(): string {
  opened++;
  return join(root, `data-${opened}`);
}

describeStoreContract('sqlite :memory:', async () => await openSqliteStore({ file: ':memory:' }));
describeStoreContract('sqlite file', async () => await openSqliteStore({ dataDir: freshDataDir() }));

describe('sqlite file store', () => {
  test('creates dataDir readable by its owner only and keeps data across reopening', async () => {
    const dataDir = freshDataDir();
    const first = await openSqliteStore({ dataDir });
    const alice = await first.users.create({ username: 'alice', passwordHash: 'h', now: 1_700_000_000 });
    await first.keys.set('cookie-keys', '["k"]');
    await first.close();

    assert.equal(statSync(dataDir).mode & 0o777, 0o700);
    assert.ok(statSync(join(dataDir, SQLITE_FILE_NAME)).isFile());

    const second = await openSqliteStore({ dataDir });
    try {
      assert.deepEqual(await second.users.findById(alice.id), alice);
      assert.equal(await second.keys.get('cookie-keys'), '["k"]');
    } finally {
      await second.close();
    }
  });

  test('in a data folder that already exists with mode 0755, the database and its -wal and -shm files are 0600', async () => {
    const dataDir = freshDataDir();
    mkdirSync(dataDir);
    chmodSync(dataDir, 0o755);
    const store = await openSqliteStore({ dataDir });
    try {
      await store.users.create({ username: 'alice', passwordHash: 'h', now: 1_700_000_000 });
      for (const name of [SQLITE_FILE_NAME, `${SQLITE_FILE_NAME}-wal`, `${SQLITE_FILE_NAME}-shm`]) {
        assert.equal(statSync(join(dataDir, name)).mode & 0o777, 0o600, name);
      }
    } finally {
      await store.close();
    }
  });

  test('a database file an earlier release left 0644 is made 0600 when it opens', async () => {
    const dataDir = freshDataDir();
    const first = await openSqliteStore({ dataDir });
    await first.close();
    const file = join(dataDir, SQLITE_FILE_NAME);
    chmodSync(file, 0o644);
    writeFileSync(`${file}-wal`, '', { mode: 0o644 });
    chmodSync(`${file}-wal`, 0o644);
    const second = await openSqliteStore({ dataDir });
    try {
      assert.equal(statSync(file).mode & 0o777, 0o600);
      assert.equal(statSync(`${file}-wal`).mode & 0o777, 0o600);
    } finally {
      await second.close();
    }
  });

  test('a data folder writable by group or others is refused with the command that fixes it, and left untouched', async () => {
    for (const mode of [0o777, 0o775, 0o757]) {
      const dataDir = freshDataDir();
      mkdirSync(dataDir);
      chmodSync(dataDir, mode);
      await assert.rejects(
        openSqliteStore({ dataDir }),
        (error: Error) => error instanceof ConfigError && error.message.includes(`chmod 700 ${dataDir}`),
      );
      assert.deepEqual(readdirSync(dataDir), []);
      assert.equal(statSync(dataDir).mode & 0o777, mode);
      assert.ok(!existsSync(join(dataDir, SQLITE_FILE_NAME)));
    }
  });

  test('openSqliteDatabase applies every migration once and sets the pragmas', async () => {
    const file = join(root, 'schema.sqlite');
    for (let run = 0; run < 2; run++) {
      const db = await openSqliteDatabase(file);
      try {
        assert.deepEqual(
          db.prepare('SELECT name FROM kysely_migration ORDER BY name').pluck().all(),
          storeMigrations('sqlite').names,
        );
        assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
        assert.equal(db.pragma('foreign_keys', { simple: true }), 1);
        assert.equal(db.pragma('busy_timeout', { simple: true }), 5000);
        assert.equal(db.pragma('synchronous', { simple: true }), 1);
        // 2 is FAST: freed space on the b-tree pages is zeroed (sealed keys do not leave clear ones behind).
        assert.equal(db.pragma('secure_delete', { simple: true }), 2);
      } finally {
        db.close();
      }
    }
  });
});

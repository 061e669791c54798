import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { sqliteSchemaSnapshot, TABLES_ADDED_AFTER_BASELINE } from '../../../testing/sql-schema-snapshot.ts';
import { openSqliteDatabase } from '../../sqlite/database.ts';
import { openSqliteStore, SQLITE_FILE_NAME } from '../../sqlite/sqlite-store.ts';
import { LEGACY_LATEST_VERSION } from './legacy-schema.ts';
import { SchemaVersionError } from './schema-version-error.ts';
import { storeMigrations } from './store-migrations.ts';
import { assertLegacyRowsIntact } from './testing/assert-legacy-rows.ts';

/** A database the last release before the migration list made, with a few rows (see README.md). */
const LEGACY_FIXTURE = fileURLToPath(new URL('./testing/legacy-sqlite-v12.sqlite', import.meta.url));

const root = mkdtempSync(join(tmpdir(), 'stepup-sqlite-migrations-'));
after(() => rmSync(root, { recursive: true, force: true }));

let made = 0;
/** A data folder holding a copy of the legacy fixture as its database. */
function legacyDataDir(): string {
  const dataDir = join(root, `legacy-${++made}`);
  mkdirSync(dataDir);
  copyFileSync(LEGACY_FIXTURE, join(dataDir, SQLITE_FILE_NAME));
  return dataDir;
}

/** The schema of `file` as the last release before the migration list knew it (later tables left out). */
function snapshotOf(file: string): Record<string, unknown> {
  const db = new Database(file, { readonly: true });
  try {
    return sqliteSchemaSnapshot(db, { withoutTables: TABLES_ADDED_AFTER_BASELINE });
  } finally {
    db.close();
  }
}

function appliedMigrations(file: string): unknown[] {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare('SELECT name FROM kysely_migration ORDER BY name').pluck().all();
  } finally {
    db.close();
  }
}

describe('sqlite: one migration list', () => {
  test('a fresh database gets the schema the last release made', async () => {
    const file = join(root, 'fresh.sqlite');
    (await openSqliteDatabase(file)).close();
    assert.deepEqual(snapshotOf(file), snapshotOf(LEGACY_FIXTURE));
    assert.deepEqual(appliedMigrations(file), storeMigrations('sqlite').names);
    // The tables later migrations add are the same in a fresh database and an upgraded one.
    const upgraded = join(legacyDataDir(), SQLITE_FILE_NAME);
    (await openSqliteDatabase(upgraded)).close();
    const full = (path: string) => {
      const db = new Database(path, { readonly: true });
      try {
        return sqliteSchemaSnapshot(db);
      } finally {
        db.close();
      }
    };
    const fresh = full(file);
    for (const table of TABLES_ADDED_AFTER_BASELINE) assert.ok(fresh[table], `${table} is created`);
    assert.deepEqual(fresh, full(upgraded));
  });

  test('a database the last release made opens in place: rows intact, repositories at work', async () => {
    const dataDir = legacyDataDir();
    const file = join(dataDir, SQLITE_FILE_NAME);
    const store = await openSqliteStore({ dataDir });
    try {
      await assertLegacyRowsIntact(store);
    } finally {
      await store.close();
    }
    assert.deepEqual(appliedMigrations(file), storeMigrations('sqlite').names);
    assert.deepEqual(snapshotOf(file), snapshotOf(LEGACY_FIXTURE));
    const db = new Database(file, { readonly: true });
    try {
      // The release before refuses the database as newer than it understands.
      assert.equal(db.pragma('user_version', { simple: true }), LEGACY_LATEST_VERSION.sqlite + 1);
    } finally {
      db.close();
    }
  });

  test('a denial still has to say why after the upgrade', async () => {
    const db = await openSqliteDatabase(join(legacyDataDir(), SQLITE_FILE_NAME));
    try {
      assert.throws(
        () => db.exec(`UPDATE push_challenges SET denial_reason = NULL WHERE id = 'c1'`),
        /CHECK constraint failed/,
      );
    } finally {
      db.close();
    }
  });

  test('a database a newer build migrated is refused before anything runs, and left as it was', async () => {
    const file = join(root, 'from-newer-build.sqlite');
    (await openSqliteDatabase(file)).close();
    const newer = new Database(file);
    newer
      .prepare(`INSERT INTO kysely_migration (name, timestamp) VALUES ('9999-from-a-newer-build', ?)`)
      .run(new Date(0).toISOString());
    newer.close();
    const before = snapshotOf(file);

    await assert.rejects(
      openSqliteDatabase(file),
      (error) => error instanceof SchemaVersionError && error.code === 'schema_newer_than_code',
    );
    assert.deepEqual(snapshotOf(file), before);
  });

  test('a database an older release left behind the baseline is refused, naming the release to go through', async () => {
    const file = join(legacyDataDir(), SQLITE_FILE_NAME);
    const older = new Database(file);
    older.pragma(`user_version = ${LEGACY_LATEST_VERSION.sqlite - 1}`);
    older.close();

    await assert.rejects(
      openSqliteDatabase(file),
      (error) => error instanceof SchemaVersionError && error.code === 'legacy_schema_too_old',
    );
    const untouched = new Database(file, { readonly: true });
    try {
      assert.equal(untouched.pragma('user_version', { simple: true }), LEGACY_LATEST_VERSION.sqlite - 1);
      const tables = untouched.prepare(`SELECT name FROM sqlite_master WHERE name LIKE 'kysely%'`).all();
      assert.deepEqual(tables, []);
    } finally {
      untouched.close();
    }
  });

  test('two processes migrating one new file at the same moment: one applies the schema, the other waits', async () => {
    const file = join(root, 'raced.sqlite');
    const migrator = fileURLToPath(new URL('./migrate-store.ts', import.meta.url));
    // Opens the file as openSqliteDatabase does, says it is ready, migrates on "go", prints what it applied.
    const script = `
      const { default: Database } = await import('better-sqlite3');
      const { Kysely, SqliteDialect } = await import('kysely');
      const { migrateStore } = await import(${JSON.stringify(migrator)});
      const database = new Database(${JSON.stringify(file)});
      database.pragma('journal_mode = WAL');
      database.pragma('busy_timeout = 5000');
      const db = new Kysely({ dialect: new SqliteDialect({ database }) });
      process.stdout.write('ready\\n');
      process.stdin.once('data', async () => {
        const { applied } = await migrateStore(db, 'sqlite');
        await db.destroy();
        process.stdout.write(JSON.stringify(applied));
        process.stdin.destroy();
      });`;
    const processes = [startMigrator(script), startMigrator(script)];
    await Promise.all(processes.map((migrating) => migrating.ready));
    for (const migrating of processes) migrating.go();
    const outputs = await Promise.all(processes.map((migrating) => migrating.done));
    assert.deepEqual(outputs.map((applied) => JSON.parse(applied)).sort(), [
      [],
      storeMigrations('sqlite').names,
    ]);
    assert.deepEqual(appliedMigrations(file), storeMigrations('sqlite').names);
    assert.deepEqual(snapshotOf(file), snapshotOf(LEGACY_FIXTURE));
  });
});

/** A Node.js process running `script`: ready once it printed its first line, done with what it printed after. */
function startMigrator(script: string) {
  const child = spawn(
    process.execPath,
    ['--conditions=stepup-source', '--import', 'tsx', '--input-type=module', '--eval', script],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  let output = '';
  let signalReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    signalReady = resolve;
  });
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
    if (output.includes('\n')) signalReady();
  });
  const done = new Promise<string>((resolve, reject) => {
    child.on('exit', (code) =>
      code === 0 ? resolve(output.slice(output.indexOf('\n') + 1)) : reject(new Error(`exit ${code}`)),
    );
  });
  return { ready, done, go: () => child.stdin.write('go\n') };
}

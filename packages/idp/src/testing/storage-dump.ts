import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { SQLITE_FILE_NAME } from '../store/sqlite/sqlite-store.ts';

/** The raw bytes of a data folder's SQLite database and its `-wal` and `-shm` files, as one text to search. */
export function readSqliteFiles(dataDir: string): Promise<string> {
  const base = join(dataDir, SQLITE_FILE_NAME);
  const files = [base, `${base}-wal`, `${base}-shm`].filter((file) => existsSync(file));
  assert.ok(files.includes(base), 'the database is on disk');
  return Promise.resolve(files.map((file) => readFileSync(file).toString('latin1')).join('\n'));
}

/** Every row of every table of the PostgreSQL database at `url`, one `table: row` line each. */
export async function readPostgresRows(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const tables = await client.query<{ tablename: string }>(
      'SELECT tablename FROM pg_tables WHERE schemaname = current_schema()',
    );
    assert.ok(tables.rows.length > 10, 'the schema has its tables');
    const rows: string[] = [];
    for (const { tablename } of tables.rows) {
      const result = await client.query<{ row: string }>(`SELECT t::text AS row FROM "${tablename}" t`);
      rows.push(...result.rows.map(({ row }) => `${tablename}: ${row}`));
    }
    return rows.join('\n');
  } finally {
    await client.end();
  }
}

/** Fails naming each secret found in `dump`, with the lines that hold it. */
export function assertNotStored(dump: string, secrets: Record<string, string | undefined>): void {
  for (const [name, value] of Object.entries(secrets)) {
    assert.ok(value && value.length >= 16, `${name} was issued`);
    const where = dump
      .split('\n')
      .filter((line) => line.includes(value))
      .map((line) => line.slice(0, 300));
    assert.deepEqual(where, [], `the ${name} is stored in clear`);
  }
}

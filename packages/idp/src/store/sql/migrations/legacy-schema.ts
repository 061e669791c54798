import { type Kysely, sql } from 'kysely';
import type { SqlDialect } from '../sql-dialect.ts';
import { SchemaVersionError } from './schema-version-error.ts';

/**
 * Before the migration list, each engine counted its own steps: SQLite in `PRAGMA user_version`,
 * PostgreSQL in a `schema_migrations` table. The last release of that scheme ended at these versions,
 * whose schema the baseline migration recreates.
 */
export const LEGACY_LATEST_VERSION: Readonly<Record<SqlDialect['engine'], number>> = {
  sqlite: 12,
  postgres: 5,
};

/** The release whose schema is the baseline: a database older than it goes through it first. */
export const LAST_LEGACY_RELEASE = '@stepup/idp 0.1.0';

/**
 * Checks the legacy version of a database about to receive the baseline. Returns true when a release
 * before the migration list made today's schema (the baseline is then recorded without creating
 * anything), false when the database is empty; refuses any other version. Either way it then raises
 * the legacy version one past the last, so that those releases refuse this database as newer than
 * they understand instead of running against a schema they do not know.
 */
export async function adoptLegacySchema(db: Kysely<unknown>, engine: SqlDialect['engine']): Promise<boolean> {
  const latest = LEGACY_LATEST_VERSION[engine];
  const version = engine === 'sqlite' ? await readSqliteUserVersion(db) : await readPostgresVersion(db);
  if (version === undefined || version === 0) {
    await closeLegacyVersioning(db, engine);
    return false;
  }
  if (version > latest) {
    throw new SchemaVersionError(
      'schema_newer_than_code',
      `the database schema is at legacy version ${version}, which no release made (the last was ${latest})`,
    );
  }
  if (version < latest) {
    throw new SchemaVersionError(
      'legacy_schema_too_old',
      `the database schema is at legacy version ${version} of ${latest}: start ${LAST_LEGACY_RELEASE} ` +
        'on it once (or run its `stepup-idp migrate`), then this build',
    );
  }
  await closeLegacyVersioning(db, engine);
  return true;
}

async function readSqliteUserVersion(db: Kysely<unknown>): Promise<number> {
  const { rows } = await sql<{ user_version: number }>`PRAGMA user_version`.execute(db);
  return rows[0]?.user_version ?? 0;
}

async function readPostgresVersion(db: Kysely<unknown>): Promise<number | undefined> {
  if (!(await hasPostgresLegacyTable(db))) return undefined;
  const { rows } = await sql<{ version: number | null }>`
    SELECT MAX(version) AS version FROM schema_migrations`.execute(db);
  return rows[0]?.version ?? 0;
}

async function hasPostgresLegacyTable(db: Kysely<unknown>): Promise<boolean> {
  const { rows } = await sql<{ present: boolean }>`
    SELECT to_regclass('schema_migrations') IS NOT NULL AS present`.execute(db);
  return rows[0]?.present === true;
}

async function closeLegacyVersioning(db: Kysely<unknown>, engine: SqlDialect['engine']): Promise<void> {
  const closed = LEGACY_LATEST_VERSION[engine] + 1;
  if (engine === 'sqlite') {
    await sql.raw(`PRAGMA user_version = ${closed}`).execute(db);
    return;
  }
  // A fresh PostgreSQL database has no legacy table; an old release finds the tables already there.
  if (!(await hasPostgresLegacyTable(db))) return;
  await sql`INSERT INTO schema_migrations (version, applied_at)
    VALUES (${closed}, EXTRACT(EPOCH FROM now())::bigint)`.execute(db);
}

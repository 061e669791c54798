import { type Kysely, Migrator, sql } from 'kysely';
import type { SqlDialect } from '../sql-dialect.ts';
import { SchemaVersionError } from './schema-version-error.ts';
import { storeMigrations } from './store-migrations.ts';

/** Where Kysely's `Migrator` records the migrations applied (its default name). */
const MIGRATION_TABLE = 'kysely_migration';

/**
 * Key of the transaction-level advisory lock migrations run under on PostgreSQL, so that nodes
 * starting together apply each migration once: the second waits, then finds them applied. (Any
 * constant works; this is "stepup" in ASCII.)
 */
const MIGRATION_LOCK_KEY = 0x73_74_65_70_75_70;

export interface MigrationOutcome {
  /** The migrations this opening applied, in order; empty when the schema was up to date. */
  applied: readonly string[];
  /** The last migration this build knows, which the schema is now at. */
  latest: string;
}

/**
 * Brings the schema up to date in one transaction: every missing migration, or none. Refuses a
 * database a newer build migrated (a migration this build does not know) before changing anything.
 *
 * The transaction holds the write lock from its start: on PostgreSQL an advisory lock, on SQLite
 * `BEGIN IMMEDIATE`, so a second node or process starting at the same moment waits, then finds the
 * migrations applied.
 */
export async function migrateStore(
  db: Kysely<unknown>,
  engine: SqlDialect['engine'],
): Promise<MigrationOutcome> {
  const provider = storeMigrations(engine);
  const latest = provider.names.at(-1) ?? '';
  return db.connection().execute(async (connection) => {
    await sql.raw(engine === 'sqlite' ? 'BEGIN IMMEDIATE' : 'BEGIN').execute(connection);
    try {
      if (engine === 'postgres')
        await sql`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`.execute(connection);
      await refuseUnknownMigrations(connection, provider.names, latest);
      const migrator = new Migrator({
        db: connection,
        provider,
        migrationTableName: MIGRATION_TABLE,
        // This transaction already holds the lock and commits every migration or none.
        disableTransactions: true,
      });
      const { error, results = [] } = await migrator.migrateToLatest();
      if (error !== undefined) throw error;
      await sql.raw('COMMIT').execute(connection);
      return { applied: results.map((result) => result.migrationName), latest };
    } catch (error) {
      // The first error is the one to report: a connection too broken to roll back has its
      // transaction rolled back by the server when it closes.
      await sql
        .raw('ROLLBACK')
        .execute(connection)
        .catch(() => undefined);
      throw error;
    }
  });
}

async function refuseUnknownMigrations(
  db: Kysely<unknown>,
  known: readonly string[],
  latest: string,
): Promise<void> {
  const tables = await db.introspection.getTables({ withInternalKyselyTables: true });
  if (!tables.some((table) => table.name === MIGRATION_TABLE)) return;
  const { rows } = await sql<{ name: string }>`SELECT name FROM ${sql.table(MIGRATION_TABLE)}`.execute(db);
  const unknown = rows.map((row) => row.name).filter((name) => !known.includes(name));
  if (unknown.length > 0) {
    throw new SchemaVersionError(
      'schema_newer_than_code',
      `the database schema is newer than this build understands: it has migration ${unknown.sort().join(', ')}, ` +
        `and this build knows up to ${latest}; run the newer build (or restore a backup made before it)`,
    );
  }
}

import type { PostgresDatabase } from './postgres-database.ts';
import { postgresMigrations } from './postgres-migrations.ts';

/**
 * Key of the transaction-level advisory lock migrations run under, so that nodes starting together
 * apply each step once: the second waits, then finds the steps applied. (Any constant works; this is
 * "stepup" in ASCII.)
 */
const MIGRATION_LOCK_KEY = 0x73_74_65_70_75_70;

export interface MigrationOutcome {
  /** The schema version before. */
  from: number;
  /** The schema version now: the number of steps this build knows. */
  to: number;
}

/**
 * Brings the schema up to date in one transaction: every missing step, or none. Refuses a database
 * whose schema is newer than this build understands.
 */
export async function migratePostgres(
  db: PostgresDatabase,
  steps: readonly string[] = postgresMigrations,
  now: () => number = () => Math.floor(Date.now() / 1000),
): Promise<MigrationOutcome> {
  return db.transaction(async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    await client.query(
      `CREATE TABLE IF NOT EXISTS schema_migrations (
         version INTEGER PRIMARY KEY,
         applied_at BIGINT NOT NULL
       )`,
    );
    const { rows } = await client.query<{ version: number | null }>(
      'SELECT MAX(version) AS version FROM schema_migrations',
    );
    const from = rows[0]?.version ?? 0;
    if (from > steps.length) {
      throw new Error(
        `database schema version ${from} is newer than this build understands (${steps.length})`,
      );
    }
    for (let version = from + 1; version <= steps.length; version++) {
      await client.query(steps[version - 1] ?? '');
      await client.query('INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)', [
        version,
        now(),
      ]);
    }
    return { from, to: steps.length };
  });
}

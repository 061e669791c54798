import type { Migration, MigrationProvider } from 'kysely';
import type { SqlDialect } from '../sql-dialect.ts';
import { baselineMigration } from './0001-baseline.ts';
import { legacyRecoveryCodesSaltedMigration } from './0002-legacy-recovery-codes-salted.ts';
import { passwordResetTokensMigration } from './0003-password-reset-tokens.ts';
import { authorizationDetailTypesMigration } from './0004-authorization-detail-types.ts';
import { pushChallengeTransactionsMigration } from './0005-push-challenge-transactions.ts';
import { type ColumnTypes, columnTypesFor } from './column-types.ts';

/**
 * The store's schema, one migration list for both engines, applied in the order of the names. Never
 * edit a released migration: append a new one, named with the next number.
 */
function migrationsFor(types: ColumnTypes): Record<string, Migration> {
  return {
    '0001-baseline': baselineMigration(types),
    '0002-legacy-recovery-codes-salted': legacyRecoveryCodesSaltedMigration(),
    '0003-password-reset-tokens': passwordResetTokensMigration(types),
    '0004-authorization-detail-types': authorizationDetailTypesMigration(types),
    '0005-push-challenge-transactions': pushChallengeTransactionsMigration(types),
  };
}

/** The list as Kysely's `Migrator` reads it: in code, since the package runs compiled from `dist`. */
export function storeMigrations(
  engine: SqlDialect['engine'],
): MigrationProvider & { readonly names: readonly string[] } {
  const migrations = migrationsFor(columnTypesFor(engine));
  return {
    names: Object.keys(migrations).sort(),
    async getMigrations() {
      return migrations;
    },
  };
}

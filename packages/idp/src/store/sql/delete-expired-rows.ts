import { sql } from 'kysely';
import type { SqlDatabase } from './sql-database.ts';
import type { StoreTables } from './store-tables.ts';

/** Resolved push requests stay this long after their expiry, for anyone looking into a login. */
const RESOLVED_PUSH_KEPT_SECONDS = 24 * 3600;

/** Every table whose rows end, and the column that says when; it spans every repository's tables. */
const EXPIRING: readonly { table: keyof StoreTables; column: 'expires_at' | 'reset_at' }[] = [
  { table: 'oidc_models', column: 'expires_at' },
  { table: 'auth_sessions', column: 'expires_at' },
  { table: 'interaction_states', column: 'expires_at' },
  { table: 'attempts', column: 'reset_at' },
  { table: 'failure_counters', column: 'reset_at' },
  { table: 'webauthn_challenges', column: 'expires_at' },
  { table: 'email_codes', column: 'expires_at' },
  { table: 'password_reset_tokens', column: 'expires_at' },
  { table: 'push_enrollment_tokens', column: 'expires_at' },
  { table: 'custom_claims', column: 'expires_at' },
];

/**
 * Deletes rows whose lifetime has ended, in one transaction, and returns how many. Reads already
 * ignore such rows; the sweep keeps the tables from growing without end. Several nodes may sweep at
 * once: a row goes to whichever deletes it first. (`oidc_models` rows without an expiry never match.)
 */
export async function deleteExpiredRows(db: SqlDatabase, now: number): Promise<number> {
  return db.kysely.transaction().execute(async (trx) => {
    let deleted = 0n;
    for (const { table, column } of EXPIRING) {
      const result = await trx.deleteFrom(table).where(sql.ref<number>(column), '<=', now).executeTakeFirst();
      deleted += result.numDeletedRows;
    }
    const resolvedPush = await trx
      .deleteFrom('push_challenges')
      .where('status', '<>', 'open')
      .where('expires_at', '<=', now - RESOLVED_PUSH_KEPT_SECONDS)
      .executeTakeFirst();
    return Number(deleted + resolvedPush.numDeletedRows);
  });
}

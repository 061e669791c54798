import type { PostgresDatabase } from './postgres-database.ts';

/** Resolved push requests stay this long after their expiry, for anyone looking into a login. */
const RESOLVED_PUSH_KEPT_SECONDS = 24 * 3600;

const SWEEPS: readonly string[] = [
  'DELETE FROM oidc_models WHERE expires_at IS NOT NULL AND expires_at <= $1',
  'DELETE FROM auth_sessions WHERE expires_at <= $1',
  'DELETE FROM interaction_states WHERE expires_at <= $1',
  'DELETE FROM attempts WHERE reset_at <= $1',
  'DELETE FROM failure_counters WHERE reset_at <= $1',
  'DELETE FROM webauthn_challenges WHERE expires_at <= $1',
  'DELETE FROM email_codes WHERE expires_at <= $1',
  'DELETE FROM push_enrollment_tokens WHERE expires_at <= $1',
  'DELETE FROM custom_claims WHERE expires_at <= $1',
  `DELETE FROM push_challenges WHERE status <> 'open' AND expires_at <= $1::bigint - ${RESOLVED_PUSH_KEPT_SECONDS}`,
];

/**
 * Deletes rows whose lifetime has ended, in one transaction, and returns how many. Reads already
 * ignore such rows; the sweep keeps the tables from growing without end. Several nodes may sweep at
 * once: a row goes to whichever deletes it first.
 */
export async function deleteExpiredPostgresRows(db: PostgresDatabase, now: number): Promise<number> {
  return db.transaction(async (client) => {
    let deleted = 0;
    for (const sweep of SWEEPS) deleted += (await client.query(sweep, [now])).rowCount;
    return deleted;
  });
}

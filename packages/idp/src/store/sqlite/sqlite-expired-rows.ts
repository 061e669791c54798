import type Database from 'better-sqlite3';

/** Resolved push requests stay this long after their expiry, for anyone looking into a login. */
const RESOLVED_PUSH_KEPT_SECONDS = 24 * 3600;

/**
 * Prepares the sweep that deletes rows whose lifetime has ended, in one transaction. Reads already
 * ignore such rows; the sweep keeps the tables from growing without end.
 */
export function prepareExpiredRowsSweep(db: Database.Database): (now: number) => number {
  const statements = [
    db.prepare('DELETE FROM oidc_models WHERE expires_at IS NOT NULL AND expires_at <= ?'),
    db.prepare('DELETE FROM auth_sessions WHERE expires_at <= ?'),
    db.prepare('DELETE FROM interaction_states WHERE expires_at <= ?'),
    db.prepare('DELETE FROM attempts WHERE reset_at <= ?'),
    db.prepare('DELETE FROM failure_counters WHERE reset_at <= ?'),
    db.prepare('DELETE FROM webauthn_challenges WHERE expires_at <= ?'),
    db.prepare('DELETE FROM email_codes WHERE expires_at <= ?'),
    db.prepare('DELETE FROM push_enrollment_tokens WHERE expires_at <= ?'),
    db.prepare('DELETE FROM custom_claims WHERE expires_at <= ?'),
  ];
  const resolvedPush = db.prepare("DELETE FROM push_challenges WHERE status <> 'open' AND expires_at <= ?");
  return db.transaction((now: number) => {
    let deleted = 0;
    for (const statement of statements) deleted += statement.run(now).changes;
    deleted += resolvedPush.run(now - RESOLVED_PUSH_KEPT_SECONDS).changes;
    return deleted;
  });
}

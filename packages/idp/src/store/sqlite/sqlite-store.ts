import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { deleteExpiredRows } from '../sql/delete-expired-rows.ts';
import { SqlActionsRepository } from '../sql/sql-actions.ts';
import { SqlAttemptsRepository } from '../sql/sql-attempts.ts';
import { SqlAuthSessionsRepository } from '../sql/sql-auth-sessions.ts';
import { SqlClientsRepository } from '../sql/sql-clients.ts';
import { SqlInteractionStatesRepository } from '../sql/sql-interaction-states.ts';
import { SqlKeysRepository } from '../sql/sql-keys.ts';
import { createSqlOidcAdapter } from '../sql/sql-oidc-adapter.ts';
import { SqlPushChallengesRepository } from '../sql/sql-push-challenges.ts';
import { SqlPushDevicesRepository } from '../sql/sql-push-devices.ts';
import { SqlPushEnrollmentTokensRepository } from '../sql/sql-push-enrollment-tokens.ts';
import { SqlResourceServersRepository } from '../sql/sql-resource-servers.ts';
import { SqlWebAuthnChallengesRepository } from '../sql/sql-webauthn-challenges.ts';
import { SqlWebAuthnCredentialsRepository } from '../sql/sql-webauthn-credentials.ts';
import type { Store } from '../store.ts';
import { openSqliteDatabase } from './database.ts';
import { SqliteAuditEventsRepository } from './sqlite-audit-events.ts';
import { SqliteCustomClaimsRepository } from './sqlite-custom-claims.ts';
import { SqliteEmailCodesRepository } from './sqlite-email-codes.ts';
import { SqliteFactorsRepository } from './sqlite-factors.ts';
import { SqliteRecoveryCodesRepository } from './sqlite-recovery-codes.ts';
import { createSqliteSqlDatabase } from './sqlite-sql-database.ts';
import { SqliteUserManagementRepository } from './sqlite-user-management.ts';
import { SqliteUserMetadataRepository } from './sqlite-user-metadata.ts';
import { SqliteUsersRepository } from './sqlite-users.ts';

export type SqliteStoreOptions = { dataDir: string } | { file: ':memory:' };

export const SQLITE_FILE_NAME = 'stepup.sqlite';

/**
 * Opens the single-node store: `dataDir/stepup.sqlite` (the directory is created 0700), or in memory,
 * with its schema brought up to date.
 */
export async function openSqliteStore(options: SqliteStoreOptions): Promise<Store> {
  let file: string;
  if ('dataDir' in options) {
    // It holds password hashes and signing keys: readable by the service user only.
    mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
    file = join(options.dataDir, SQLITE_FILE_NAME);
  } else {
    file = options.file;
  }
  const db = await openSqliteDatabase(file);
  const sql = createSqliteSqlDatabase(db);
  const clients = new SqlClientsRepository(sql);
  return {
    users: new SqliteUsersRepository(db),
    userManagement: new SqliteUserManagementRepository(db),
    factors: new SqliteFactorsRepository(db),
    authSessions: new SqlAuthSessionsRepository(sql),
    interactionStates: new SqlInteractionStatesRepository(sql),
    attempts: new SqlAttemptsRepository(sql),
    failureCounters: new SqlAttemptsRepository(sql, 'failure_counters'),
    keys: new SqlKeysRepository(sql),
    clients,
    resourceServers: new SqlResourceServersRepository(sql),
    webauthnCredentials: new SqlWebAuthnCredentialsRepository(sql),
    webauthnChallenges: new SqlWebAuthnChallengesRepository(sql),
    recoveryCodes: new SqliteRecoveryCodesRepository(db),
    emailCodes: new SqliteEmailCodesRepository(db),
    pushDevices: new SqlPushDevicesRepository(sql),
    pushChallenges: new SqlPushChallengesRepository(sql),
    pushEnrollmentTokens: new SqlPushEnrollmentTokensRepository(sql),
    actions: new SqlActionsRepository(sql),
    userMetadata: new SqliteUserMetadataRepository(db),
    customClaims: new SqliteCustomClaimsRepository(db),
    auditEvents: new SqliteAuditEventsRepository(db),
    oidcAdapter: createSqlOidcAdapter(sql, clients),
    async deleteExpired(now) {
      return deleteExpiredRows(sql, now);
    },
    async close() {
      await sql.close();
    },
  };
}

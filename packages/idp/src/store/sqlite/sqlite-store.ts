import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { deleteExpiredRows } from '../sql/delete-expired-rows.ts';
import { SqlAttemptsRepository } from '../sql/sql-attempts.ts';
import { SqlAuditEventsRepository } from '../sql/sql-audit-events.ts';
import { SqlAuthSessionsRepository } from '../sql/sql-auth-sessions.ts';
import { SqlClientsRepository } from '../sql/sql-clients.ts';
import { SqlCustomClaimsRepository } from '../sql/sql-custom-claims.ts';
import { SqlEmailCodesRepository } from '../sql/sql-email-codes.ts';
import { SqlFactorsRepository } from '../sql/sql-factors.ts';
import { SqlInteractionStatesRepository } from '../sql/sql-interaction-states.ts';
import { SqlKeysRepository } from '../sql/sql-keys.ts';
import { createSqlOidcAdapter } from '../sql/sql-oidc-adapter.ts';
import { SqlRecoveryCodesRepository } from '../sql/sql-recovery-codes.ts';
import { SqlResourceServersRepository } from '../sql/sql-resource-servers.ts';
import { SqlUserManagementRepository } from '../sql/sql-user-management.ts';
import { SqlUserMetadataRepository } from '../sql/sql-user-metadata.ts';
import { SqlUsersRepository } from '../sql/sql-users.ts';
import type { Store } from '../store.ts';
import { openSqliteDatabase } from './database.ts';
import { SqliteActionsRepository } from './sqlite-actions.ts';
import { SqlitePushChallengesRepository } from './sqlite-push-challenges.ts';
import { SqlitePushDevicesRepository } from './sqlite-push-devices.ts';
import { SqlitePushEnrollmentTokensRepository } from './sqlite-push-enrollment-tokens.ts';
import { createSqliteSqlDatabase } from './sqlite-sql-database.ts';
import { SqliteWebAuthnChallengesRepository } from './sqlite-webauthn-challenges.ts';
import { SqliteWebAuthnCredentialsRepository } from './sqlite-webauthn-credentials.ts';

export type SqliteStoreOptions = { dataDir: string } | { file: ':memory:' };

export const SQLITE_FILE_NAME = 'stepup.sqlite';

/** Opens the single-node store: `dataDir/stepup.sqlite` (the directory is created 0700), or in memory. */
export function openSqliteStore(options: SqliteStoreOptions): Store {
  let file: string;
  if ('dataDir' in options) {
    // It holds password hashes and signing keys: readable by the service user only.
    mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
    file = join(options.dataDir, SQLITE_FILE_NAME);
  } else {
    file = options.file;
  }
  const db = openSqliteDatabase(file);
  const sql = createSqliteSqlDatabase(db);
  const clients = new SqlClientsRepository(sql);
  return {
    users: new SqlUsersRepository(sql),
    userManagement: new SqlUserManagementRepository(sql),
    factors: new SqlFactorsRepository(sql),
    authSessions: new SqlAuthSessionsRepository(sql),
    interactionStates: new SqlInteractionStatesRepository(sql),
    attempts: new SqlAttemptsRepository(sql),
    failureCounters: new SqlAttemptsRepository(sql, 'failure_counters'),
    keys: new SqlKeysRepository(sql),
    clients,
    resourceServers: new SqlResourceServersRepository(sql),
    webauthnCredentials: new SqliteWebAuthnCredentialsRepository(db),
    webauthnChallenges: new SqliteWebAuthnChallengesRepository(db),
    recoveryCodes: new SqlRecoveryCodesRepository(sql),
    emailCodes: new SqlEmailCodesRepository(sql),
    pushDevices: new SqlitePushDevicesRepository(db),
    pushChallenges: new SqlitePushChallengesRepository(db),
    pushEnrollmentTokens: new SqlitePushEnrollmentTokensRepository(db),
    actions: new SqliteActionsRepository(db),
    userMetadata: new SqlUserMetadataRepository(sql),
    customClaims: new SqlCustomClaimsRepository(sql),
    auditEvents: new SqlAuditEventsRepository(sql),
    oidcAdapter: createSqlOidcAdapter(sql, clients),
    async deleteExpired(now) {
      return deleteExpiredRows(sql, now);
    },
    async close() {
      await sql.close();
    },
  };
}

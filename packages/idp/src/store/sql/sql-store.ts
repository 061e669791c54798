import type { Store } from '../store.ts';
import { deleteExpiredRows } from './delete-expired-rows.ts';
import { hashPlainBearerIds } from './hash-plain-bearer-ids.ts';
import { SqlActionsRepository } from './sql-actions.ts';
import { SqlAttemptsRepository } from './sql-attempts.ts';
import { SqlAuditEventsRepository } from './sql-audit-events.ts';
import { SqlAuthSessionsRepository } from './sql-auth-sessions.ts';
import { SqlAuthorizationDetailTypesRepository } from './sql-authorization-detail-types.ts';
import { SqlClientsRepository } from './sql-clients.ts';
import { SqlCustomClaimsRepository } from './sql-custom-claims.ts';
import type { SqlDatabase } from './sql-database.ts';
import { SqlEmailCodesRepository } from './sql-email-codes.ts';
import { SqlFactorsRepository } from './sql-factors.ts';
import { SqlInteractionStatesRepository } from './sql-interaction-states.ts';
import { SqlKeysRepository } from './sql-keys.ts';
import { createSqlOidcAdapter } from './sql-oidc-adapter.ts';
import { SqlPasswordResetTokensRepository } from './sql-password-reset-tokens.ts';
import { SqlPushChallengesRepository } from './sql-push-challenges.ts';
import { SqlPushDevicesRepository } from './sql-push-devices.ts';
import { SqlPushEnrollmentTokensRepository } from './sql-push-enrollment-tokens.ts';
import { SqlRecoveryCodesRepository } from './sql-recovery-codes.ts';
import { SqlResourceServersRepository } from './sql-resource-servers.ts';
import { SqlSealedSecretsRepository } from './sql-sealed-secrets.ts';
import { SqlUserManagementRepository } from './sql-user-management.ts';
import { SqlUserMetadataRepository } from './sql-user-metadata.ts';
import { SqlUsersRepository } from './sql-users.ts';
import { SqlWebAuthnChallengesRepository } from './sql-webauthn-challenges.ts';
import { SqlWebAuthnCredentialsRepository } from './sql-webauthn-credentials.ts';

/**
 * Every repository of the store over one SQL database, SQLite or PostgreSQL alike: the engines differ
 * only in how they are opened and migrated (`sqlite-store.ts`, `postgres-store.ts`). `close` closes
 * the database.
 */
export function createSqlStore(sql: SqlDatabase): Store {
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
    sealedSecrets: new SqlSealedSecretsRepository(sql),
    clients,
    resourceServers: new SqlResourceServersRepository(sql),
    authorizationDetailTypes: new SqlAuthorizationDetailTypesRepository(sql),
    webauthnCredentials: new SqlWebAuthnCredentialsRepository(sql),
    webauthnChallenges: new SqlWebAuthnChallengesRepository(sql),
    recoveryCodes: new SqlRecoveryCodesRepository(sql),
    emailCodes: new SqlEmailCodesRepository(sql),
    passwordResetTokens: new SqlPasswordResetTokensRepository(sql),
    pushDevices: new SqlPushDevicesRepository(sql),
    pushChallenges: new SqlPushChallengesRepository(sql),
    pushEnrollmentTokens: new SqlPushEnrollmentTokensRepository(sql),
    actions: new SqlActionsRepository(sql),
    userMetadata: new SqlUserMetadataRepository(sql),
    customClaims: new SqlCustomClaimsRepository(sql),
    auditEvents: new SqlAuditEventsRepository(sql),
    oidcAdapter: createSqlOidcAdapter(sql, clients),
    hashPlainBearerIds: (rewrite) => hashPlainBearerIds(sql, rewrite),
    async deleteExpired(now) {
      return deleteExpiredRows(sql, now);
    },
    close: () => sql.close(),
  };
}

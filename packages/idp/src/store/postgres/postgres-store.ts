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
import { type MigrationOutcome, migratePostgres } from './migrate-postgres.ts';
import { PostgresActionsRepository } from './postgres-actions.ts';
import { PostgresDatabase } from './postgres-database.ts';
import { createPostgresPool, type PostgresPoolOptions } from './postgres-pool.ts';
import { PostgresPushChallengesRepository } from './postgres-push-challenges.ts';
import { PostgresPushDevicesRepository } from './postgres-push-devices.ts';
import { PostgresPushEnrollmentTokensRepository } from './postgres-push-enrollment-tokens.ts';
import { createPostgresSqlDatabase } from './postgres-sql-database.ts';
import { PostgresWebAuthnChallengesRepository } from './postgres-webauthn-challenges.ts';
import { PostgresWebAuthnCredentialsRepository } from './postgres-webauthn-credentials.ts';

export interface PostgresStoreOptions extends Omit<PostgresPoolOptions, 'onIdleConnectionError'> {
  /** Told about idle connections the server dropped (a restart); the pool replaces them by itself. */
  logger?: { warn(details: object, message: string): void };
}

/** A `Store` on PostgreSQL, as `openPostgresStore` returns it. */
export interface PostgresStore extends Store {
  /** What the migrations at opening did. */
  readonly migration: MigrationOutcome;
}

/**
 * Opens the store for several provider nodes over one PostgreSQL database, after bringing its schema
 * up to date (nodes starting together take turns). Rejects with a `StoreUnavailableError` when the
 * server cannot be reached within `connectionTimeoutMs`.
 */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<PostgresStore> {
  const { logger, ...poolOptions } = options;
  const pool = createPostgresPool({
    ...poolOptions,
    onIdleConnectionError: (error) =>
      logger?.warn({ err: error }, 'PostgreSQL dropped an idle connection; new ones open when needed'),
  });
  const sql = createPostgresSqlDatabase(pool);
  const db = new PostgresDatabase(pool);
  let migration: MigrationOutcome;
  try {
    migration = await migratePostgres(db);
  } catch (error) {
    await sql.close();
    throw error;
  }
  const clients = new SqlClientsRepository(sql);
  return {
    migration,
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
    webauthnCredentials: new PostgresWebAuthnCredentialsRepository(db),
    webauthnChallenges: new PostgresWebAuthnChallengesRepository(db),
    recoveryCodes: new SqlRecoveryCodesRepository(sql),
    emailCodes: new SqlEmailCodesRepository(sql),
    pushDevices: new PostgresPushDevicesRepository(db),
    pushChallenges: new PostgresPushChallengesRepository(db),
    pushEnrollmentTokens: new PostgresPushEnrollmentTokensRepository(db),
    actions: new PostgresActionsRepository(db),
    userMetadata: new SqlUserMetadataRepository(sql),
    customClaims: new SqlCustomClaimsRepository(sql),
    auditEvents: new SqlAuditEventsRepository(sql),
    oidcAdapter: createSqlOidcAdapter(sql, clients),
    async deleteExpired(now) {
      return deleteExpiredRows(sql, now);
    },
    async close() {
      db.close();
      await sql.close();
    },
  };
}

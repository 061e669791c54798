import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { deleteExpiredRows } from '../sql/delete-expired-rows.ts';
import { type MigrationOutcome, migrateStore } from '../sql/migrations/migrate-store.ts';
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
import { PostgresAuditEventsRepository } from './postgres-audit-events.ts';
import { PostgresCustomClaimsRepository } from './postgres-custom-claims.ts';
import { PostgresDatabase } from './postgres-database.ts';
import { PostgresEmailCodesRepository } from './postgres-email-codes.ts';
import { PostgresFactorsRepository } from './postgres-factors.ts';
import { createPostgresPool, type PostgresPoolOptions } from './postgres-pool.ts';
import { PostgresRecoveryCodesRepository } from './postgres-recovery-codes.ts';
import { createPostgresSqlDatabase } from './postgres-sql-database.ts';
import { PostgresUserManagementRepository } from './postgres-user-management.ts';
import { PostgresUserMetadataRepository } from './postgres-user-metadata.ts';
import { PostgresUsersRepository } from './postgres-users.ts';
import { translatePostgresError } from './translate-postgres-error.ts';

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
    migration = await migrateSchema(options);
  } catch (error) {
    await sql.close();
    throw translatePostgresError(error);
  }
  const clients = new SqlClientsRepository(sql);
  return {
    migration,
    users: new PostgresUsersRepository(db),
    userManagement: new PostgresUserManagementRepository(db),
    factors: new PostgresFactorsRepository(db),
    authSessions: new SqlAuthSessionsRepository(sql),
    interactionStates: new SqlInteractionStatesRepository(sql),
    attempts: new SqlAttemptsRepository(sql),
    failureCounters: new SqlAttemptsRepository(sql, 'failure_counters'),
    keys: new SqlKeysRepository(sql),
    clients,
    resourceServers: new SqlResourceServersRepository(sql),
    webauthnCredentials: new SqlWebAuthnCredentialsRepository(sql),
    webauthnChallenges: new SqlWebAuthnChallengesRepository(sql),
    recoveryCodes: new PostgresRecoveryCodesRepository(db),
    emailCodes: new PostgresEmailCodesRepository(db),
    pushDevices: new SqlPushDevicesRepository(sql),
    pushChallenges: new SqlPushChallengesRepository(sql),
    pushEnrollmentTokens: new SqlPushEnrollmentTokensRepository(sql),
    actions: new SqlActionsRepository(sql),
    userMetadata: new PostgresUserMetadataRepository(db),
    customClaims: new PostgresCustomClaimsRepository(db),
    auditEvents: new PostgresAuditEventsRepository(db),
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

/**
 * Migrates over a connection of its own, without the pool's statement timeout: a node waits for the
 * migration lock as long as another node's migration takes.
 */
async function migrateSchema(options: PostgresStoreOptions): Promise<MigrationOutcome> {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: 1,
    connectionTimeoutMillis: options.connectionTimeoutMs,
  });
  const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) });
  try {
    return await migrateStore(db, 'postgres');
  } finally {
    await db.destroy();
  }
}

import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { type MigrationOutcome, migrateStore } from '../sql/migrations/migrate-store.ts';
import type { Store } from '../store.ts';
import { PostgresActionsRepository } from './postgres-actions.ts';
import { PostgresAttemptsRepository } from './postgres-attempts.ts';
import { PostgresAuditEventsRepository } from './postgres-audit-events.ts';
import { PostgresAuthSessionsRepository } from './postgres-auth-sessions.ts';
import { PostgresClientsRepository } from './postgres-clients.ts';
import { PostgresCustomClaimsRepository } from './postgres-custom-claims.ts';
import { PostgresDatabase, type PostgresPoolOptions } from './postgres-database.ts';
import { PostgresEmailCodesRepository } from './postgres-email-codes.ts';
import { deleteExpiredPostgresRows } from './postgres-expired-rows.ts';
import { PostgresFactorsRepository } from './postgres-factors.ts';
import { PostgresInteractionStatesRepository } from './postgres-interaction-states.ts';
import { PostgresKeysRepository } from './postgres-keys.ts';
import { createPostgresOidcAdapter } from './postgres-oidc-adapter.ts';
import { PostgresPushChallengesRepository } from './postgres-push-challenges.ts';
import { PostgresPushDevicesRepository } from './postgres-push-devices.ts';
import { PostgresPushEnrollmentTokensRepository } from './postgres-push-enrollment-tokens.ts';
import { PostgresRecoveryCodesRepository } from './postgres-recovery-codes.ts';
import { PostgresResourceServersRepository } from './postgres-resource-servers.ts';
import { PostgresUserManagementRepository } from './postgres-user-management.ts';
import { PostgresUserMetadataRepository } from './postgres-user-metadata.ts';
import { PostgresUsersRepository } from './postgres-users.ts';
import { PostgresWebAuthnChallengesRepository } from './postgres-webauthn-challenges.ts';
import { PostgresWebAuthnCredentialsRepository } from './postgres-webauthn-credentials.ts';
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
  const db = new PostgresDatabase({
    ...poolOptions,
    onIdleConnectionError: (error) =>
      logger?.warn({ err: error }, 'PostgreSQL dropped an idle connection; new ones open when needed'),
  });
  let migration: MigrationOutcome;
  try {
    migration = await migrateSchema(options);
  } catch (error) {
    await db.close();
    throw translatePostgresError(error);
  }
  const clients = new PostgresClientsRepository(db);
  return {
    migration,
    users: new PostgresUsersRepository(db),
    userManagement: new PostgresUserManagementRepository(db),
    factors: new PostgresFactorsRepository(db),
    authSessions: new PostgresAuthSessionsRepository(db),
    interactionStates: new PostgresInteractionStatesRepository(db),
    attempts: new PostgresAttemptsRepository(db),
    failureCounters: new PostgresAttemptsRepository(db, 'failure_counters'),
    keys: new PostgresKeysRepository(db),
    clients,
    resourceServers: new PostgresResourceServersRepository(db),
    webauthnCredentials: new PostgresWebAuthnCredentialsRepository(db),
    webauthnChallenges: new PostgresWebAuthnChallengesRepository(db),
    recoveryCodes: new PostgresRecoveryCodesRepository(db),
    emailCodes: new PostgresEmailCodesRepository(db),
    pushDevices: new PostgresPushDevicesRepository(db),
    pushChallenges: new PostgresPushChallengesRepository(db),
    pushEnrollmentTokens: new PostgresPushEnrollmentTokensRepository(db),
    actions: new PostgresActionsRepository(db),
    userMetadata: new PostgresUserMetadataRepository(db),
    customClaims: new PostgresCustomClaimsRepository(db),
    auditEvents: new PostgresAuditEventsRepository(db),
    oidcAdapter: createPostgresOidcAdapter(db, clients),
    async deleteExpired(now) {
      return deleteExpiredPostgresRows(db, now);
    },
    async close() {
      await db.close();
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

import type { ActionsRepository } from './actions.ts';
import type { AttemptsRepository, FailureCountersRepository } from './attempts.ts';
import type { AuditEventsRepository } from './audit-events.ts';
import type { AuthSessionsRepository } from './auth-sessions.ts';
import type { AuthorizationDetailTypesRepository } from './authorization-detail-types.ts';
import type { PlainBearerIdRewrite } from './bearer-ids/plain-bearer-id-rewrite.ts';
import type { ClientsRepository } from './clients.ts';
import type { CustomClaimsRepository } from './custom-claims.ts';
import type { EmailCodesRepository } from './email-codes.ts';
import type { FactorsRepository } from './factors.ts';
import type { InteractionStatesRepository } from './interaction-states.ts';
import type { KeysRepository } from './keys.ts';
import type { OidcAdapterFactory } from './oidc-adapter.ts';
import type { PasswordResetTokensRepository } from './password-reset-tokens.ts';
import type { PushChallengesRepository } from './push-challenges.ts';
import type { PushDevicesRepository } from './push-devices.ts';
import type { PushEnrollmentTokensRepository } from './push-enrollment-tokens.ts';
import type { RecoveryCodesRepository } from './recovery-codes.ts';
import type { ResourceServersRepository } from './resource-servers.ts';
import type { SealedSecretsRepository } from './sealed-secrets.ts';
import type { UserManagementRepository } from './user-management.ts';
import type { UserMetadataRepository } from './user-metadata.ts';
import type { UsersRepository } from './users.ts';
import type { WebAuthnChallengesRepository } from './webauthn-challenges.ts';
import type { WebAuthnCredentialsRepository } from './webauthn-credentials.ts';

export type { OidcAdapterFactory } from './oidc-adapter.ts';

/** Every repository of one storage backend. */
export interface Store {
  users: UsersRepository;
  /** Operators' view of users: search, roles, blocking, metadata, removal, session revocation. */
  userManagement: UserManagementRepository;
  factors: FactorsRepository;
  authSessions: AuthSessionsRepository;
  interactionStates: InteractionStatesRepository;
  /** Fixed-window throttling counters; short-lived, so they move to Redis when it is configured. */
  attempts: AttemptsRepository;
  /**
   * Counters that must outlive a restart: consecutive failures and the lock they lead to (NIST SP
   * 800-63B 5.2.2). Always in the durable database, never in Redis, which runs without persistence.
   */
  failureCounters: FailureCountersRepository;
  keys: KeysRepository;
  /** Every sealed secret (TOTP seeds, Action secrets), for re-sealing them under a new key. */
  sealedSecrets: SealedSecretsRepository;
  clients: ClientsRepository;
  /** APIs that receive JWT access tokens (RFC 8707 resource indicators, RFC 9068). */
  resourceServers: ResourceServersRepository;
  /** The operator's `authorization_details` types (RFC 9396). */
  authorizationDetailTypes: AuthorizationDetailTypesRepository;
  /** Security keys and passkeys registered to users. */
  webauthnCredentials: WebAuthnCredentialsRepository;
  /** Single-use challenges of WebAuthn ceremonies in progress. */
  webauthnChallenges: WebAuthnChallengesRepository;
  /** Single-use recovery codes, stored hashed. */
  recoveryCodes: RecoveryCodesRepository;
  /** One-time codes sent by email, each bound to the login it was sent for. */
  emailCodes: EmailCodesRepository;
  /**
   * Single-use password reset links, stored under a keyed hash. Durable: never moved to Redis, a
   * link sent must still work after a restart.
   */
  passwordResetTokens: PasswordResetTokensRepository;
  /** Phones and terminals that answer push requests, with their public keys. */
  pushDevices: PushDevicesRepository;
  /** Push requests with number matching; each is answered once. */
  pushChallenges: PushChallengesRepository;
  /** Single-use enrollment tokens for push devices, stored hashed. */
  pushEnrollmentTokens: PushEnrollmentTokensRepository;
  /** Actions (post-login scripts) with their versions and execution log. */
  actions: ActionsRepository;
  /** The metadata Actions read and write (`api.user.setAppMetadata` / `setUserMetadata`). */
  userMetadata: UserMetadataRepository;
  /** Custom claims Actions set for an authorization, kept with its grant. */
  customClaims: CustomClaimsRepository;
  /** Authentication and administrative events, kept for the configured retention. */
  auditEvents: AuditEventsRepository;
  /** Pass as oidc-provider's `adapter` configuration option; `Client` is served from `clients`. */
  oidcAdapter: OidcAdapterFactory;
  /**
   * Rewrites oidc-provider instances still stored under a plain bearer id (by a release before
   * bearer ids were hashed, or an older node during a rolling upgrade) as `rewrite` says; returns
   * how many. Safe to run again, to stop midway and to run on several nodes at once.
   */
  hashPlainBearerIds(rewrite: PlainBearerIdRewrite): Promise<number>;
  /** Deletes rows whose lifetime ended before `now` (epoch seconds); returns how many. */
  deleteExpired(now: number): Promise<number>;
  close(): Promise<void>;
}

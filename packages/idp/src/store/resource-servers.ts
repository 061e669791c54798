import type { NewAuditEvent } from './audit-events.ts';

/** The JWS algorithms a resource server's access tokens may be signed with: the provider's own keys. */
export const RESOURCE_SERVER_SIGNING_ALGORITHMS = ['RS256', 'ES256', 'EdDSA'] as const;

export type ResourceServerSigningAlg = (typeof RESOURCE_SERVER_SIGNING_ALGORITHMS)[number];

/**
 * An API registered with the provider (RFC 8707 resource indicator). Access tokens for it are JWTs
 * (RFC 9068) whose `aud` is `identifier`, carrying `acr`, `amr` and `auth_time` for RFC 9470.
 */
export interface ResourceServerRecord {
  /** The resource indicator: an absolute URI without a fragment, also the tokens' `aud`. */
  identifier: string;
  /** The scopes a client may be granted for this API, in the order they were registered. */
  scopes: string[];
  /** Lifetime of access tokens for this API, in seconds. */
  accessTokenTtl: number;
  signingAlg: ResourceServerSigningAlg;
}

export interface ResourceServersRepository {
  /**
   * Creates or replaces the registration with the same `identifier`, and appends `auditEvent` when
   * given in the same transaction: both are written, or neither.
   */
  upsert(record: ResourceServerRecord, auditEvent?: NewAuditEvent): Promise<void>;
  find(identifier: string): Promise<ResourceServerRecord | undefined>;
  /** Every registration, ordered by `identifier`. */
  list(): Promise<ResourceServerRecord[]>;
  /**
   * Resolves true when a registration was removed; appends `auditEvent` in the same transaction when
   * one was.
   */
  remove(identifier: string, auditEvent?: NewAuditEvent): Promise<boolean>;
}

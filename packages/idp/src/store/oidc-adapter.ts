// oidc-provider 9 ships no typings, so this declares the adapter contract it calls
// (see oidc-provider's lib/adapters/memory_adapter.js and the "adapter" configuration docs).

/** What oidc-provider stores for one model instance; opaque apart from the indexed fields. */
export interface OidcAdapterPayload {
  [key: string]: unknown;
  jti?: string;
  kind?: string;
  grantId?: string;
  /** Set on `Session` payloads; looked up by `findByUid`. */
  uid?: string;
  /** Set on `DeviceCode` payloads; looked up by `findByUserCode`. */
  userCode?: string;
  /** Epoch seconds at which the token was consumed, set by the adapter on read. */
  consumed?: number;
}

/** One adapter instance serves one model name (`AuthorizationCode`, `Session`, `Client`, …). */
export interface OidcAdapter {
  /** `expiresIn` is in seconds; undefined means the instance does not expire. */
  upsert(id: string, payload: OidcAdapterPayload, expiresIn?: number): Promise<void>;
  /** Resolves undefined when absent or expired; sets `consumed` when consumed. */
  find(id: string): Promise<OidcAdapterPayload | undefined>;
  findByUserCode(userCode: string): Promise<OidcAdapterPayload | undefined>;
  findByUid(uid: string): Promise<OidcAdapterPayload | undefined>;
  /**
   * Marks a single-use instance as used. Rejects with oidc-provider's `InvalidGrant` when it was
   * already consumed, after revoking everything issued under its grant (RFC 9700 section 4.14.2).
   */
  consume(id: string): Promise<void>;
  /**
   * `consume` with a reuse interval, for refresh tokens whose response may have been lost: marks
   * the instance used at `now` (epoch seconds) when it was not. When it was used less than
   * `reuseIntervalSeconds` before `now`, a retry, resolves and changes nothing (the time it was first
   * used stays, so retries never stretch the interval). Otherwise revokes everything issued under
   * its grant, as `consume` does, and rejects with `InvalidGrant`. Atomic across nodes.
   */
  consumeAllowingRetry(id: string, rule: { now: number; reuseIntervalSeconds: number }): Promise<void>;
  destroy(id: string): Promise<void>;
  /** Removes every token issued under the grant, whatever this adapter's model name. */
  revokeByGrantId(grantId: string): Promise<void>;
}

/** The class oidc-provider's `adapter` configuration option accepts; it calls `new Adapter(modelName)`. */
export type OidcAdapterFactory = new (name: string) => OidcAdapter;

/**
 * Models whose instances belong to a grant and go with it when it is revoked. Others may carry a
 * `grantId` too (an `Interaction` resuming a grant) but are not tokens issued under it.
 */
export const GRANT_BOUND_MODELS: ReadonlySet<string> = new Set([
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
  'PreAuthorizedCode',
]);

import type { JWK } from 'jose';

/**
 * A signed-in person, as the application sees them. The authentication context (`acr`, `amr`,
 * `auth_time`, `sid`) is what the ID token said at the callback — validated there, and never upgraded
 * afterwards: refreshing tokens only replaces the tokens.
 *
 * @example
 * ```ts
 * const session: RpSession = {
 *   sub: '248289761001', acr: ACR_MULTI_FACTOR, amr: ['mfa', 'otp', 'pwd'], auth_time: 1_700_000_000,
 *   claims: { name: 'Alice' }, idToken: 'eyJ…', createdAt: 1_700_000_000, expiresAt: 1_700_043_200,
 * };
 * ```
 */
export interface RpSession {
  sub: string;
  /** The provider's session id (OIDC Front-/Back-Channel Logout), when it sent one. */
  sid?: string;
  acr?: string;
  amr?: string[];
  auth_time?: number;
  /** When the authentication reached its level (see `AuthenticationContext.acr_time`). */
  acr_time?: number;
  /** The other claims of the ID token (profile, email, …), verified at the callback. */
  claims: Record<string, unknown>;
  /** The ID token itself, kept as `id_token_hint` for logout. */
  idToken: string;
  accessToken?: string;
  /** Seconds since the epoch. */
  accessTokenExpiresAt?: number;
  refreshToken?: string;
  scope?: string;
  /**
   * The session's DPoP private key (a JWK with its `alg`) when the app uses DPoP: its tokens are bound
   * to it. Kept only in the server-side session store; never send it to the browser.
   */
  dpopKey?: JWK;
  /** When the session was created (the callback), in seconds since the epoch. */
  createdAt: number;
  /** When the session ends, whatever happens, in seconds since the epoch. */
  expiresAt: number;
  /** The last transaction-bound step-up approved (`requireTransaction`), until a guard uses it once. */
  transactionApproval?: TransactionApproval;
}

/**
 * An approval of one transaction (RFC 9396 `authorization_details`), as checked at the callback.
 *
 * @example
 * ```ts
 * const approval: TransactionApproval = { id: 'k3…', authorizationDetails: '[{"iban":"…","type":"payout_account_change"}]', approvedAt: 1_700_000_000 };
 * ```
 */
export interface TransactionApproval {
  /** Unique per approval (the login's `state`): what single use is recorded under. */
  id: string;
  /** The approved `authorization_details`, in canonical JSON. */
  authorizationDetails: string;
  /** The `auth_time` of the approval. */
  approvedAt: number;
}

function isTransactionApproval(value: unknown): value is TransactionApproval {
  if (typeof value !== 'object' || value === null) return false;
  const approval = value as Record<string, unknown>;
  return (
    typeof approval.id === 'string' &&
    typeof approval.authorizationDetails === 'string' &&
    Number.isSafeInteger(approval.approvedAt)
  );
}

/** Reads a session back from storage, refusing anything that is not exactly its shape. */
export function toRpSession(value: unknown): RpSession | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const session = value as Record<string, unknown>;
  const optionalString = (name: string) => session[name] === undefined || typeof session[name] === 'string';
  const optionalInteger = (name: string) =>
    session[name] === undefined || Number.isSafeInteger(session[name]);
  if (typeof session.sub !== 'string' || typeof session.idToken !== 'string') return undefined;
  if (!Number.isSafeInteger(session.createdAt) || !Number.isSafeInteger(session.expiresAt)) return undefined;
  if (typeof session.claims !== 'object' || session.claims === null) return undefined;
  if (!['sid', 'acr', 'accessToken', 'refreshToken', 'scope'].every(optionalString)) return undefined;
  if (!['auth_time', 'acr_time', 'accessTokenExpiresAt'].every(optionalInteger)) return undefined;
  const dpopKey = session.dpopKey as Record<string, unknown> | undefined;
  if (
    dpopKey !== undefined &&
    (typeof dpopKey !== 'object' ||
      dpopKey === null ||
      typeof dpopKey.kty !== 'string' ||
      typeof dpopKey.alg !== 'string' ||
      typeof dpopKey.d !== 'string')
  ) {
    return undefined;
  }
  if (
    session.amr !== undefined &&
    !(Array.isArray(session.amr) && session.amr.every((v) => typeof v === 'string'))
  ) {
    return undefined;
  }
  if (session.transactionApproval !== undefined && !isTransactionApproval(session.transactionApproval)) {
    return undefined;
  }
  return session as unknown as RpSession;
}

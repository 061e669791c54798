/**
 * Every failure `@stepup/rp` reports, as a stable code to switch on. Messages are for people and may
 * change; codes do not.
 *
 * @example
 * ```ts
 * const code: StepupRpErrorCode = 'nonce_mismatch';
 * ```
 */
export type StepupRpErrorCode =
  // The provider and the callback.
  | 'discovery_failed'
  | 'transaction_missing'
  | 'transaction_replayed'
  | 'state_store_unavailable'
  | 'authorization_error'
  | 'authorization_request_failed'
  | 'token_request_failed'
  // The provider refused this app's own credentials (its client secret is wrong or missing).
  | 'client_authentication_failed'
  | 'resource_request_failed'
  | 'id_token_missing'
  | 'session_missing'
  | 'subject_mismatch'
  // A logout posted by another site's page (cross-site request forgery).
  | 'cross_site_logout'
  // A token (ID token or access token) that is not what it claims.
  | 'token_missing'
  | 'token_too_large'
  | 'token_malformed'
  | 'alg_not_allowed'
  | 'key_not_found'
  | 'jwks_unavailable'
  | 'signature_invalid'
  | 'typ_invalid'
  | 'issuer_mismatch'
  | 'audience_mismatch'
  | 'azp_mismatch'
  | 'token_expired'
  | 'token_not_yet_valid'
  | 'issued_in_future'
  | 'claim_invalid'
  | 'nonce_mismatch'
  | 'auth_time_missing'
  | 'authentication_too_old'
  // DPoP (RFC 9449): a proof that does not hold, or a token presented without the proof it is bound to.
  | 'dpop_proof_missing'
  | 'dpop_proof_invalid'
  | 'dpop_signature_invalid'
  | 'dpop_method_mismatch'
  | 'dpop_url_mismatch'
  | 'dpop_proof_stale'
  | 'dpop_ath_mismatch'
  | 'dpop_key_mismatch'
  | 'dpop_proof_replayed'
  | 'dpop_nonce_required'
  | 'dpop_replay_store_unavailable'
  | 'dpop_binding_required'
  | 'dpop_token_unbound'
  // A valid token whose authentication or grant is not enough.
  | 'step_up_unmet'
  | 'insufficient_scope'
  | 'insufficient_user_authentication'
  // A transaction-bound step-up (RFC 9396): the approval is for other details, stale, or already used.
  | 'authorization_details_mismatch'
  | 'approval_stale'
  | 'approval_replayed';

const DEFAULT_STATUS: Record<StepupRpErrorCode, number> = {
  discovery_failed: 502,
  transaction_missing: 400,
  transaction_replayed: 400,
  state_store_unavailable: 503,
  authorization_error: 403,
  authorization_request_failed: 502,
  token_request_failed: 502,
  client_authentication_failed: 500,
  resource_request_failed: 502,
  id_token_missing: 502,
  session_missing: 401,
  subject_mismatch: 401,
  cross_site_logout: 403,
  token_missing: 401,
  token_too_large: 401,
  token_malformed: 401,
  alg_not_allowed: 401,
  key_not_found: 401,
  jwks_unavailable: 503,
  signature_invalid: 401,
  typ_invalid: 401,
  issuer_mismatch: 401,
  audience_mismatch: 401,
  azp_mismatch: 401,
  token_expired: 401,
  token_not_yet_valid: 401,
  issued_in_future: 401,
  claim_invalid: 401,
  nonce_mismatch: 401,
  auth_time_missing: 401,
  authentication_too_old: 401,
  dpop_proof_missing: 401,
  dpop_proof_invalid: 401,
  dpop_signature_invalid: 401,
  dpop_method_mismatch: 401,
  dpop_url_mismatch: 401,
  dpop_proof_stale: 401,
  dpop_ath_mismatch: 401,
  dpop_key_mismatch: 401,
  dpop_proof_replayed: 401,
  dpop_nonce_required: 401,
  dpop_replay_store_unavailable: 503,
  dpop_binding_required: 401,
  dpop_token_unbound: 401,
  step_up_unmet: 403,
  insufficient_scope: 403,
  insufficient_user_authentication: 401,
  authorization_details_mismatch: 403,
  approval_stale: 403,
  approval_replayed: 403,
};

/**
 * The one error `@stepup/rp` throws for protocol failures: a stable `code`, the HTTP `status` it
 * answers with, a public `message` safe to show, and `detail` for logs only (it may name claim values).
 * Misuse of the API by a programmer is a `TypeError` instead.
 *
 * @example
 * ```ts
 * try {
 *   await guard.verify(token);
 * } catch (error) {
 *   if (error instanceof StepupRpError && error.code === 'token_expired') {
 *     // ask for a new token
 *   }
 * }
 * ```
 */
export class StepupRpError extends Error {
  readonly code: StepupRpErrorCode;
  readonly status: number;
  /** Internal detail for logs; never sent to the browser or the API client. */
  readonly detail: string | undefined;

  constructor(
    code: StepupRpErrorCode,
    message: string,
    options: { detail?: string; status?: number; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'StepupRpError';
    this.code = code;
    this.status = options.status ?? DEFAULT_STATUS[code];
    this.detail = options.detail;
  }
}

/**
 * Whether `error` is a {@link StepupRpError}, optionally with one of `codes`.
 *
 * @example
 * ```ts
 * if (isStepupRpError(error, 'token_expired', 'token_not_yet_valid')) console.log(error.detail);
 * ```
 */
export function isStepupRpError(error: unknown, ...codes: StepupRpErrorCode[]): error is StepupRpError {
  return error instanceof StepupRpError && (codes.length === 0 || codes.includes(error.code));
}

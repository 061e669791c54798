import { type BearerChallenge, formatBearerChallenge, INSUFFICIENT_USER_AUTHENTICATION } from '@stepup/core';
import type { StepupRpError, StepupRpErrorCode } from '../errors.ts';
import type { ResolvedPolicy } from '../policy/step-up-policy.ts';
import { formatDpopChallenge } from './dpop-challenge.ts';

/** How the guard speaks DPoP, for its challenges. */
export interface DpopChallengeContext {
  /** The scheme of the request's `Authorization` header. */
  scheme: 'Bearer' | 'DPoP';
  algorithms: readonly string[];
  /** Only `DPoP` is offered when tokens must be DPoP-bound. */
  required: boolean;
  /** The current server nonce, sent as `DPoP-Nonce` with every DPoP challenge, when nonces are on. */
  nonce?: string;
}

/** Proof failures: RFC 9449 7.1 `invalid_dpop_proof`. */
const PROOF_ERRORS: readonly StepupRpErrorCode[] = [
  'dpop_proof_missing',
  'dpop_proof_invalid',
  'dpop_signature_invalid',
  'dpop_method_mismatch',
  'dpop_url_mismatch',
  'dpop_proof_stale',
  'dpop_ath_mismatch',
  'dpop_key_mismatch',
  'dpop_proof_replayed',
];

/**
 * The answer to a request the bearer guard refuses (RFC 6750 3, RFC 9470 3, RFC 9449 7.1):
 * - no token: 401 with a bare `Bearer` challenge (no error code, RFC 6750 3.1), and a `DPoP` one
 *   with `algs` when the guard speaks DPoP (only that one when DPoP is required);
 * - a token that does not verify: 401 `invalid_token`;
 * - a DPoP proof that does not hold: 401 `DPoP error="invalid_dpop_proof"`; a missing or old
 *   server nonce: 401 `DPoP error="use_dpop_nonce"` with a `DPoP-Nonce` header (RFC 9449 9);
 * - a DPoP-bound token presented as `Bearer`: 401 `DPoP error="invalid_token"`;
 * - missing scopes: 403 `insufficient_scope` with the scopes needed;
 * - an authentication too weak or too old: 401 `insufficient_user_authentication` with `acr_values`
 *   and `max_age` for the client's next authorization request;
 * - the provider's keys or the replay store cannot be reached: 503, no challenge (the token may be fine).
 *
 * Challenges use the scheme the token came with; a `DPoP` one always carries `algs`.
 */
export function createBearerErrorResponse(
  error: StepupRpError,
  context: {
    realm?: string;
    scopes: readonly string[];
    policy?: ResolvedPolicy;
    dpop?: DpopChallengeContext;
  },
): Response {
  const realm = context.realm === undefined ? {} : { realm: context.realm };
  const { dpop } = context;
  const respond = (
    status: number,
    body: Record<string, string>,
    challenge?: BearerChallenge,
    scheme: 'Bearer' | 'DPoP' = dpop?.scheme ?? 'Bearer',
  ) => {
    const headers = new Headers({ 'content-type': 'application/json', 'cache-control': 'no-store' });
    if (challenge !== undefined) {
      if (scheme === 'DPoP' && dpop !== undefined) {
        headers.set('www-authenticate', formatDpopChallenge(challenge, dpop.algorithms));
        if (dpop.nonce !== undefined) headers.set('dpop-nonce', dpop.nonce);
      } else {
        headers.set('www-authenticate', formatBearerChallenge(challenge));
      }
    }
    return new Response(JSON.stringify(body), { status, headers });
  };
  const invalid = (code: string, scheme?: 'Bearer' | 'DPoP') =>
    respond(
      401,
      { error: code, error_description: error.message },
      { ...realm, error: code, error_description: error.message },
      scheme,
    );

  if (PROOF_ERRORS.includes(error.code)) return invalid('invalid_dpop_proof', 'DPoP');
  switch (error.code) {
    case 'token_missing': {
      const body = JSON.stringify({ error: 'unauthorized', error_description: error.message });
      const headers = new Headers({ 'content-type': 'application/json', 'cache-control': 'no-store' });
      if (dpop === undefined || !dpop.required)
        headers.append('www-authenticate', formatBearerChallenge(realm));
      if (dpop !== undefined) headers.append('www-authenticate', formatDpopChallenge(realm, dpop.algorithms));
      return new Response(body, { status: 401, headers });
    }
    case 'jwks_unavailable':
    case 'dpop_replay_store_unavailable':
      return respond(503, { error: 'temporarily_unavailable', error_description: error.message });
    case 'dpop_nonce_required':
      return invalid('use_dpop_nonce', 'DPoP');
    case 'dpop_binding_required':
      return invalid('invalid_token', 'DPoP');
    case 'insufficient_scope': {
      const scope = context.scopes.join(' ');
      return respond(
        403,
        { error: 'insufficient_scope', error_description: error.message },
        { ...realm, error: 'insufficient_scope', error_description: error.message, scope },
      );
    }
    case 'insufficient_user_authentication': {
      const { policy } = context;
      return respond(
        401,
        { error: INSUFFICIENT_USER_AUTHENTICATION, error_description: error.message },
        {
          ...realm,
          error: INSUFFICIENT_USER_AUTHENTICATION,
          error_description: error.message,
          ...(policy && policy.acrValues.length > 0 ? { acr_values: policy.acrValues.join(' ') } : {}),
          ...(policy?.maxAge === undefined ? {} : { max_age: policy.maxAge }),
        },
      );
    }
    default:
      return invalid('invalid_token');
  }
}

import { formatBearerChallenge, INSUFFICIENT_USER_AUTHENTICATION } from '@stepup/core';
import type { StepupRpError } from '../errors.ts';
import type { ResolvedPolicy } from '../policy/step-up-policy.ts';

/**
 * The answer to a request the bearer guard refuses (RFC 6750 3, RFC 9470 3):
 * - no token: 401 with a bare `Bearer` challenge (no error code, RFC 6750 3.1);
 * - a token that does not verify: 401 `invalid_token`;
 * - missing scopes: 403 `insufficient_scope` with the scopes needed;
 * - an authentication too weak or too old: 401 `insufficient_user_authentication` with `acr_values`
 *   and `max_age` for the client's next authorization request;
 * - the provider's keys cannot be loaded: 503, no challenge (the token may be fine).
 */
export function createBearerErrorResponse(
  error: StepupRpError,
  context: { realm?: string; scopes: readonly string[]; policy?: ResolvedPolicy },
): Response {
  const realm = context.realm === undefined ? {} : { realm: context.realm };
  const json = (status: number, body: Record<string, string>, challenge?: string) =>
    new Response(JSON.stringify(body), {
      status,
      headers: {
        'content-type': 'application/json',
        'cache-control': 'no-store',
        ...(challenge === undefined ? {} : { 'www-authenticate': challenge }),
      },
    });
  switch (error.code) {
    case 'token_missing':
      return json(
        401,
        { error: 'unauthorized', error_description: error.message },
        formatBearerChallenge(realm),
      );
    case 'jwks_unavailable':
      return json(503, { error: 'temporarily_unavailable', error_description: error.message });
    case 'insufficient_scope': {
      const scope = context.scopes.join(' ');
      return json(
        403,
        { error: 'insufficient_scope', error_description: error.message },
        formatBearerChallenge({
          ...realm,
          error: 'insufficient_scope',
          error_description: error.message,
          scope,
        }),
      );
    }
    case 'insufficient_user_authentication': {
      const { policy } = context;
      return json(
        401,
        { error: INSUFFICIENT_USER_AUTHENTICATION, error_description: error.message },
        formatBearerChallenge({
          ...realm,
          error: INSUFFICIENT_USER_AUTHENTICATION,
          error_description: error.message,
          ...(policy && policy.acrValues.length > 0 ? { acr_values: policy.acrValues.join(' ') } : {}),
          ...(policy?.maxAge === undefined ? {} : { max_age: policy.maxAge }),
        }),
      );
    }
    default:
      return json(
        401,
        { error: 'invalid_token', error_description: error.message },
        formatBearerChallenge({ ...realm, error: 'invalid_token', error_description: error.message }),
      );
  }
}

import { ACR_MULTI_FACTOR, formatBearerChallenge, INSUFFICIENT_USER_AUTHENTICATION } from '@stepup/core';
import {
  canonicalReceivedDetails,
  toTransactionDetails,
} from '../authorization-details/transaction-details.ts';
import { StepupRpError } from '../errors.ts';
import type { StepUpPolicy } from '../policy/step-up-policy.ts';
import type { UsedStateStore } from '../transaction/used-state-store.ts';
import type { BearerCheckResult, BearerGuard } from './create-bearer-guard.ts';

/**
 * What an API call needs to be a transaction approved for it: an access token carrying exactly these
 * `authorization_details` (RFC 9396 section 9), from an authentication meeting `policy` (default
 * multi-factor) at most `maxAge` seconds old (default 300), used once (`usedApprovals`, keyed by the
 * token's `jti`; share it between the API's nodes).
 *
 * @example
 * ```ts
 * const requirement: TransactionTokenRequirement = {
 *   type: 'payout_account_change',
 *   details: { iban, holder },
 *   usedApprovals: createMemoryUsedStateStore(),
 * };
 * ```
 */
export interface TransactionTokenRequirement {
  type: string;
  details: Record<string, unknown>;
  usedApprovals: UsedStateStore;
  policy?: StepUpPolicy;
  maxAge?: number;
  realm?: string;
  clock?: () => number;
  clockSkew?: number;
}

const DEFAULT_POLICY: StepUpPolicy = { acr: [ACR_MULTI_FACTOR] };

/**
 * The RFC 9470 answer asking for a transaction-bound step-up: `insufficient_user_authentication`
 * with `acr_values`, `max_age`, and the `authorization_details` to approve — in the challenge as
 * base64url of their canonical JSON (a quoted string cannot hold JSON's quotes, RFC 6750 3), and in
 * the JSON body as they are.
 */
function transactionChallenge(
  error: StepupRpError,
  authorizationDetails: string,
  context: { realm?: string; acrValues: readonly string[]; maxAge: number },
): Response {
  const challenge = formatBearerChallenge({
    ...(context.realm === undefined ? {} : { realm: context.realm }),
    error: INSUFFICIENT_USER_AUTHENTICATION,
    error_description: error.message,
    ...(context.acrValues.length > 0 ? { acr_values: context.acrValues.join(' ') } : {}),
    max_age: context.maxAge,
  });
  // base64url without Buffer: the bearer guard also runs on Workers, Deno and Bun.
  const bytes = new TextEncoder().encode(authorizationDetails);
  const encoded = btoa(String.fromCharCode(...bytes))
    .replaceAll('+', '-')
    .replaceAll('/', '_')
    .replace(/=+$/, '');
  return Response.json(
    {
      error: INSUFFICIENT_USER_AUTHENTICATION,
      error_description: error.message,
      authorization_details: JSON.parse(authorizationDetails) as unknown,
    },
    {
      status: 401,
      headers: {
        'cache-control': 'no-store',
        'www-authenticate': `${challenge}, authorization_details="${encoded}"`,
      },
    },
  );
}

/**
 * The bearer guard's `requireTransaction`: checks the request's access token with `guard` (signature,
 * claims, scopes, `policy`), then that it approves exactly this transaction, recently, and for the
 * first time. A token for other details, without details, too old or already used gets a 401
 * `insufficient_user_authentication` challenge naming the details to approve; a failing store, a 503.
 *
 * @example
 * ```ts
 * const result = await checkTransactionToken(guard, request, requirement);
 * if (!result.ok) return result.response;
 * await payroll.changePayoutAccount(result.token.sub, { iban, holder });
 * ```
 */
export async function checkTransactionToken(
  guard: BearerGuard,
  request: Request,
  requirement: TransactionTokenRequirement,
): Promise<BearerCheckResult> {
  const authorizationDetails = toTransactionDetails(requirement.type, requirement.details);
  if (typeof requirement.usedApprovals?.consume !== 'function') {
    throw new TypeError('checkTransactionToken: usedApprovals must have a consume method');
  }
  const maxAge = requirement.maxAge ?? 300;
  if (!Number.isSafeInteger(maxAge) || maxAge < 1) {
    throw new TypeError('checkTransactionToken: maxAge must be a positive integer of seconds');
  }
  const policy = requirement.policy ?? DEFAULT_POLICY;
  const checked = await guard.check(request, { policy });
  if (!checked.ok) return checked;
  const { token } = checked;
  const now = (requirement.clock ?? (() => Math.floor(Date.now() / 1000)))();
  const skew = requirement.clockSkew ?? 30;
  const acrValues = policy.acrValues ?? policy.acr ?? [];
  const refuse = (error: StepupRpError): BearerCheckResult => ({
    ok: false,
    error,
    response: transactionChallenge(error, authorizationDetails, {
      ...(requirement.realm === undefined ? {} : { realm: requirement.realm }),
      acrValues,
      maxAge,
    }),
  });

  const received = canonicalReceivedDetails(token.claims.authorization_details);
  if (received !== authorizationDetails) {
    return refuse(
      new StepupRpError('insufficient_user_authentication', 'This request needs its own approval.', {
        detail: `token ${token.jti}: authorization_details ${received ?? '(none)'}; required ${authorizationDetails}`,
      }),
    );
  }
  if (token.auth_time === undefined || token.auth_time < now - maxAge - skew) {
    return refuse(
      new StepupRpError('insufficient_user_authentication', 'The approval is too old; approve again.', {
        detail: `token ${token.jti}: auth_time ${token.auth_time ?? '(none)'}, now ${now}, max_age ${maxAge}`,
      }),
    );
  }
  let firstUse: boolean;
  try {
    firstUse = await requirement.usedApprovals.consume(`token:${token.jti}`, token.exp + skew);
  } catch (cause) {
    const error = new StepupRpError('state_store_unavailable', 'The approval could not be checked.', {
      detail: `usedApprovals.consume: ${cause instanceof Error ? cause.message : String(cause)}`,
      cause,
    });
    return {
      ok: false,
      error,
      response: Response.json(
        { error: 'temporarily_unavailable', error_description: error.message },
        { status: 503, headers: { 'cache-control': 'no-store' } },
      ),
    };
  }
  if (!firstUse) {
    return refuse(
      new StepupRpError(
        'insufficient_user_authentication',
        'This approval was already used; approve again.',
        {
          detail: `token ${token.jti} replayed`,
        },
      ),
    );
  }
  return checked;
}

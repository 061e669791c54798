import { ACR_MULTI_FACTOR } from '@stepup/core';
import { toTransactionDetails } from '../authorization-details/transaction-details.ts';
import { StepupRpError } from '../errors.ts';
import type { ResolvedPolicy, StepUpPolicy } from '../policy/step-up-policy.ts';
import { startLogin } from '../routes/start-login.ts';
import type { RpContext } from '../rp-context.ts';
import { type RouteGuard, returnPathOf } from './route-guard.ts';

/**
 * The `authorization_details` members of a transaction (without `type`), or how to read them from
 * the request. A function that throws (invalid input) passes the error to the framework.
 *
 * @example
 * ```ts
 * const details: TransactionDetailsOf<Request> = (request) => ({ iban: new URL(request.url).searchParams.get('iban') });
 * ```
 */
export type TransactionDetailsOf<R> =
  | Record<string, unknown>
  | ((request: R) => Record<string, unknown> | Promise<Record<string, unknown>>);

/**
 * How a transaction is to be approved: the policy the approving authentication must meet (MFA by
 * default), and how long after that authentication its approval may still be used.
 */
export interface TransactionGuardOptions {
  policy: ResolvedPolicy;
  /** Seconds after the approval's `auth_time` during which it may be used (once). */
  approvalMaxAge: number;
  /** The resource indicator (RFC 8707) of this transaction's authorization request, if it has its own. */
  resource?: string;
}

/**
 * Options of {@link StepupRp.requireTransaction}.
 *
 * @example
 * ```ts
 * const options: TransactionOptions = {
 *   policy: { acr: [ACR_PHISHING_RESISTANT] },
 *   approvalMaxAge: 120,
 *   resource: 'https://salary.example/payout-account',
 * };
 * ```
 */
export interface TransactionOptions {
  policy?: string | StepUpPolicy;
  approvalMaxAge?: number;
  /**
   * The resource indicator (RFC 8707) sent with this transaction's authorization request only, in
   * place of the SDK-wide `resource` option. Providers that require a resource with
   * `authorization_details` (oidc-provider does) need one here or SDK-wide. An absolute URI.
   */
  resource?: string;
}

const DEFAULT_TRANSACTION_POLICY: StepUpPolicy = { acr: [ACR_MULTI_FACTOR] };

/** Checks the options of `requireTransaction` (a `TypeError` names a bad one) and resolves its policy. */
export function resolveTransactionOptions(
  options: TransactionOptions,
  select: (policy: string | StepUpPolicy) => ResolvedPolicy,
): TransactionGuardOptions {
  const approvalMaxAge = options.approvalMaxAge ?? 300;
  if (!Number.isSafeInteger(approvalMaxAge) || approvalMaxAge < 1 || approvalMaxAge > 3600) {
    throw new TypeError('requireTransaction: approvalMaxAge must be an integer from 1 to 3600 seconds');
  }
  const { resource } = options;
  if (resource !== undefined && (typeof resource !== 'string' || URL.parse(resource) === null)) {
    throw new TypeError('requireTransaction: resource must be an absolute URI (RFC 8707)');
  }
  return { policy: select(options.policy ?? DEFAULT_TRANSACTION_POLICY), approvalMaxAge, resource };
}

/** The key the single use of an approval is recorded under, apart from the login states. */
function approvalKey(id: string): string {
  return `approval:${id}`;
}

/**
 * The guard of a transaction-bound step-up (RFC 9396 `authorization_details`). It lets a request
 * through only when the session holds an approval of exactly these details, fresh, and not used
 * before — and uses it up, atomically, in the used-state store (so a replayed session cookie, or a
 * second node, cannot use it again). Anything else starts a step-up carrying the details, whatever
 * the method: the details travel in the login transaction, not in the request body. What comes back
 * is checked at the callback; a mismatch ends there in a 403 page, never in another redirect.
 */
export function createTransactionGuard(
  context: RpContext,
  type: string,
  details: Record<string, unknown>,
  guardOptions: TransactionGuardOptions,
): RouteGuard {
  const authorizationDetails = toTransactionDetails(type, details);
  const { options } = context;
  return async (request) => {
    const session = await context.sessions.read(request);
    const approval = session?.transactionApproval;
    const now = options.clock();
    if (
      session !== undefined &&
      approval !== undefined &&
      approval.authorizationDetails === authorizationDetails &&
      now <= approval.approvedAt + guardOptions.approvalMaxAge + options.clockSkew
    ) {
      let firstUse: boolean;
      try {
        firstUse = await context.usedStates.consume(
          approvalKey(approval.id),
          approval.approvedAt + guardOptions.approvalMaxAge + options.clockSkew + 1,
        );
      } catch (cause) {
        // Fail closed: an approval whose single use cannot be recorded is not used.
        const error = new StepupRpError('state_store_unavailable', 'The approval could not be checked.', {
          detail: `usedStateStore.consume: ${cause instanceof Error ? cause.message : String(cause)}`,
          cause,
        });
        options.onError(error, request);
        return {
          allowed: false,
          response: new Response(error.message, {
            status: error.status,
            headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' },
          }),
        };
      }
      if (firstUse) return { allowed: true, session };
      // Reported, then treated as no approval at all: a new one must be given for this request.
      options.onError(
        new StepupRpError('approval_replayed', 'This approval was already used.', {
          detail: `approval ${approval.id} for sub ${session.sub}`,
        }),
        request,
      );
    }
    return {
      allowed: false,
      response: await startLogin(
        context,
        {
          returnTo: returnPathOf(context, request),
          policy: guardOptions.policy,
          authorizationDetails,
          resource: guardOptions.resource,
        },
        request,
      ),
    };
  };
}

import { type AcrLadder, type AmrValue, evaluateRequirement, type UnmetRequirement } from '@stepup/core';
import type { ResolvedPolicy } from './step-up-policy.ts';

/**
 * What a token said about the authentication: each claim only when it was present and well typed.
 * Providers differ (Keycloak sends no `amr` by default, Auth0 drops it on refresh), so all are optional.
 *
 * @example
 * ```ts
 * const context: AuthenticationContext = { acr: ACR_MULTI_FACTOR, amr: ['mfa', 'otp', 'pwd'], auth_time: 1_700_000_000 };
 * ```
 */
export interface AuthenticationContext {
  acr?: string;
  amr?: string[];
  auth_time?: number;
  /**
   * When the authentication reached its level — for a password then a second factor, the second
   * factor's time — from a Stepup provider (`acrTimeClaimName`); between `auth_time` and the token's
   * `iat`. Policies never read it: `max_age` is measured from `auth_time`.
   */
  acr_time?: number;
}

/**
 * The verdict on a context: satisfied, or the parts of the policy that are not met.
 *
 * @example
 * ```ts
 * const verdict: PolicyVerdict = { satisfied: false, unmet: ['amr'] };
 * ```
 */
export type PolicyVerdict = { satisfied: true } | { satisfied: false; unmet: UnmetRequirement[] };

/**
 * Evaluates a context against a policy with `@stepup/core`'s ranking. A part the policy asks for
 * whose claim is absent is unmet: no `acr` meets an acr requirement, no `auth_time` meets no
 * `maxAge`, no `amr` holds no value.
 *
 * @example
 * ```ts
 * evaluatePolicy({ acr: ACR_ONE_FACTOR, amr: ['pwd'] }, policy, { ladder: DEFAULT_ACR_LADDER, now, skew: 30 });
 * // { satisfied: false, unmet: ['amr'] }
 * ```
 */
export function evaluatePolicy(
  context: AuthenticationContext,
  policy: ResolvedPolicy,
  options: { ladder: AcrLadder; now: number; skew: number },
): PolicyVerdict {
  const missing = new Set<UnmetRequirement>();
  if (policy.acr.length > 0 && context.acr === undefined) missing.add('acr');
  if (policy.maxAge !== undefined && context.auth_time === undefined) missing.add('max_age');
  const verdict = evaluateRequirement(
    { acr: context.acr ?? '', amr: context.amr ?? [], auth_time: context.auth_time ?? options.now },
    {
      ...(policy.acr.length > 0 ? { acr: policy.acr } : {}),
      ...(policy.amr.length > 0 ? { amr: policy.amr as readonly AmrValue[] } : {}),
      ...(policy.maxAge === undefined ? {} : { maxAge: policy.maxAge }),
    },
    { ladder: options.ladder, now: options.now, skew: options.skew },
  );
  if (!verdict.satisfied) for (const part of verdict.unmet) missing.add(part);
  if (missing.size === 0) return { satisfied: true };
  const order: UnmetRequirement[] = ['acr', 'amr', 'max_age'];
  return { satisfied: false, unmet: order.filter((part) => missing.has(part)) };
}

import {
  type AcrLadder,
  type AuthContext,
  computeAuthContext,
  type ProvenMethod,
  satisfies,
} from '@stepup/core';
import type { RequestedAuthentication } from '../oidc/requested-authentication.ts';

export interface SessionEvaluation {
  /** What the fresh proofs add up to, undefined when nothing counts. */
  context: AuthContext | undefined;
  satisfied: boolean;
  /** Proofs that count for this request: all of them, or those within `max_age`. */
  freshProofs: ProvenMethod[];
}

/**
 * Measures a session's proofs against what a request asks. Proofs made since `interactionStartedAt`
 * (the login interaction that is running or just ended) count as fresh whatever `max_age` says, so
 * `max_age=0` is met by the authentication the person has just performed.
 */
export function evaluateSession(options: {
  proofs: readonly ProvenMethod[];
  request: RequestedAuthentication;
  ladder: AcrLadder;
  now: number;
  interactionStartedAt?: number;
}): SessionEvaluation {
  const { ladder, now, interactionStartedAt } = options;
  let { requirement } = options.request;
  let notBefore: number | undefined;
  if (requirement.maxAge !== undefined) {
    notBefore = Math.min(now - requirement.maxAge, interactionStartedAt ?? now);
    requirement = { ...requirement, maxAge: now - notBefore };
  }
  const freshProofs = options.proofs.filter((proof) => notBefore === undefined || proof.at >= notBefore);
  const context = computeAuthContext(freshProofs, ladder, { now });
  return {
    context,
    satisfied: context !== undefined && satisfies(context, requirement, { ladder, now }),
    freshProofs,
  };
}

import {
  type AcrLadder,
  type AuthContext,
  computeAuthContext,
  type ProvenMethod,
  satisfies,
} from '@stepup/core';
import type { RequestedAuthentication } from '../oidc/requested-authentication.ts';
import { mergeProofs } from './session-proofs.ts';

export interface SessionEvaluation {
  /** What the fresh proofs add up to, undefined when nothing counts. */
  context: AuthContext | undefined;
  satisfied: boolean;
  /** Proofs that count for this request: those it may build on, within `max_age`. */
  freshProofs: ProvenMethod[];
}

/** The login interaction that is running or just ended: what it proved, and when it began. */
export interface InteractionProofs {
  proofs: readonly ProvenMethod[];
  startedAt: number;
}

/**
 * The proofs a request may build on. A forced re-authentication (`prompt=login`, `max_age=0`) reuses
 * no level from an earlier authentication, as Keycloak does: only what this interaction proved counts.
 * Otherwise the session's proofs and the interaction's do.
 */
export function proofsForRequest(
  request: RequestedAuthentication,
  sessionProofs: readonly ProvenMethod[],
  interaction: InteractionProofs | undefined,
): ProvenMethod[] {
  const provenHere = interaction?.proofs ?? [];
  return request.reauthenticate ? [...provenHere] : mergeProofs(sessionProofs, provenHere);
}

/**
 * Measures a session's proofs against what a request asks. `max_age` is measured from the request:
 * proofs made since the interaction began count as fresh whatever it says, older ones only when they
 * are younger than `max_age`; so `auth_time >= request time - max_age` always holds.
 */
export function evaluateSession(options: {
  sessionProofs: readonly ProvenMethod[];
  interaction?: InteractionProofs;
  request: RequestedAuthentication;
  ladder: AcrLadder;
  now: number;
}): SessionEvaluation {
  const { ladder, now, interaction } = options;
  let { requirement } = options.request;
  let notBefore: number | undefined;
  if (requirement.maxAge !== undefined) {
    notBefore = Math.min(now - requirement.maxAge, interaction?.startedAt ?? now);
    requirement = { ...requirement, maxAge: now - notBefore };
  }
  const freshProofs = proofsForRequest(options.request, options.sessionProofs, interaction).filter(
    (proof) => notBefore === undefined || proof.at >= notBefore,
  );
  const context = computeAuthContext(freshProofs, ladder, { now });
  return {
    context,
    satisfied: context !== undefined && satisfies(context, requirement, { ladder, now }),
    freshProofs,
  };
}

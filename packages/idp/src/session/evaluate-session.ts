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
  /**
   * When the authentication reached its level: the latest proof that counts toward the context's
   * `acr` and `amr` (those at or after its `auth_time`); undefined when nothing counts.
   */
  acrTime: number | undefined;
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
    acrTime: context && latestProofBehind(context, freshProofs, now),
  };
}

/**
 * The latest of the proofs `context` was computed from. Every proof from its `auth_time` up to `now`
 * counts toward its `acr` and `amr` (`computeAuthContext` takes, per method, the latest proof no
 * older than the level's maximum age, and `auth_time` is the earliest of them), so the result lies
 * between `auth_time` and `now` and follows the level actually reached when a higher one has expired.
 */
function latestProofBehind(context: AuthContext, proofs: readonly ProvenMethod[], now: number): number {
  let latest = context.auth_time;
  for (const { at } of proofs) if (at <= now && at > latest) latest = at;
  return latest;
}

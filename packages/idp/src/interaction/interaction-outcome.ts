import { isMethodName, type ProvenMethod } from '@stepup/core';
import { type LoginEffects, readLoginEffects } from '../actions/login-effects.ts';
import type { TransactionApproval } from './interaction-progress.ts';

/**
 * What a finished login interaction proved, handed to the step-up check through the interaction
 * result (which oidc-provider keeps server-side in the store, never in the browser).
 */
export interface InteractionOutcome {
  proofs: ProvenMethod[];
  /** When the interaction began: proofs made since then count as fresh for `max_age`. */
  startedAt: number;
  /** What the post-login Actions left for the completed login: custom claims, metadata changes. */
  effects: LoginEffects;
  /** The approval of the request's `authorization_details` made in this interaction, when one was. */
  transaction?: TransactionApproval;
}

export function readInteractionOutcome(result: unknown): InteractionOutcome | undefined {
  if (typeof result !== 'object' || result === null || !Object.hasOwn(result, 'stepup')) return undefined;
  const outcome: unknown = (result as { stepup: unknown }).stepup;
  if (typeof outcome !== 'object' || outcome === null) return undefined;
  const { proofs, startedAt, actions, transaction } = outcome as {
    proofs?: unknown;
    startedAt?: unknown;
    actions?: unknown;
    transaction?: Partial<TransactionApproval>;
  };
  if (!Array.isArray(proofs) || typeof startedAt !== 'number') return undefined;
  const valid = proofs.filter(
    (proof): proof is ProvenMethod =>
      typeof proof === 'object' &&
      proof !== null &&
      isMethodName(proof.method) &&
      typeof proof.at === 'number',
  );
  const approval =
    typeof transaction?.digest === 'string' &&
    (transaction.method === 'push' || transaction.method === 'security-key') &&
    typeof transaction.at === 'number'
      ? { transaction: { digest: transaction.digest, method: transaction.method, at: transaction.at } }
      : {};
  return { proofs: valid, startedAt, effects: readLoginEffects(actions), ...approval };
}

import { randomUUID } from 'node:crypto';
import type { DeployActionInput } from './actions.ts';
import { StoreConflictError } from './errors.ts';

/**
 * Decides a deploy on the Action as the store found it inside its transaction: the id (a new one for
 * a new Action) and the version the deploy creates. Throws `TypeError` when the trigger would
 * change and `StoreConflictError` when `basedOn` is not the current version.
 */
export function planActionDeploy(
  existing: { id: string; trigger: string; version: number } | undefined,
  input: DeployActionInput,
): { id: string; version: number } {
  if (existing && existing.trigger !== input.trigger) {
    throw new TypeError(`Action "${input.name}" runs on ${existing.trigger}, not ${input.trigger}`);
  }
  if ((existing?.version ?? null) !== input.basedOn) {
    throw new StoreConflictError(`Action "${input.name}" changed since version ${input.basedOn}`);
  }
  return { id: existing?.id ?? randomUUID(), version: (existing?.version ?? 0) + 1 };
}

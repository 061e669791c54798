import type { ActionsRepository } from '../store/actions.ts';
import { ActionManagementError } from './action-management-error.ts';

/**
 * Deletes an Action with its versions, secrets and execution log; the next login runs without it.
 * Throws `not_found`.
 */
export async function deleteAction(actions: ActionsRepository, name: string): Promise<void> {
  if (!(await actions.remove(name))) {
    throw new ActionManagementError('not_found', `no Action named "${name}"`);
  }
}

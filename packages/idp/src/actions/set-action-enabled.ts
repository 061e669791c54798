import type { ActionsRepository } from '../store/actions.ts';
import { ActionManagementError } from './action-management-error.ts';

/** Turns an Action on or off; a disabled Action keeps its place in the order. Throws `not_found`. */
export async function setActionEnabled(
  actions: ActionsRepository,
  name: string,
  enabled: boolean,
  now: number = Math.floor(Date.now() / 1000),
): Promise<void> {
  if (!(await actions.setEnabled(name, enabled, now))) {
    throw new ActionManagementError('not_found', `no Action named "${name}"`);
  }
}

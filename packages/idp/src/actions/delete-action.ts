import type { ActionsRepository, StoredAction } from '../store/actions.ts';
import type { NewAuditEvent } from '../store/audit-events.ts';
import { ActionManagementError } from './action-management-error.ts';

/**
 * Deletes an Action with its versions, secrets and execution log, together with `auditEvent` of
 * what was removed; the next login runs without it. Throws `not_found`.
 */
export async function deleteAction(
  actions: ActionsRepository,
  name: string,
  auditEvent?: (removed: StoredAction) => NewAuditEvent,
): Promise<void> {
  if (!(await actions.remove(name, auditEvent))) {
    throw new ActionManagementError('not_found', `no Action named "${name}"`);
  }
}

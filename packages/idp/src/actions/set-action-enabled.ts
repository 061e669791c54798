import type { ActionsRepository } from '../store/actions.ts';
import type { NewAuditEvent } from '../store/audit-events.ts';
import { ActionManagementError } from './action-management-error.ts';

/**
 * Turns an Action on or off, together with `auditEvent`; a disabled Action keeps its place in the
 * order. Throws `not_found`.
 */
export async function setActionEnabled(
  actions: ActionsRepository,
  name: string,
  enabled: boolean,
  now: number = Math.floor(Date.now() / 1000),
  auditEvent?: NewAuditEvent,
): Promise<void> {
  if (!(await actions.setEnabled(name, enabled, now, auditEvent ? [auditEvent] : []))) {
    throw new ActionManagementError('not_found', `no Action named "${name}"`);
  }
}

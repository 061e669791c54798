import type { ActionsRepository, ActionTrigger } from '../store/actions.ts';
import type { NewAuditEvent } from '../store/audit-events.ts';
import { ActionManagementError } from './action-management-error.ts';

/**
 * Sets the order Actions run in: `names` first, in that order; the trigger's other Actions after
 * them, in their previous order. `auditEvent` is written with the new order, or not at all. Throws
 * `invalid_request` for a repeated name and `not_found` for one that is not an Action of the trigger.
 */
export async function reorderActions(
  actions: ActionsRepository,
  trigger: ActionTrigger,
  names: readonly string[],
  now: number = Math.floor(Date.now() / 1000),
  auditEvent?: NewAuditEvent,
): Promise<void> {
  if (names.length === 0) throw new ActionManagementError('invalid_request', 'name at least one Action');
  if (new Set(names).size !== names.length) {
    throw new ActionManagementError('invalid_request', 'each Action may appear once in the order');
  }
  const unknown = await actions.reorder(trigger, names, now, auditEvent);
  if (unknown.length > 0) {
    throw new ActionManagementError(
      'not_found',
      `no ${trigger} Action named ${unknown.map((name) => `"${name}"`).join(', ')}`,
    );
  }
}

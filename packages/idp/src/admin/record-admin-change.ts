import type { FastifyRequest } from 'fastify';
import type { AuditActor, AuditEventsRepository, NewAuditEvent } from '../store/audit-events.ts';
import type { ManagementCaller } from './verify-management-token.ts';

/** The actor of an administrative change: the person, or the machine client, behind the token. */
export function actorOf(caller: ManagementCaller): AuditActor {
  return caller.type === 'user'
    ? { type: 'user', id: caller.userId }
    : { type: 'client', id: caller.clientId };
}

/** An administrative change as the management API describes it. */
export interface AdminChange {
  type: `admin.${string}`;
  caller: ManagementCaller;
  request: FastifyRequest;
  time: number;
  userId?: string;
  clientId?: string;
  details: Record<string, unknown>;
}

/**
 * Appends an administrative change to the audit log, `admin.<resource>.<change>` with who made it,
 * from where, and what changed (never a secret or a password). Called after the change succeeded:
 * refused calls change nothing and are not admin changes. A change a repository writes in one
 * transaction with its event passes `adminChange(…)` to it instead.
 */
export async function recordAdminChange(
  auditEvents: AuditEventsRepository,
  change: AdminChange,
): Promise<void> {
  await auditEvents.append(adminChange(change));
}

/** The audit event of an administrative change. */
export function adminChange(change: AdminChange): NewAuditEvent {
  return {
    time: change.time,
    type: change.type,
    outcome: 'success',
    ...(change.userId === undefined ? {} : { userId: change.userId }),
    ...(change.clientId === undefined ? {} : { clientId: change.clientId }),
    ip: change.request.ip,
    actor: actorOf(change.caller),
    details: change.details,
  };
}

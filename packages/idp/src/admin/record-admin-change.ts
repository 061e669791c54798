import type { FastifyRequest } from 'fastify';
import type { AuditActor, NewAuditEvent } from '../store/audit-events.ts';
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
 * The audit event of an administrative change, `admin.<resource>.<change>` with who made it, from
 * where, and what changed (never a secret or a password). The repository that makes the change
 * appends it in the same transaction, so a change is never stored without its event nor an event
 * without its change; refused calls change nothing and are not admin changes.
 */
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

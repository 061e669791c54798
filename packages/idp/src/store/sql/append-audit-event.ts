import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { AuditEvent, NewAuditEvent } from '../audit-events.ts';
import { writeJson } from './sql-dialect.ts';
import type { StoreTables } from './store-tables.ts';

/**
 * Appends one audit event through `kysely`, which may be a transaction: a repository passes its own
 * so that the event is written with the change it records, or not at all.
 */
export async function appendAuditEvent(
  kysely: Kysely<StoreTables>,
  event: NewAuditEvent,
): Promise<AuditEvent> {
  const id = randomUUID();
  await kysely
    .insertInto('audit_events')
    .values({
      id,
      time: event.time,
      type: event.type,
      outcome: event.outcome,
      user_id: event.userId ?? null,
      client_id: event.clientId ?? null,
      ip: event.ip ?? null,
      actor_type: event.actor?.type ?? null,
      actor_id: event.actor?.id ?? null,
      details: writeJson(event.details),
    })
    .execute();
  return { ...event, id };
}

import type { AuditEventResource } from './api-types.ts';
import { dataTable } from './data-table.ts';
import { h } from './element.ts';
import type { NameDirectory } from './name-directory.ts';
import { clientReference, userReference } from './named-reference.ts';
import { timeText } from './time-text.ts';

/** The users and clients a page of events names, as subject or as actor. */
function referencedIds(events: readonly AuditEventResource[]): { users: string[]; clients: string[] } {
  const users: string[] = [];
  const clients: string[] = [];
  for (const event of events) {
    if (event.user_id) users.push(event.user_id);
    if (event.client_id) clients.push(event.client_id);
    if (event.actor?.type === 'user') users.push(event.actor.id);
    if (event.actor?.type === 'client') clients.push(event.actor.id);
  }
  return { users, clients };
}

/** Usernames that events of deleted users carry in their details (`admin.user.deleted` does). */
function rememberedUsernames(events: readonly AuditEventResource[]): Map<string, string> {
  const usernames = new Map<string, string>();
  for (const event of events) {
    const { username } = event.details;
    if (event.user_id && typeof username === 'string') usernames.set(event.user_id, username);
  }
  return usernames;
}

/**
 * Audit events as a table (the audit log page and a user's recent events), with people by username
 * and applications by name: the ids they refer to are looked up first, in one parallel round.
 */
export async function auditEventsTable(
  events: readonly AuditEventResource[],
  caption: string,
  names: NameDirectory,
): Promise<HTMLElement> {
  await names.lookUp(referencedIds(events));
  const usernames = rememberedUsernames(events);
  const actorCell = (event: AuditEventResource) => {
    if (!event.actor) return '—';
    return event.actor.type === 'user'
      ? userReference(names, event.actor.id, usernames.get(event.actor.id))
      : clientReference(names, event.actor.id);
  };
  return dataTable({
    caption,
    empty: 'No event matches.',
    rows: events,
    columns: [
      { header: 'Time', cell: (event) => timeText(event.time) },
      { header: 'Event', kind: 'tag', cell: (event) => event.type },
      {
        header: 'Outcome',
        cell: (event) =>
          h(
            'span',
            { class: event.outcome === 'success' ? 'badge badge-on' : 'badge badge-error' },
            event.outcome,
          ),
      },
      {
        header: 'User',
        cell: (event) =>
          event.user_id ? userReference(names, event.user_id, usernames.get(event.user_id)) : '—',
      },
      {
        header: 'Client',
        cell: (event) => (event.client_id ? clientReference(names, event.client_id) : '—'),
      },
      { header: 'IP', kind: 'tag', cell: (event) => event.ip ?? '—' },
      { header: 'By', cell: actorCell },
      {
        header: 'Details',
        kind: 'code',
        cell: (event) => (Object.keys(event.details).length > 0 ? JSON.stringify(event.details) : '—'),
      },
    ],
  });
}

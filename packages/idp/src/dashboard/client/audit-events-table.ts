import type { AuditEventResource } from './api-types.ts';
import { dataTable } from './data-table.ts';
import { h } from './element.ts';
import { routeTo } from './router.ts';
import { timeText } from './time-text.ts';

/** Audit events as a table: the audit log page and a user's recent events. */
export function auditEventsTable(events: readonly AuditEventResource[], caption: string): HTMLElement {
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
        kind: 'code',
        cell: (event) =>
          event.user_id
            ? h('a', { href: routeTo('#/users/:id', { id: event.user_id }) }, event.user_id)
            : '—',
      },
      { header: 'Client', kind: 'tag', cell: (event) => event.client_id ?? '—' },
      { header: 'IP', kind: 'tag', cell: (event) => event.ip ?? '—' },
      {
        header: 'By',
        kind: 'code',
        cell: (event) => (event.actor ? `${event.actor.type} ${event.actor.id}` : '—'),
      },
      {
        header: 'Details',
        kind: 'code',
        cell: (event) => (Object.keys(event.details).length > 0 ? JSON.stringify(event.details) : '—'),
      },
    ],
  });
}

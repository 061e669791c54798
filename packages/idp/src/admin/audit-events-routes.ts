import { Readable } from 'node:stream';
import { z } from 'zod';
import { type AuditEvent, type AuditEventFilter, isAuditCursor } from '../store/audit-events.ts';
import { ApiError } from './api-error.ts';
import { listOf, pageQuery } from './list-page.ts';
import { isoTime, type ManagementDependencies } from './management-dependencies.ts';
import { findUserOr404, userIdParams } from './users-routes.ts';

export const auditEventView = z.object({
  id: z.string(),
  time: z.string(),
  type: z.string(),
  outcome: z.enum(['success', 'failure']),
  user_id: z.string().optional(),
  client_id: z.string().optional(),
  ip: z.string().optional(),
  actor: z.object({ type: z.enum(['user', 'client']), id: z.string() }).optional(),
  details: z.record(z.string(), z.unknown()),
});

const filterQuery = z.strictObject({
  type: z
    .string()
    .regex(/^[a-z0-9_]+(\.[a-z0-9_]+)*(\.\*)?$/, 'an event type, or a prefix ending in .* (push.*)')
    .optional(),
  user_id: z.string().min(1).max(128).optional(),
  client_id: z.string().min(1).max(128).optional(),
  outcome: z.enum(['success', 'failure']).optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
});

function toSeconds(iso: string): number {
  return Math.floor(Date.parse(iso) / 1000);
}

function toFilter(query: z.output<typeof filterQuery>): AuditEventFilter {
  return {
    ...(query.type ? { type: query.type } : {}),
    ...(query.user_id ? { userId: query.user_id } : {}),
    ...(query.client_id ? { clientId: query.client_id } : {}),
    ...(query.outcome ? { outcome: query.outcome } : {}),
    ...(query.from ? { from: toSeconds(query.from) } : {}),
    ...(query.to ? { to: toSeconds(query.to) } : {}),
  };
}

export function toAuditEventView(event: AuditEvent): z.output<typeof auditEventView> {
  return {
    id: event.id,
    time: isoTime(event.time),
    type: event.type,
    outcome: event.outcome,
    ...(event.userId === undefined ? {} : { user_id: event.userId }),
    ...(event.clientId === undefined ? {} : { client_id: event.clientId }),
    ...(event.ip === undefined ? {} : { ip: event.ip }),
    ...(event.actor === undefined ? {} : { actor: event.actor }),
    details: event.details,
  };
}

function checkCursor(cursor: string | undefined): void {
  if (cursor !== undefined && !isAuditCursor(cursor)) {
    throw new ApiError('invalid_query', 'cursor: not a cursor this API returned', {
      details: { field: 'cursor', issues: [{ field: 'cursor', message: 'not a cursor this API returned' }] },
    });
  }
}

/** `/audit-events`: the audit log with filters and paging, and its export as JSON lines. */
export function registerAuditEventsRoutes(deps: ManagementDependencies): void {
  const { routes, store } = deps;

  routes.add({
    method: 'GET',
    path: '/audit-events',
    summary: 'Audit events, newest first, filtered by type (or prefix.*), user, client, outcome and time',
    scope: 'read:audit',
    query: filterQuery.extend(pageQuery.shape),
    response: listOf(auditEventView),
    handler: async ({ query }) => {
      checkCursor(query.cursor);
      const page = await store.auditEvents.query(toFilter(query), {
        limit: query.limit,
        ...(query.cursor ? { cursor: query.cursor } : {}),
      });
      return { items: page.events.map(toAuditEventView), next_cursor: page.nextCursor };
    },
  });

  routes.add({
    method: 'GET',
    path: '/audit-events/export',
    summary: 'Every matching audit event as JSON lines, oldest first, streamed',
    scope: 'read:audit',
    query: filterQuery,
    produces: 'application/x-ndjson',
    handler: async ({ query, reply }) => {
      const events = store.auditEvents.export(toFilter(query));
      async function* lines() {
        for await (const event of events) yield `${JSON.stringify(toAuditEventView(event))}\n`;
      }
      return reply
        .type('application/x-ndjson; charset=utf-8')
        .header('content-disposition', 'attachment; filename="audit-events.jsonl"')
        .send(Readable.from(lines()));
    },
  });

  routes.add({
    method: 'GET',
    path: '/users/{id}/events',
    summary: "A user's recent audit events, newest first",
    scope: 'read:audit',
    params: userIdParams,
    query: pageQuery,
    response: listOf(auditEventView),
    handler: async ({ params, query }) => {
      const user = await findUserOr404(deps, params.id);
      checkCursor(query.cursor);
      const page = await store.auditEvents.query(
        { userId: user.id },
        { limit: query.limit, ...(query.cursor ? { cursor: query.cursor } : {}) },
      );
      return { items: page.events.map(toAuditEventView), next_cursor: page.nextCursor };
    },
  });
}

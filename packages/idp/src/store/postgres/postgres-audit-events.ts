import { randomUUID } from 'node:crypto';
import {
  type AuditEvent,
  type AuditEventFilter,
  type AuditEventPage,
  type AuditEventsRepository,
  isAuditCursor,
  type NewAuditEvent,
} from '../audit-events.ts';
import type { PostgresQueryable } from './postgres-database.ts';

interface AuditEventRow {
  seq: number;
  id: string;
  time: number;
  type: string;
  outcome: 'success' | 'failure';
  user_id: string | null;
  client_id: string | null;
  ip: string | null;
  actor_type: 'user' | 'client' | null;
  actor_id: string | null;
  details: Record<string, unknown>;
}

const COLUMNS = 'seq, id, time, type, outcome, user_id, client_id, ip, actor_type, actor_id, details';

/** Rows read per batch while exporting. */
const EXPORT_BATCH = 500;

/**
 * The audit log on PostgreSQL. `seq` comes from an identity column; with several nodes writing, a
 * sequence number can commit a moment after a higher one, so an export running while events arrive
 * may miss such an event (a later export has it).
 */
export class PostgresAuditEventsRepository implements AuditEventsRepository {
  readonly #db: PostgresQueryable;

  constructor(db: PostgresQueryable) {
    this.#db = db;
  }

  async append(event: NewAuditEvent): Promise<AuditEvent> {
    const id = randomUUID();
    await this.#db.query(
      `INSERT INTO audit_events (id, time, type, outcome, user_id, client_id, ip, actor_type, actor_id, details)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [
        id,
        event.time,
        event.type,
        event.outcome,
        event.userId ?? null,
        event.clientId ?? null,
        event.ip ?? null,
        event.actor?.type ?? null,
        event.actor?.id ?? null,
        JSON.stringify(event.details),
      ],
    );
    return { ...event, id };
  }

  async query(filter: AuditEventFilter, page: { limit: number; cursor?: string }): Promise<AuditEventPage> {
    if (page.cursor !== undefined && !isAuditCursor(page.cursor)) {
      throw new TypeError('not an audit event cursor');
    }
    const { where, values } = whereClause(filter);
    if (page.cursor !== undefined) {
      values.push(Number(page.cursor));
      where.push(`seq < $${values.length}`);
    }
    values.push(page.limit + 1);
    const { rows } = await this.#db.query<AuditEventRow>(
      `SELECT ${COLUMNS} FROM audit_events ${toWhere(where)} ORDER BY seq DESC LIMIT $${values.length}`,
      values,
    );
    const more = rows.length > page.limit;
    const shown = more ? rows.slice(0, page.limit) : rows;
    const last = shown.at(-1);
    return { events: shown.map(toEvent), nextCursor: more && last ? String(last.seq) : null };
  }

  async *export(filter: AuditEventFilter): AsyncIterable<AuditEvent> {
    const { where, values } = whereClause(filter);
    values.push(0);
    const afterIndex = values.length;
    where.push(`seq > $${afterIndex}`);
    const sql = `SELECT ${COLUMNS} FROM audit_events ${toWhere(where)} ORDER BY seq LIMIT ${EXPORT_BATCH}`;
    for (;;) {
      const { rows } = await this.#db.query<AuditEventRow>(sql, values);
      for (const row of rows) yield toEvent(row);
      const last = rows.at(-1);
      if (!last || rows.length < EXPORT_BATCH) return;
      values[afterIndex - 1] = last.seq;
    }
  }

  async deleteOlderThan(time: number): Promise<number> {
    return (await this.#db.query('DELETE FROM audit_events WHERE time < $1', [time])).rowCount;
  }
}

function whereClause(filter: AuditEventFilter): { where: string[]; values: unknown[] } {
  const where: string[] = [];
  const values: unknown[] = [];
  const add = (condition: (placeholder: string) => string, value: unknown) => {
    values.push(value);
    where.push(condition(`$${values.length}`));
  };
  if (filter.type !== undefined) {
    if (filter.type.endsWith('.*')) {
      // starts_with, not LIKE: `_` and `%` in a type name are literal characters.
      add((p) => `starts_with(type, ${p})`, filter.type.slice(0, -1));
    } else {
      add((p) => `type = ${p}`, filter.type);
    }
  }
  if (filter.userId !== undefined) add((p) => `user_id = ${p}`, filter.userId);
  if (filter.clientId !== undefined) add((p) => `client_id = ${p}`, filter.clientId);
  if (filter.outcome !== undefined) add((p) => `outcome = ${p}`, filter.outcome);
  if (filter.from !== undefined) add((p) => `time >= ${p}`, filter.from);
  if (filter.to !== undefined) add((p) => `time < ${p}`, filter.to);
  return { where, values };
}

function toWhere(where: string[]): string {
  return where.length ? `WHERE ${where.join(' AND ')}` : '';
}

function toEvent(row: AuditEventRow): AuditEvent {
  return {
    id: row.id,
    time: row.time,
    type: row.type,
    outcome: row.outcome,
    ...(row.user_id === null ? {} : { userId: row.user_id }),
    ...(row.client_id === null ? {} : { clientId: row.client_id }),
    ...(row.ip === null ? {} : { ip: row.ip }),
    ...(row.actor_type === null || row.actor_id === null
      ? {}
      : { actor: { type: row.actor_type, id: row.actor_id } }),
    details: row.details,
  };
}

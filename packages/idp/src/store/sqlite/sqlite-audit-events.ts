import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import {
  type AuditEvent,
  type AuditEventFilter,
  type AuditEventPage,
  type AuditEventsRepository,
  isAuditCursor,
  type NewAuditEvent,
} from '../audit-events.ts';
import { runSqlite } from './run-sqlite.ts';

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
  details: string;
}

/** Rows read per batch while exporting. */
const EXPORT_BATCH = 500;

/**
 * Prepares the synchronous append of one audit event, so that another repository can write an event
 * in the same transaction as the change it records.
 */
export function prepareAuditEventAppend(db: Database.Database): (event: NewAuditEvent) => AuditEvent {
  const insert = db.prepare<[Omit<AuditEventRow, 'seq'>]>(
    `INSERT INTO audit_events (id, time, type, outcome, user_id, client_id, ip, actor_type, actor_id, details)
     VALUES (@id, @time, @type, @outcome, @user_id, @client_id, @ip, @actor_type, @actor_id, @details)`,
  );
  return (event) => {
    const id = randomUUID();
    insert.run({
      id,
      time: event.time,
      type: event.type,
      outcome: event.outcome,
      user_id: event.userId ?? null,
      client_id: event.clientId ?? null,
      ip: event.ip ?? null,
      actor_type: event.actor?.type ?? null,
      actor_id: event.actor?.id ?? null,
      details: JSON.stringify(event.details),
    });
    return { ...event, id };
  };
}

export class SqliteAuditEventsRepository implements AuditEventsRepository {
  readonly #db: Database.Database;
  readonly #append: (event: NewAuditEvent) => AuditEvent;
  readonly #deleteOlderThan: Database.Statement<[number]>;

  constructor(db: Database.Database) {
    this.#db = db;
    this.#append = prepareAuditEventAppend(db);
    this.#deleteOlderThan = db.prepare('DELETE FROM audit_events WHERE time < ?');
  }

  async append(event: NewAuditEvent): Promise<AuditEvent> {
    return runSqlite(this.#db, () => this.#append(event));
  }

  async query(filter: AuditEventFilter, page: { limit: number; cursor?: string }): Promise<AuditEventPage> {
    if (page.cursor !== undefined && !isAuditCursor(page.cursor)) {
      throw new TypeError('not an audit event cursor');
    }
    const { where, params } = whereClause(filter);
    if (page.cursor !== undefined) {
      where.push('seq < @cursor');
      params.cursor = Number(page.cursor);
    }
    const sql = `SELECT * FROM audit_events ${toWhere(where)} ORDER BY seq DESC LIMIT @limit`;
    const rows = await runSqlite(this.#db, () =>
      this.#db
        .prepare<[Record<string, unknown>], AuditEventRow>(sql)
        .all({ ...params, limit: page.limit + 1 }),
    );
    const more = rows.length > page.limit;
    const shown = more ? rows.slice(0, page.limit) : rows;
    const last = shown.at(-1);
    return { events: shown.map(toEvent), nextCursor: more && last ? String(last.seq) : null };
  }

  async *export(filter: AuditEventFilter): AsyncIterable<AuditEvent> {
    const { where, params } = whereClause(filter);
    where.push('seq > @after');
    const statement = this.#db.prepare<[Record<string, unknown>], AuditEventRow>(
      `SELECT * FROM audit_events ${toWhere(where)} ORDER BY seq LIMIT ${EXPORT_BATCH}`,
    );
    let after = 0;
    for (;;) {
      const rows = await runSqlite(this.#db, () => statement.all({ ...params, after }));
      for (const row of rows) yield toEvent(row);
      const last = rows.at(-1);
      if (!last || rows.length < EXPORT_BATCH) return;
      after = last.seq;
    }
  }

  async deleteOlderThan(time: number): Promise<number> {
    return runSqlite(this.#db, () => this.#deleteOlderThan.run(time).changes);
  }
}

function whereClause(filter: AuditEventFilter): { where: string[]; params: Record<string, unknown> } {
  const where: string[] = [];
  const params: Record<string, unknown> = {};
  if (filter.type !== undefined) {
    if (filter.type.endsWith('.*')) {
      // substr, not LIKE: `_` and `%` in a type name are literal characters.
      where.push('substr(type, 1, length(@typePrefix)) = @typePrefix');
      params.typePrefix = filter.type.slice(0, -1);
    } else {
      where.push('type = @type');
      params.type = filter.type;
    }
  }
  if (filter.userId !== undefined) {
    where.push('user_id = @userId');
    params.userId = filter.userId;
  }
  if (filter.clientId !== undefined) {
    where.push('client_id = @clientId');
    params.clientId = filter.clientId;
  }
  if (filter.outcome !== undefined) {
    where.push('outcome = @outcome');
    params.outcome = filter.outcome;
  }
  if (filter.from !== undefined) {
    where.push('time >= @from');
    params.from = filter.from;
  }
  if (filter.to !== undefined) {
    where.push('time < @to');
    params.to = filter.to;
  }
  return { where, params };
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
    details: JSON.parse(row.details) as Record<string, unknown>,
  };
}

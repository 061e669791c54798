import type { Selectable } from 'kysely';
import {
  type AuditEvent,
  type AuditEventFilter,
  type AuditEventPage,
  type AuditEventsRepository,
  isAuditCursor,
  type NewAuditEvent,
} from '../audit-events.ts';
import { appendAuditEvent } from './append-audit-event.ts';
import type { SqlDatabase } from './sql-database.ts';
import type { SqlDialect } from './sql-dialect.ts';
import type { AuditEventsTable } from './store-tables.ts';

/** Rows read per batch while exporting. */
const EXPORT_BATCH = 500;

const COLUMNS = [
  'seq',
  'id',
  'time',
  'type',
  'outcome',
  'user_id',
  'client_id',
  'ip',
  'actor_type',
  'actor_id',
  'details',
] as const;

/**
 * The audit log, ordered by `seq`. On PostgreSQL `seq` comes from an identity column; with several
 * nodes writing, a sequence number can commit a moment after a higher one, so an export running while
 * events arrive may miss such an event (a later export has it).
 */
export class SqlAuditEventsRepository implements AuditEventsRepository {
  readonly #db: SqlDatabase;

  constructor(db: SqlDatabase) {
    this.#db = db;
  }

  async append(event: NewAuditEvent): Promise<AuditEvent> {
    return appendAuditEvent(this.#db.kysely, event);
  }

  async query(filter: AuditEventFilter, page: { limit: number; cursor?: string }): Promise<AuditEventPage> {
    const { cursor } = page;
    if (cursor !== undefined && !isAuditCursor(cursor)) throw new TypeError('not an audit event cursor');
    const rows = await this.#matching(filter)
      .$if(cursor !== undefined, (query) => query.where('seq', '<', Number(cursor)))
      .orderBy('seq', 'desc')
      .limit(page.limit + 1)
      .execute();
    const more = rows.length > page.limit;
    const shown = more ? rows.slice(0, page.limit) : rows;
    const last = shown.at(-1);
    return {
      events: shown.map((row) => toEvent(row, this.#db.dialect)),
      nextCursor: more && last ? String(last.seq) : null,
    };
  }

  async *export(filter: AuditEventFilter): AsyncIterable<AuditEvent> {
    let after = 0;
    for (;;) {
      const rows = await this.#matching(filter)
        .where('seq', '>', after)
        .orderBy('seq')
        .limit(EXPORT_BATCH)
        .execute();
      for (const row of rows) yield toEvent(row, this.#db.dialect);
      const last = rows.at(-1);
      if (!last || rows.length < EXPORT_BATCH) return;
      after = last.seq;
    }
  }

  async deleteOlderThan(time: number): Promise<number> {
    const { numDeletedRows } = await this.#db.kysely
      .deleteFrom('audit_events')
      .where('time', '<', time)
      .executeTakeFirst();
    return Number(numDeletedRows);
  }

  #matching(filter: AuditEventFilter) {
    let query = this.#db.kysely.selectFrom('audit_events').select(COLUMNS);
    if (filter.type?.endsWith('.*')) {
      // substr, not LIKE: `_` and `%` in a type name are literal characters. Both engines count
      // substr's length in characters, so the prefix's length is counted in code points.
      const prefix = filter.type.slice(0, -1);
      query = query.where(
        (eb) => eb.fn('substr', ['type', eb.val(1), eb.val([...prefix].length)]),
        '=',
        prefix,
      );
    } else if (filter.type !== undefined) {
      query = query.where('type', '=', filter.type);
    }
    if (filter.userId !== undefined) query = query.where('user_id', '=', filter.userId);
    if (filter.clientId !== undefined) query = query.where('client_id', '=', filter.clientId);
    if (filter.outcome !== undefined) query = query.where('outcome', '=', filter.outcome);
    if (filter.from !== undefined) query = query.where('time', '>=', filter.from);
    if (filter.to !== undefined) query = query.where('time', '<', filter.to);
    return query;
  }
}

function toEvent(row: Selectable<AuditEventsTable>, dialect: SqlDialect): AuditEvent {
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
    details: dialect.readJson(row.details) as Record<string, unknown>,
  };
}

import { sql } from 'kysely';
import type { AttemptWindow, CounterTable, FailureCountersRepository } from '../attempts.ts';
import type { NewAuditEvent } from '../audit-events.ts';
import { appendAuditEvent } from './append-audit-event.ts';
import { type Parameter, prepareQuery } from './prepared-query.ts';
import type { SqlDatabase } from './sql-database.ts';

export class SqlAttemptsRepository implements FailureCountersRepository {
  readonly #db: SqlDatabase;
  readonly #table: CounterTable;
  // Prepared once: every token request with client authentication peeks at its client's counter.
  readonly #peek: (values: { key: string; now: number }) => Promise<{ count: number; reset_at: number }[]>;

  constructor(db: SqlDatabase, table: CounterTable = 'attempts') {
    this.#db = db;
    this.#table = table;
    this.#peek = prepareQuery(db, (parameter: Parameter<{ key: string; now: number }>) =>
      db.kysely
        .selectFrom(table)
        .select(['count', 'reset_at'])
        .where('key', '=', parameter('key'))
        .where('reset_at', '>', parameter('now')),
    );
  }

  async increment(key: string, windowSeconds: number, now: number): Promise<AttemptWindow> {
    if (!(windowSeconds > 0)) throw new TypeError(`windowSeconds must be positive, got ${windowSeconds}`);
    const table = this.#table;
    const resetAt = now + windowSeconds;
    // The stored row as it was before this update: both columns decide on the same (old) reset_at.
    const storedResetAt = sql.ref(`${table}.reset_at`);
    const ended = sql<boolean>`${storedResetAt} <= ${now}`;
    // One statement, so concurrent increments from any node never lose a count: on PostgreSQL the
    // conflicting insert waits for the row lock and updates the committed row.
    const row = await this.#db.kysely
      .insertInto(table)
      .values({ key, count: 1, reset_at: resetAt })
      .onConflict((conflict) =>
        conflict.column('key').doUpdateSet({
          count: sql<number>`CASE WHEN ${ended} THEN 1 ELSE ${sql.ref(`${table}.count`)} + 1 END`,
          reset_at: sql<number>`CASE WHEN ${ended} THEN ${resetAt} ELSE ${storedResetAt} END`,
        }),
      )
      .returning(['count', 'reset_at'])
      .executeTakeFirstOrThrow();
    return { count: row.count, resetAt: row.reset_at };
  }

  async peek(key: string, now: number): Promise<AttemptWindow | undefined> {
    const [row] = await this.#peek({ key, now });
    return row && { count: row.count, resetAt: row.reset_at };
  }

  async refund(key: string, now: number): Promise<void> {
    await this.#db.kysely
      .updateTable(this.#table)
      .set((update) => ({ count: update('count', '-', 1) }))
      .where('key', '=', key)
      .where('reset_at', '>', now)
      .where('count', '>', 0)
      .execute();
  }

  async reset(key: string): Promise<void> {
    await this.#db.kysely.deleteFrom(this.#table).where('key', '=', key).execute();
  }

  async resetAll(keys: readonly string[], auditEvent?: NewAuditEvent): Promise<void> {
    await this.#db.kysely.transaction().execute(async (trx) => {
      if (keys.length > 0) await trx.deleteFrom(this.#table).where('key', 'in', keys).execute();
      if (auditEvent) await appendAuditEvent(trx, auditEvent);
    });
  }
}

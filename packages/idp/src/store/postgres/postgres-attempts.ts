import type { AttemptsRepository, AttemptWindow, CounterTable } from '../attempts.ts';
import type { PostgresQueryable } from './postgres-database.ts';

interface AttemptRow {
  count: number;
  reset_at: number;
}

export class PostgresAttemptsRepository implements AttemptsRepository {
  readonly #db: PostgresQueryable;
  readonly #table: CounterTable;

  constructor(db: PostgresQueryable, table: CounterTable = 'attempts') {
    this.#db = db;
    this.#table = table;
  }

  async increment(key: string, windowSeconds: number, now: number): Promise<AttemptWindow> {
    if (!(windowSeconds > 0)) throw new TypeError(`windowSeconds must be positive, got ${windowSeconds}`);
    // One statement, so concurrent increments from any node never lose a count: the conflicting
    // insert waits for the row lock and updates the committed row. Unqualified columns on the
    // right-hand side are the row as it was, so both see the same (old) reset_at.
    const { rows } = await this.#db.query<AttemptRow>(
      `INSERT INTO ${this.#table} AS counter (key, count, reset_at) VALUES ($1, 1, $2::bigint + $3::bigint)
       ON CONFLICT (key) DO UPDATE SET
         count = CASE WHEN counter.reset_at <= $2 THEN 1 ELSE counter.count + 1 END,
         reset_at = CASE WHEN counter.reset_at <= $2 THEN $2::bigint + $3::bigint ELSE counter.reset_at END
       RETURNING count, reset_at`,
      [key, now, windowSeconds],
    );
    const row = rows[0];
    if (row === undefined) throw new Error('attempts upsert returned no row');
    return { count: row.count, resetAt: row.reset_at };
  }

  async peek(key: string, now: number): Promise<AttemptWindow | undefined> {
    const { rows } = await this.#db.query<AttemptRow>(
      `SELECT count, reset_at FROM ${this.#table} WHERE key = $1 AND reset_at > $2`,
      [key, now],
    );
    const row = rows[0];
    return row && { count: row.count, resetAt: row.reset_at };
  }

  async refund(key: string, now: number): Promise<void> {
    await this.#db.query(
      `UPDATE ${this.#table} SET count = count - 1 WHERE key = $1 AND reset_at > $2 AND count > 0`,
      [key, now],
    );
  }

  async reset(key: string): Promise<void> {
    await this.#db.query(`DELETE FROM ${this.#table} WHERE key = $1`, [key]);
  }
}

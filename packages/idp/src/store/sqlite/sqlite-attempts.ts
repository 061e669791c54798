import type Database from 'better-sqlite3';
import type { AttemptsRepository, AttemptWindow, CounterTable } from '../attempts.ts';
import { runSqlite } from './run-sqlite.ts';

interface AttemptRow {
  count: number;
  reset_at: number;
}

export class SqliteAttemptsRepository implements AttemptsRepository {
  readonly #db: Database.Database;
  readonly #increment: Database.Statement<[{ key: string; now: number; window: number }], AttemptRow>;
  readonly #peek: Database.Statement<[string, number], AttemptRow>;
  readonly #refund: Database.Statement<[string, number]>;
  readonly #reset: Database.Statement<[string]>;

  constructor(db: Database.Database, table: CounterTable = 'attempts') {
    this.#db = db;
    // One statement, so concurrent increments never lose a count. The right-hand sides read the row
    // as it was before the update, so both columns see the same (old) reset_at.
    this.#increment = db.prepare(
      `INSERT INTO ${table} (key, count, reset_at) VALUES (@key, 1, @now + @window)
       ON CONFLICT (key) DO UPDATE SET
         count = CASE WHEN reset_at <= @now THEN 1 ELSE count + 1 END,
         reset_at = CASE WHEN reset_at <= @now THEN @now + @window ELSE reset_at END
       RETURNING count, reset_at`,
    );
    this.#peek = db.prepare(`SELECT count, reset_at FROM ${table} WHERE key = ? AND reset_at > ?`);
    this.#refund = db.prepare(
      `UPDATE ${table} SET count = count - 1 WHERE key = ? AND reset_at > ? AND count > 0`,
    );
    this.#reset = db.prepare(`DELETE FROM ${table} WHERE key = ?`);
  }

  async increment(key: string, windowSeconds: number, now: number): Promise<AttemptWindow> {
    if (!(windowSeconds > 0)) throw new TypeError(`windowSeconds must be positive, got ${windowSeconds}`);
    return runSqlite(this.#db, () => {
      const row = this.#increment.get({ key, now, window: windowSeconds });
      if (row === undefined) throw new Error('attempts upsert returned no row');
      return { count: row.count, resetAt: row.reset_at };
    });
  }

  async peek(key: string, now: number): Promise<AttemptWindow | undefined> {
    return runSqlite(this.#db, () => {
      const row = this.#peek.get(key, now);
      return row === undefined ? undefined : { count: row.count, resetAt: row.reset_at };
    });
  }

  async refund(key: string, now: number): Promise<void> {
    await runSqlite(this.#db, () => this.#refund.run(key, now));
  }

  async reset(key: string): Promise<void> {
    await runSqlite(this.#db, () => this.#reset.run(key));
  }
}

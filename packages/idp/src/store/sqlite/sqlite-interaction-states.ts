import type Database from 'better-sqlite3';
import type { InteractionStatesRepository } from '../interaction-states.ts';
import { runSqlite } from './run-sqlite.ts';

export class SqliteInteractionStatesRepository implements InteractionStatesRepository {
  readonly #db: Database.Database;
  readonly #find: Database.Statement<[string, number], { state: string }>;
  readonly #save: Database.Statement<[string, string, number]>;
  readonly #destroy: Database.Statement<[string]>;

  constructor(db: Database.Database) {
    this.#db = db;
    this.#find = db.prepare('SELECT state FROM interaction_states WHERE uid = ? AND expires_at > ?');
    this.#save = db.prepare(
      `INSERT INTO interaction_states (uid, state, expires_at) VALUES (?, ?, ?)
       ON CONFLICT (uid) DO UPDATE SET state = excluded.state, expires_at = excluded.expires_at`,
    );
    this.#destroy = db.prepare('DELETE FROM interaction_states WHERE uid = ?');
  }

  async find<T>(uid: string, now: number): Promise<T | undefined> {
    return runSqlite(this.#db, () => {
      const row = this.#find.get(uid, now);
      return row === undefined ? undefined : (JSON.parse(row.state) as T);
    });
  }

  async save(uid: string, state: unknown, expiresAt: number): Promise<void> {
    const json = JSON.stringify(state);
    if (json === undefined) throw new TypeError('interaction state must be serialisable as JSON');
    await runSqlite(this.#db, () => this.#save.run(uid, json, expiresAt));
  }

  async destroy(uid: string): Promise<void> {
    await runSqlite(this.#db, () => this.#destroy.run(uid));
  }
}

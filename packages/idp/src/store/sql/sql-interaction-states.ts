import type { InteractionStatesRepository } from '../interaction-states.ts';
import type { SqlDatabase } from './sql-database.ts';
import { writeJson } from './sql-dialect.ts';

export class SqlInteractionStatesRepository implements InteractionStatesRepository {
  readonly #db: SqlDatabase;

  constructor(db: SqlDatabase) {
    this.#db = db;
  }

  async find<T>(uid: string, now: number): Promise<T | undefined> {
    const row = await this.#db.kysely
      .selectFrom('interaction_states')
      .select('state')
      .where('uid', '=', uid)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    return row && (this.#db.dialect.readJson(row.state) as T);
  }

  async save(uid: string, state: unknown, expiresAt: number): Promise<void> {
    const json = writeJson(state);
    await this.#db.kysely
      .insertInto('interaction_states')
      .values({ uid, state: json, expires_at: expiresAt })
      .onConflict((conflict) =>
        conflict.column('uid').doUpdateSet((update) => ({
          state: update.ref('excluded.state'),
          expires_at: update.ref('excluded.expires_at'),
        })),
      )
      .execute();
  }

  async destroy(uid: string): Promise<void> {
    await this.#db.kysely.deleteFrom('interaction_states').where('uid', '=', uid).execute();
  }
}

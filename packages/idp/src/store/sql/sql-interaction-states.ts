import type { InteractionStatesRepository } from '../interaction-states.ts';
import { type Parameter, prepareQuery } from './prepared-query.ts';
import type { SqlDatabase } from './sql-database.ts';
import { writeJson } from './sql-dialect.ts';

export class SqlInteractionStatesRepository implements InteractionStatesRepository {
  readonly #db: SqlDatabase;
  // Prepared once: every step of a login reads its state.
  readonly #find: (values: { uid: string; now: number }) => Promise<{ state: unknown }[]>;

  constructor(db: SqlDatabase) {
    this.#db = db;
    this.#find = prepareQuery(db, (parameter: Parameter<{ uid: string; now: number }>) =>
      db.kysely
        .selectFrom('interaction_states')
        .select('state')
        .where('uid', '=', parameter('uid'))
        .where('expires_at', '>', parameter('now')),
    );
  }

  async find<T>(uid: string, now: number): Promise<T | undefined> {
    const [row] = await this.#find({ uid, now });
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

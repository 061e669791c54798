import type { InteractionStatesRepository } from '../interaction-states.ts';
import type { PostgresQueryable } from './postgres-database.ts';

export class PostgresInteractionStatesRepository implements InteractionStatesRepository {
  readonly #db: PostgresQueryable;

  constructor(db: PostgresQueryable) {
    this.#db = db;
  }

  async find<T>(uid: string, now: number): Promise<T | undefined> {
    const { rows } = await this.#db.query<{ state: T }>(
      'SELECT state FROM interaction_states WHERE uid = $1 AND expires_at > $2',
      [uid, now],
    );
    return rows[0]?.state;
  }

  async save(uid: string, state: unknown, expiresAt: number): Promise<void> {
    const json = JSON.stringify(state);
    if (json === undefined) throw new TypeError('interaction state must be serialisable as JSON');
    await this.#db.query(
      `INSERT INTO interaction_states (uid, state, expires_at) VALUES ($1, $2, $3)
       ON CONFLICT (uid) DO UPDATE SET state = excluded.state, expires_at = excluded.expires_at`,
      [uid, json, expiresAt],
    );
  }

  async destroy(uid: string): Promise<void> {
    await this.#db.query('DELETE FROM interaction_states WHERE uid = $1', [uid]);
  }
}

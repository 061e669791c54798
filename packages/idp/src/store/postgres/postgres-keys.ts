import type { KeysRepository } from '../keys.ts';
import type { PostgresQueryable } from './postgres-database.ts';

export class PostgresKeysRepository implements KeysRepository {
  readonly #db: PostgresQueryable;

  constructor(db: PostgresQueryable) {
    this.#db = db;
  }

  async getOrCreate(name: string, create: () => string | Promise<string>): Promise<string> {
    const existing = await this.get(name);
    if (existing !== undefined) return existing;
    const created = await create();
    if (typeof created !== 'string') throw new TypeError(`key "${name}" must be created as a string`);
    // Whoever inserted first wins, on any node: a racing insert waits for the first to commit, does
    // nothing, and every racer reads back that one value.
    await this.#db.query('INSERT INTO keys (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING', [
      name,
      created,
    ]);
    const stored = await this.get(name);
    if (stored === undefined) throw new Error(`key "${name}" vanished right after it was stored`);
    return stored;
  }

  async get(name: string): Promise<string | undefined> {
    const { rows } = await this.#db.query<{ value: string }>('SELECT value FROM keys WHERE name = $1', [
      name,
    ]);
    return rows[0]?.value;
  }

  async set(name: string, value: string): Promise<void> {
    await this.#db.query(
      'INSERT INTO keys (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = excluded.value',
      [name, value],
    );
  }
}

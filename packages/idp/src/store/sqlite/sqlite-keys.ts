import type Database from 'better-sqlite3';
import type { KeysRepository } from '../keys.ts';
import { runSqlite } from './run-sqlite.ts';

export class SqliteKeysRepository implements KeysRepository {
  readonly #db: Database.Database;
  readonly #get: Database.Statement<[string], string>;
  readonly #insertIfAbsent: Database.Statement<[string, string]>;
  readonly #set: Database.Statement<[string, string]>;

  constructor(db: Database.Database) {
    this.#db = db;
    this.#get = db.prepare<[string], string>('SELECT value FROM keys WHERE name = ?').pluck();
    this.#insertIfAbsent = db.prepare(
      'INSERT INTO keys (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING',
    );
    this.#set = db.prepare(
      'INSERT INTO keys (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value',
    );
  }

  async getOrCreate(name: string, create: () => string | Promise<string>): Promise<string> {
    const existing = await this.get(name);
    if (existing !== undefined) return existing;
    const created = await create();
    if (typeof created !== 'string') throw new TypeError(`key "${name}" must be created as a string`);
    // Whoever inserted first wins; every racer reads back that one value.
    return runSqlite(this.#db, () => {
      this.#insertIfAbsent.run(name, created);
      const stored = this.#get.get(name);
      if (stored === undefined) throw new Error(`key "${name}" vanished right after it was stored`);
      return stored;
    });
  }

  async get(name: string): Promise<string | undefined> {
    return runSqlite(this.#db, () => this.#get.get(name));
  }

  async set(name: string, value: string): Promise<void> {
    await runSqlite(this.#db, () => this.#set.run(name, value));
  }
}

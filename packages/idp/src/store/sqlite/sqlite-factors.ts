import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { AddFactorInput, Factor, FactorsRepository, FactorType } from '../factors.ts';
import { runSqlite } from './run-sqlite.ts';

interface FactorRow {
  id: string;
  user_id: string;
  type: string;
  name: string;
  secret: string;
  created_at: number;
  last_used_at: number | null;
}

const COLUMNS = 'id, user_id, type, name, secret, created_at, last_used_at';

export class SqliteFactorsRepository implements FactorsRepository {
  readonly #db: Database.Database;
  readonly #insert: Database.Statement<[Omit<FactorRow, 'last_used_at'>]>;
  readonly #listForUser: Database.Statement<[string], FactorRow>;
  readonly #findById: Database.Statement<[string], FactorRow>;
  readonly #rename: Database.Statement<[string, string]>;
  readonly #remove: Database.Statement<[string]>;
  readonly #consumeTotpStep: Database.Statement<[{ id: string; step: number; now: number }]>;

  constructor(db: Database.Database) {
    this.#db = db;
    this.#insert = db.prepare(
      `INSERT INTO factors (id, user_id, type, name, secret, created_at)
       VALUES (@id, @user_id, @type, @name, @secret, @created_at)`,
    );
    this.#listForUser = db.prepare(
      `SELECT ${COLUMNS} FROM factors WHERE user_id = ? ORDER BY created_at, rowid`,
    );
    this.#findById = db.prepare(`SELECT ${COLUMNS} FROM factors WHERE id = ?`);
    this.#rename = db.prepare('UPDATE factors SET name = ? WHERE id = ?');
    this.#remove = db.prepare('DELETE FROM factors WHERE id = ?');
    // One conditional UPDATE: of concurrent callers presenting the same step, only the first moves
    // last_step forward, so a TOTP value is accepted once (RFC 6238 section 5.2).
    this.#consumeTotpStep = db.prepare(
      `UPDATE factors SET last_step = @step, last_used_at = @now
       WHERE id = @id AND type = 'totp' AND (last_step IS NULL OR last_step < @step)`,
    );
  }

  async add(input: AddFactorInput): Promise<Factor> {
    const row = {
      id: randomUUID(),
      user_id: input.userId,
      type: input.type,
      name: input.name,
      secret: input.secret,
      created_at: input.now,
    };
    return runSqlite(this.#db, () => {
      this.#insert.run(row);
      return toFactor({ ...row, last_used_at: null });
    });
  }

  async listForUser(userId: string): Promise<Factor[]> {
    return runSqlite(this.#db, () => this.#listForUser.all(userId).map(toFactor));
  }

  async findById(id: string): Promise<Factor | undefined> {
    return runSqlite(this.#db, () => {
      const row = this.#findById.get(id);
      return row === undefined ? undefined : toFactor(row);
    });
  }

  async rename(id: string, name: string): Promise<boolean> {
    return runSqlite(this.#db, () => this.#rename.run(name, id).changes > 0);
  }

  async remove(id: string): Promise<boolean> {
    return runSqlite(this.#db, () => this.#remove.run(id).changes > 0);
  }

  async consumeTotpStep(factorId: string, step: number, now: number): Promise<boolean> {
    if (!Number.isSafeInteger(step)) throw new TypeError(`TOTP step must be an integer, got ${step}`);
    return runSqlite(this.#db, () => this.#consumeTotpStep.run({ id: factorId, step, now }).changes === 1);
  }
}

function toFactor(row: FactorRow): Factor {
  return {
    id: row.id,
    userId: row.user_id,
    // Written only through `add`, whose input is typed.
    type: row.type as FactorType,
    name: row.name,
    secret: row.secret,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
  };
}

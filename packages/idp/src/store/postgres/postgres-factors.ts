import { randomUUID } from 'node:crypto';
import type { AddFactorInput, Factor, FactorsRepository, FactorType } from '../factors.ts';
import type { PostgresQueryable } from './postgres-database.ts';

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

export class PostgresFactorsRepository implements FactorsRepository {
  readonly #db: PostgresQueryable;

  constructor(db: PostgresQueryable) {
    this.#db = db;
  }

  async add(input: AddFactorInput): Promise<Factor> {
    const factor: Factor = {
      id: randomUUID(),
      userId: input.userId,
      type: input.type,
      name: input.name,
      secret: input.secret,
      createdAt: input.now,
      lastUsedAt: null,
    };
    await this.#db.query(
      `INSERT INTO factors (id, user_id, type, name, secret, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
      [factor.id, factor.userId, factor.type, factor.name, factor.secret, factor.createdAt],
    );
    return factor;
  }

  async listForUser(userId: string): Promise<Factor[]> {
    const { rows } = await this.#db.query<FactorRow>(
      `SELECT ${COLUMNS} FROM factors WHERE user_id = $1 ORDER BY created_at, seq`,
      [userId],
    );
    return rows.map(toFactor);
  }

  async findById(id: string): Promise<Factor | undefined> {
    const { rows } = await this.#db.query<FactorRow>(`SELECT ${COLUMNS} FROM factors WHERE id = $1`, [id]);
    return rows[0] && toFactor(rows[0]);
  }

  async rename(id: string, name: string): Promise<boolean> {
    return (await this.#db.query('UPDATE factors SET name = $2 WHERE id = $1', [id, name])).rowCount > 0;
  }

  async remove(id: string): Promise<boolean> {
    return (await this.#db.query('DELETE FROM factors WHERE id = $1', [id])).rowCount > 0;
  }

  async consumeTotpStep(factorId: string, step: number, now: number): Promise<boolean> {
    if (!Number.isSafeInteger(step)) throw new TypeError(`TOTP step must be an integer, got ${step}`);
    // One conditional UPDATE: a concurrent caller waits for the row lock, then re-checks last_step
    // against the committed value, so a TOTP value is accepted once across nodes (RFC 6238 section 5.2).
    const { rowCount } = await this.#db.query(
      `UPDATE factors SET last_step = $2, last_used_at = $3
       WHERE id = $1 AND type = 'totp' AND (last_step IS NULL OR last_step < $2)`,
      [factorId, step, now],
    );
    return rowCount === 1;
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

import type { RecoveryCodeSetSummary, RecoveryCodesRepository } from '../recovery-codes.ts';
import type { PostgresDatabase } from './postgres-database.ts';

interface SummaryRow {
  total: number;
  remaining: number;
  issued_at: number | null;
  last_used_at: number | null;
}

export class PostgresRecoveryCodesRepository implements RecoveryCodesRepository {
  readonly #db: PostgresDatabase;

  constructor(db: PostgresDatabase) {
    this.#db = db;
  }

  async replaceSet(userId: string, codeHashes: readonly string[], now: number): Promise<void> {
    if (codeHashes.length === 0) throw new TypeError('a recovery code set needs at least one code');
    if (codeHashes.some((hash) => hash === '')) throw new TypeError('a recovery code hash must not be empty');
    if (new Set(codeHashes).size !== codeHashes.length) {
      throw new TypeError('a recovery code set must not hold the same code twice');
    }
    // One transaction: the old set is gone exactly when the new one exists. Locking the user's row
    // first makes two replacements (from two nodes) take turns, so they never leave both sets.
    await this.#db.transaction(async (client) => {
      await client.query('SELECT 1 FROM users WHERE id = $1 FOR NO KEY UPDATE', [userId]);
      await client.query('DELETE FROM recovery_codes WHERE user_id = $1', [userId]);
      await client.query(
        `INSERT INTO recovery_codes (user_id, code_hash, created_at)
         SELECT $1, code_hash, $3 FROM unnest($2::text[]) AS code_hash`,
        [userId, codeHashes, now],
      );
    });
  }

  async consume(userId: string, codeHash: string, now: number): Promise<boolean> {
    // One conditional UPDATE: of concurrent callers on any node presenting the same code, only the
    // first finds used_at still NULL, so a recovery code works once.
    const { rowCount } = await this.#db.query(
      `UPDATE recovery_codes SET used_at = $3 WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL`,
      [userId, codeHash, now],
    );
    return rowCount === 1;
  }

  async summary(userId: string): Promise<RecoveryCodeSetSummary | undefined> {
    const { rows } = await this.#db.query<SummaryRow>(
      `SELECT COUNT(*) AS total, COUNT(*) FILTER (WHERE used_at IS NULL) AS remaining,
              MIN(created_at) AS issued_at, MAX(used_at) AS last_used_at
       FROM recovery_codes WHERE user_id = $1`,
      [userId],
    );
    const row = rows[0];
    if (row === undefined || row.total === 0 || row.issued_at === null) return undefined;
    return {
      total: row.total,
      remaining: row.remaining,
      issuedAt: row.issued_at,
      lastUsedAt: row.last_used_at,
    };
  }
}

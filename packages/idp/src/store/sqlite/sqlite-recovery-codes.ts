import type Database from 'better-sqlite3';
import type { RecoveryCodeSetSummary, RecoveryCodesRepository } from '../recovery-codes.ts';
import { runSqlite } from './run-sqlite.ts';

interface SummaryRow {
  total: number;
  remaining: number | null;
  issued_at: number | null;
  last_used_at: number | null;
}

export class SqliteRecoveryCodesRepository implements RecoveryCodesRepository {
  readonly #db: Database.Database;
  readonly #replaceSet: (userId: string, codeHashes: readonly string[], now: number) => void;
  readonly #consume: Database.Statement<[{ userId: string; codeHash: string; now: number }]>;
  readonly #summary: Database.Statement<[string], SummaryRow>;

  constructor(db: Database.Database) {
    this.#db = db;
    const deleteSet = db.prepare<[string]>('DELETE FROM recovery_codes WHERE user_id = ?');
    const insert = db.prepare<[{ userId: string; codeHash: string; now: number }]>(
      `INSERT INTO recovery_codes (user_id, code_hash, created_at) VALUES (@userId, @codeHash, @now)`,
    );
    // One transaction: the old set is gone exactly when the new one exists.
    this.#replaceSet = db.transaction((userId: string, codeHashes: readonly string[], now: number) => {
      deleteSet.run(userId);
      for (const codeHash of codeHashes) insert.run({ userId, codeHash, now });
    });
    // One conditional UPDATE: of concurrent callers presenting the same code, only the first finds
    // used_at still NULL, so a recovery code works once.
    this.#consume = db.prepare(
      `UPDATE recovery_codes SET used_at = @now
       WHERE user_id = @userId AND code_hash = @codeHash AND used_at IS NULL`,
    );
    this.#summary = db.prepare(
      `SELECT COUNT(*) AS total, SUM(used_at IS NULL) AS remaining,
              MIN(created_at) AS issued_at, MAX(used_at) AS last_used_at
       FROM recovery_codes WHERE user_id = ?`,
    );
  }

  async replaceSet(userId: string, codeHashes: readonly string[], now: number): Promise<void> {
    if (codeHashes.length === 0) throw new TypeError('a recovery code set needs at least one code');
    if (codeHashes.some((hash) => hash === '')) throw new TypeError('a recovery code hash must not be empty');
    if (new Set(codeHashes).size !== codeHashes.length) {
      throw new TypeError('a recovery code set must not hold the same code twice');
    }
    return runSqlite(this.#db, () => this.#replaceSet(userId, codeHashes, now));
  }

  async consume(userId: string, codeHash: string, now: number): Promise<boolean> {
    return runSqlite(this.#db, () => this.#consume.run({ userId, codeHash, now }).changes === 1);
  }

  async summary(userId: string): Promise<RecoveryCodeSetSummary | undefined> {
    return runSqlite(this.#db, () => {
      const row = this.#summary.get(userId);
      if (row === undefined || row.total === 0 || row.issued_at === null) return undefined;
      return {
        total: row.total,
        remaining: row.remaining ?? 0,
        issuedAt: row.issued_at,
        lastUsedAt: row.last_used_at,
      };
    });
  }
}

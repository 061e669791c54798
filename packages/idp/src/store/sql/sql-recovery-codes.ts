import type { RecoveryCodeSetSummary, RecoveryCodesRepository } from '../recovery-codes.ts';
import type { SqlDatabase } from './sql-database.ts';

export class SqlRecoveryCodesRepository implements RecoveryCodesRepository {
  readonly #db: SqlDatabase;

  constructor(db: SqlDatabase) {
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
    await this.#db.kysely.transaction().execute(async (trx) => {
      await this.#db.dialect
        .lockForUpdate(trx.selectFrom('users').select('id').where('id', '=', userId))
        .execute();
      await trx.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
      await trx
        .insertInto('recovery_codes')
        .values(codeHashes.map((codeHash) => ({ user_id: userId, code_hash: codeHash, created_at: now })))
        .execute();
    });
  }

  async consume(userId: string, codeHash: string, now: number): Promise<boolean> {
    // One conditional UPDATE: of concurrent callers on any node presenting the same code, only the
    // first finds used_at still NULL, so a recovery code works once.
    const { numUpdatedRows } = await this.#db.kysely
      .updateTable('recovery_codes')
      .set({ used_at: now })
      .where('user_id', '=', userId)
      .where('code_hash', '=', codeHash)
      .where('used_at', 'is', null)
      .executeTakeFirst();
    return numUpdatedRows === 1n;
  }

  async unusedHashes(userId: string): Promise<string[]> {
    const rows = await this.#db.kysely
      .selectFrom('recovery_codes')
      .select('code_hash')
      .where('user_id', '=', userId)
      .where('used_at', 'is', null)
      .execute();
    return rows.map((row) => row.code_hash);
  }

  async summary(userId: string): Promise<RecoveryCodeSetSummary | undefined> {
    const row = await this.#db.kysely
      .selectFrom('recovery_codes')
      .select((eb) => [
        eb.fn.countAll<number>().as('total'),
        eb.fn.count<number>('used_at').as('used'),
        eb.fn.min('created_at').as('issued_at'),
        eb.fn.max('used_at').as('last_used_at'),
      ])
      .where('user_id', '=', userId)
      .executeTakeFirst();
    if (row === undefined || row.total === 0 || row.issued_at === null) return undefined;
    return {
      total: row.total,
      remaining: row.total - row.used,
      issuedAt: row.issued_at,
      lastUsedAt: row.last_used_at,
    };
  }
}

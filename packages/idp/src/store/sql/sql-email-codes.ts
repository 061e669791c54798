import type { ConsumeEmailCodeInput, EmailCodesRepository, SaveEmailCodeInput } from '../email-codes.ts';
import type { SqlDatabase } from './sql-database.ts';

export class SqlEmailCodesRepository implements EmailCodesRepository {
  readonly #db: SqlDatabase;

  constructor(db: SqlDatabase) {
    this.#db = db;
  }

  async save(input: SaveEmailCodeInput): Promise<void> {
    if (!input.challengeId || !input.codeHash) {
      throw new TypeError('an email code needs a challengeId and a codeHash');
    }
    if (!(input.expiresAt > input.now)) throw new TypeError('an email code must expire after it is saved');
    await this.#db.kysely.transaction().execute(async (trx) => {
      await trx.deleteFrom('email_codes').where('expires_at', '<=', input.now).execute();
      // A new code for the same challenge replaces the open one; a used challenge is left as it is.
      await trx
        .insertInto('email_codes')
        .values({
          challenge_id: input.challengeId,
          user_id: input.userId,
          code_hash: input.codeHash,
          created_at: input.now,
          expires_at: input.expiresAt,
        })
        .onConflict((conflict) =>
          conflict
            .column('challenge_id')
            .doUpdateSet((eb) => ({
              user_id: eb.ref('excluded.user_id'),
              code_hash: eb.ref('excluded.code_hash'),
              created_at: eb.ref('excluded.created_at'),
              expires_at: eb.ref('excluded.expires_at'),
            }))
            .where('email_codes.used_at', 'is', null),
        )
        .execute();
    });
  }

  async consume(input: ConsumeEmailCodeInput): Promise<boolean> {
    // One conditional UPDATE: of concurrent callers on any node presenting the same code, only the
    // first finds used_at still NULL, so an email code works once, and only before it expires.
    const { numUpdatedRows } = await this.#db.kysely
      .updateTable('email_codes')
      .set({ used_at: input.now })
      .where('challenge_id', '=', input.challengeId)
      .where('user_id', '=', input.userId)
      .where('code_hash', '=', input.codeHash)
      .where('used_at', 'is', null)
      .where('expires_at', '>', input.now)
      .executeTakeFirst();
    return numUpdatedRows === 1n;
  }
}

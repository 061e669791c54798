import type { ConsumeEmailCodeInput, EmailCodesRepository, SaveEmailCodeInput } from '../email-codes.ts';
import type { PostgresDatabase } from './postgres-database.ts';

export class PostgresEmailCodesRepository implements EmailCodesRepository {
  readonly #db: PostgresDatabase;

  constructor(db: PostgresDatabase) {
    this.#db = db;
  }

  async save(input: SaveEmailCodeInput): Promise<void> {
    if (!input.challengeId || !input.codeHash) {
      throw new TypeError('an email code needs a challengeId and a codeHash');
    }
    if (!(input.expiresAt > input.now)) throw new TypeError('an email code must expire after it is saved');
    await this.#db.transaction(async (client) => {
      await client.query('DELETE FROM email_codes WHERE expires_at <= $1', [input.now]);
      // A new code for the same challenge replaces the open one; a used challenge is left as it is.
      await client.query(
        `INSERT INTO email_codes (challenge_id, user_id, code_hash, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (challenge_id) DO UPDATE SET
           user_id = excluded.user_id, code_hash = excluded.code_hash,
           created_at = excluded.created_at, expires_at = excluded.expires_at
         WHERE email_codes.used_at IS NULL`,
        [input.challengeId, input.userId, input.codeHash, input.now, input.expiresAt],
      );
    });
  }

  async consume(input: ConsumeEmailCodeInput): Promise<boolean> {
    // One conditional UPDATE: of concurrent callers on any node presenting the same code, only the
    // first finds used_at still NULL, so an email code works once, and only before it expires.
    const { rowCount } = await this.#db.query(
      `UPDATE email_codes SET used_at = $4
       WHERE challenge_id = $1 AND user_id = $2 AND code_hash = $3 AND used_at IS NULL AND expires_at > $4`,
      [input.challengeId, input.userId, input.codeHash, input.now],
    );
    return rowCount === 1;
  }
}

import type Database from 'better-sqlite3';
import type { ConsumeEmailCodeInput, EmailCodesRepository, SaveEmailCodeInput } from '../email-codes.ts';
import { runSqlite } from './run-sqlite.ts';

export class SqliteEmailCodesRepository implements EmailCodesRepository {
  readonly #db: Database.Database;
  readonly #save: (input: SaveEmailCodeInput) => void;
  readonly #consume: Database.Statement<[ConsumeEmailCodeInput]>;

  constructor(db: Database.Database) {
    this.#db = db;
    const purgeExpired = db.prepare<[number]>('DELETE FROM email_codes WHERE expires_at <= ?');
    // A new code for the same challenge replaces the open one; a used challenge is left as it is.
    const upsert = db.prepare<[SaveEmailCodeInput]>(
      `INSERT INTO email_codes (challenge_id, user_id, code_hash, created_at, expires_at)
       VALUES (@challengeId, @userId, @codeHash, @now, @expiresAt)
       ON CONFLICT (challenge_id) DO UPDATE SET
         user_id = excluded.user_id, code_hash = excluded.code_hash,
         created_at = excluded.created_at, expires_at = excluded.expires_at
       WHERE used_at IS NULL`,
    );
    this.#save = db.transaction((input: SaveEmailCodeInput) => {
      purgeExpired.run(input.now);
      upsert.run(input);
    });
    // One conditional UPDATE: of concurrent callers presenting the same code, only the first finds
    // used_at still NULL, so an email code works once, and only before it expires.
    this.#consume = db.prepare(
      `UPDATE email_codes SET used_at = @now
       WHERE challenge_id = @challengeId AND user_id = @userId AND code_hash = @codeHash
         AND used_at IS NULL AND expires_at > @now`,
    );
  }

  async save(input: SaveEmailCodeInput): Promise<void> {
    if (!input.challengeId || !input.codeHash) {
      throw new TypeError('an email code needs a challengeId and a codeHash');
    }
    if (!(input.expiresAt > input.now)) throw new TypeError('an email code must expire after it is saved');
    return runSqlite(this.#db, () => this.#save(input));
  }

  async consume(input: ConsumeEmailCodeInput): Promise<boolean> {
    return runSqlite(this.#db, () => this.#consume.run(input).changes === 1);
  }
}

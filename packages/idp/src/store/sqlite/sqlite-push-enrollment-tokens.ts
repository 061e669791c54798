import type Database from 'better-sqlite3';
import type {
  IssuePushEnrollmentTokenInput,
  PushEnrollmentGrant,
  PushEnrollmentTokensRepository,
} from '../push-enrollment-tokens.ts';
import { runSqlite } from './run-sqlite.ts';

interface GrantRow {
  user_id: string;
  interaction_uid: string | null;
}

export class SqlitePushEnrollmentTokensRepository implements PushEnrollmentTokensRepository {
  readonly #db: Database.Database;
  readonly #voidForInteraction: Database.Statement<[string]>;
  readonly #insert: Database.Statement<
    [{ token_hash: string; user_id: string; interaction_uid: string | null; now: number; expires_at: number }]
  >;
  readonly #consume: Database.Statement<[{ token_hash: string; now: number }], GrantRow>;

  constructor(db: Database.Database) {
    this.#db = db;
    this.#voidForInteraction = db.prepare(
      'DELETE FROM push_enrollment_tokens WHERE interaction_uid = ? AND consumed_at IS NULL',
    );
    this.#insert = db.prepare(
      `INSERT INTO push_enrollment_tokens (token_hash, user_id, interaction_uid, created_at, expires_at)
       VALUES (@token_hash, @user_id, @interaction_uid, @now, @expires_at)`,
    );
    // One conditional UPDATE: of concurrent enrollments with the same token, only the first gets a row.
    this.#consume = db.prepare(
      `UPDATE push_enrollment_tokens SET consumed_at = @now
       WHERE token_hash = @token_hash AND consumed_at IS NULL AND expires_at > @now
       RETURNING user_id, interaction_uid`,
    );
  }

  async issue(input: IssuePushEnrollmentTokenInput): Promise<void> {
    await runSqlite(this.#db, () =>
      this.#db.transaction(() => {
        if (input.interactionUid !== null) this.#voidForInteraction.run(input.interactionUid);
        this.#insert.run({
          token_hash: input.tokenHash,
          user_id: input.userId,
          interaction_uid: input.interactionUid,
          now: input.now,
          expires_at: input.expiresAt,
        });
      })(),
    );
  }

  async consume(tokenHash: string, now: number): Promise<PushEnrollmentGrant | undefined> {
    return runSqlite(this.#db, () => {
      const row = this.#consume.get({ token_hash: tokenHash, now });
      return row === undefined ? undefined : { userId: row.user_id, interactionUid: row.interaction_uid };
    });
  }
}

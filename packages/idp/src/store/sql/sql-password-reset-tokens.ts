import type {
  IssuePasswordResetTokenInput,
  PasswordResetGrant,
  PasswordResetTokensRepository,
} from '../password-reset-tokens.ts';
import type { SqlDatabase } from './sql-database.ts';

export class SqlPasswordResetTokensRepository implements PasswordResetTokensRepository {
  readonly #db: SqlDatabase;

  constructor(db: SqlDatabase) {
    this.#db = db;
  }

  async issue(input: IssuePasswordResetTokenInput): Promise<void> {
    if (!input.tokenHash || !input.userId || !input.passwordFingerprint) {
      throw new TypeError('a password reset token needs a tokenHash, a userId and a passwordFingerprint');
    }
    if (!(input.expiresAt > input.now))
      throw new TypeError('a password reset token must expire after it is issued');
    await this.#db.kysely.transaction().execute(async (trx) => {
      await trx.deleteFrom('password_reset_tokens').where('expires_at', '<=', input.now).execute();
      await trx
        .insertInto('password_reset_tokens')
        .values({
          token_hash: input.tokenHash,
          user_id: input.userId,
          password_fingerprint: input.passwordFingerprint,
          created_at: input.now,
          expires_at: input.expiresAt,
          used_at: null,
        })
        .execute();
    });
  }

  async find(tokenHash: string, now: number): Promise<PasswordResetGrant | undefined> {
    const row = await this.#db.kysely
      .selectFrom('password_reset_tokens')
      .select(['user_id', 'password_fingerprint', 'expires_at'])
      .where('token_hash', '=', tokenHash)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    return row && toGrant(row);
  }

  async consume(tokenHash: string, now: number): Promise<PasswordResetGrant | undefined> {
    // One conditional UPDATE: of concurrent redemptions of the same link, on any node, only the first
    // finds used_at still NULL.
    const row = await this.#db.kysely
      .updateTable('password_reset_tokens')
      .set({ used_at: now })
      .where('token_hash', '=', tokenHash)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .returning(['user_id', 'password_fingerprint', 'expires_at'])
      .executeTakeFirst();
    return row && toGrant(row);
  }
}

function toGrant(row: {
  user_id: string;
  password_fingerprint: string;
  expires_at: number;
}): PasswordResetGrant {
  return {
    userId: row.user_id,
    passwordFingerprint: row.password_fingerprint,
    expiresAt: Number(row.expires_at),
  };
}

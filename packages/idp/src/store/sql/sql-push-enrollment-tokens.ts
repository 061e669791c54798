import type {
  IssuePushEnrollmentTokenInput,
  PushEnrollmentGrant,
  PushEnrollmentTokensRepository,
} from '../push-enrollment-tokens.ts';
import type { SqlDatabase } from './sql-database.ts';

export class SqlPushEnrollmentTokensRepository implements PushEnrollmentTokensRepository {
  readonly #db: SqlDatabase;

  constructor(db: SqlDatabase) {
    this.#db = db;
  }

  async issue(input: IssuePushEnrollmentTokenInput): Promise<void> {
    await this.#db.kysely.transaction().execute(async (trx) => {
      if (input.interactionUid !== null) {
        await trx
          .deleteFrom('push_enrollment_tokens')
          .where('interaction_uid', '=', input.interactionUid)
          .where('consumed_at', 'is', null)
          .execute();
      }
      await trx
        .insertInto('push_enrollment_tokens')
        .values({
          token_hash: input.tokenHash,
          user_id: input.userId,
          interaction_uid: input.interactionUid,
          created_at: input.now,
          expires_at: input.expiresAt,
          consumed_at: null,
        })
        .execute();
    });
  }

  async consume(tokenHash: string, now: number): Promise<PushEnrollmentGrant | undefined> {
    // One conditional UPDATE: of concurrent enrollments with the same token, on any node, only the
    // first gets a row.
    const row = await this.#db.kysely
      .updateTable('push_enrollment_tokens')
      .set({ consumed_at: now })
      .where('token_hash', '=', tokenHash)
      .where('consumed_at', 'is', null)
      .where('expires_at', '>', now)
      .returning(['user_id', 'interaction_uid'])
      .executeTakeFirst();
    return row && { userId: row.user_id, interactionUid: row.interaction_uid };
  }
}

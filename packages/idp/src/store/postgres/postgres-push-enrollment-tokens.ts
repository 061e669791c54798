import type {
  IssuePushEnrollmentTokenInput,
  PushEnrollmentGrant,
  PushEnrollmentTokensRepository,
} from '../push-enrollment-tokens.ts';
import type { PostgresDatabase } from './postgres-database.ts';

export class PostgresPushEnrollmentTokensRepository implements PushEnrollmentTokensRepository {
  readonly #db: PostgresDatabase;

  constructor(db: PostgresDatabase) {
    this.#db = db;
  }

  async issue(input: IssuePushEnrollmentTokenInput): Promise<void> {
    await this.#db.transaction(async (client) => {
      if (input.interactionUid !== null) {
        await client.query(
          'DELETE FROM push_enrollment_tokens WHERE interaction_uid = $1 AND consumed_at IS NULL',
          [input.interactionUid],
        );
      }
      await client.query(
        `INSERT INTO push_enrollment_tokens (token_hash, user_id, interaction_uid, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5)`,
        [input.tokenHash, input.userId, input.interactionUid, input.now, input.expiresAt],
      );
    });
  }

  async consume(tokenHash: string, now: number): Promise<PushEnrollmentGrant | undefined> {
    // One conditional UPDATE: of concurrent enrollments with the same token, on any node, only the
    // first gets a row.
    const { rows } = await this.#db.query<{ user_id: string; interaction_uid: string | null }>(
      `UPDATE push_enrollment_tokens SET consumed_at = $2
       WHERE token_hash = $1 AND consumed_at IS NULL AND expires_at > $2
       RETURNING user_id, interaction_uid`,
      [tokenHash, now],
    );
    const row = rows[0];
    return row && { userId: row.user_id, interactionUid: row.interaction_uid };
  }
}

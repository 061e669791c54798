import type {
  WebAuthnCeremony,
  WebAuthnChallenge,
  WebAuthnChallengesRepository,
} from '../webauthn-challenges.ts';
import type { SqlDatabase } from './sql-database.ts';

export class SqlWebAuthnChallengesRepository implements WebAuthnChallengesRepository {
  readonly #db: SqlDatabase;

  constructor(db: SqlDatabase) {
    this.#db = db;
  }

  async issue(challenge: WebAuthnChallenge, now: number): Promise<void> {
    await this.#db.kysely.transaction().execute(async (trx) => {
      // Challenges live minutes; clearing the expired ones here keeps the table small without a timer.
      await trx.deleteFrom('webauthn_challenges').where('expires_at', '<=', now).execute();
      await trx
        .insertInto('webauthn_challenges')
        .values({
          interaction_uid: challenge.interactionUid,
          ceremony: challenge.ceremony,
          challenge: challenge.challenge,
          user_id: challenge.userId,
          expires_at: challenge.expiresAt,
        })
        .onConflict((conflict) =>
          conflict.columns(['interaction_uid', 'ceremony']).doUpdateSet((update) => ({
            challenge: update.ref('excluded.challenge'),
            user_id: update.ref('excluded.user_id'),
            expires_at: update.ref('excluded.expires_at'),
          })),
        )
        .execute();
    });
  }

  async consume(
    interactionUid: string,
    ceremony: WebAuthnCeremony,
    now: number,
  ): Promise<WebAuthnChallenge | undefined> {
    // DELETE … RETURNING: the row goes to exactly one caller on any node, expired or not; expiry is
    // checked after, so an expired challenge is removed all the same.
    const row = await this.#db.kysely
      .deleteFrom('webauthn_challenges')
      .where('interaction_uid', '=', interactionUid)
      .where('ceremony', '=', ceremony)
      .returning(['interaction_uid', 'ceremony', 'challenge', 'user_id', 'expires_at'])
      .executeTakeFirst();
    if (row === undefined || row.expires_at <= now) return undefined;
    return {
      interactionUid: row.interaction_uid,
      // Written only through `issue`, whose input is typed.
      ceremony: row.ceremony as WebAuthnCeremony,
      challenge: row.challenge,
      userId: row.user_id,
      expiresAt: row.expires_at,
    };
  }
}

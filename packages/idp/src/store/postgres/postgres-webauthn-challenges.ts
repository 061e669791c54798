import type {
  WebAuthnCeremony,
  WebAuthnChallenge,
  WebAuthnChallengesRepository,
} from '../webauthn-challenges.ts';
import type { PostgresDatabase } from './postgres-database.ts';

interface ChallengeRow {
  interaction_uid: string;
  ceremony: string;
  challenge: string;
  user_id: string | null;
  expires_at: number;
}

export class PostgresWebAuthnChallengesRepository implements WebAuthnChallengesRepository {
  readonly #db: PostgresDatabase;

  constructor(db: PostgresDatabase) {
    this.#db = db;
  }

  async issue(challenge: WebAuthnChallenge, now: number): Promise<void> {
    await this.#db.transaction(async (client) => {
      // Challenges live minutes; clearing the expired ones here keeps the table small without a timer.
      await client.query('DELETE FROM webauthn_challenges WHERE expires_at <= $1', [now]);
      await client.query(
        `INSERT INTO webauthn_challenges (interaction_uid, ceremony, challenge, user_id, expires_at)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (interaction_uid, ceremony) DO UPDATE SET
           challenge = excluded.challenge, user_id = excluded.user_id, expires_at = excluded.expires_at`,
        [
          challenge.interactionUid,
          challenge.ceremony,
          challenge.challenge,
          challenge.userId,
          challenge.expiresAt,
        ],
      );
    });
  }

  async consume(
    interactionUid: string,
    ceremony: WebAuthnCeremony,
    now: number,
  ): Promise<WebAuthnChallenge | undefined> {
    // DELETE … RETURNING: the row goes to exactly one caller on any node, expired or not; expiry is
    // checked after, so an expired challenge is removed all the same.
    const { rows } = await this.#db.query<ChallengeRow>(
      `DELETE FROM webauthn_challenges WHERE interaction_uid = $1 AND ceremony = $2
       RETURNING interaction_uid, ceremony, challenge, user_id, expires_at`,
      [interactionUid, ceremony],
    );
    const row = rows[0];
    if (row === undefined || row.expires_at <= now) return undefined;
    return {
      interactionUid: row.interaction_uid,
      ceremony: row.ceremony as WebAuthnCeremony,
      challenge: row.challenge,
      userId: row.user_id,
      expiresAt: row.expires_at,
    };
  }
}

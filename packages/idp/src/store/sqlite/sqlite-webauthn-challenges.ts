import type Database from 'better-sqlite3';
import type {
  WebAuthnCeremony,
  WebAuthnChallenge,
  WebAuthnChallengesRepository,
} from '../webauthn-challenges.ts';
import { runSqlite } from './run-sqlite.ts';

interface ChallengeRow {
  interaction_uid: string;
  ceremony: string;
  challenge: string;
  user_id: string | null;
  expires_at: number;
}

export class SqliteWebAuthnChallengesRepository implements WebAuthnChallengesRepository {
  readonly #db: Database.Database;
  readonly #purge: Database.Statement<[number]>;
  readonly #issue: Database.Statement<[ChallengeRow]>;
  readonly #consume: Database.Statement<[string, string], ChallengeRow>;

  constructor(db: Database.Database) {
    this.#db = db;
    this.#purge = db.prepare('DELETE FROM webauthn_challenges WHERE expires_at <= ?');
    this.#issue = db.prepare(
      `INSERT INTO webauthn_challenges (interaction_uid, ceremony, challenge, user_id, expires_at)
       VALUES (@interaction_uid, @ceremony, @challenge, @user_id, @expires_at)
       ON CONFLICT (interaction_uid, ceremony) DO UPDATE SET
         challenge = excluded.challenge, user_id = excluded.user_id, expires_at = excluded.expires_at`,
    );
    // DELETE … RETURNING: the row goes to exactly one caller, expired or not; expiry is checked after.
    this.#consume = db.prepare(
      `DELETE FROM webauthn_challenges WHERE interaction_uid = ? AND ceremony = ?
       RETURNING interaction_uid, ceremony, challenge, user_id, expires_at`,
    );
  }

  async issue(challenge: WebAuthnChallenge, now: number): Promise<void> {
    const row: ChallengeRow = {
      interaction_uid: challenge.interactionUid,
      ceremony: challenge.ceremony,
      challenge: challenge.challenge,
      user_id: challenge.userId,
      expires_at: challenge.expiresAt,
    };
    await runSqlite(this.#db, () => {
      // Challenges live minutes; clearing the expired ones here keeps the table small without a timer.
      this.#purge.run(now);
      this.#issue.run(row);
    });
  }

  async consume(
    interactionUid: string,
    ceremony: WebAuthnCeremony,
    now: number,
  ): Promise<WebAuthnChallenge | undefined> {
    return runSqlite(this.#db, () => {
      const row = this.#consume.get(interactionUid, ceremony);
      if (row === undefined || row.expires_at <= now) return undefined;
      return {
        interactionUid: row.interaction_uid,
        ceremony: row.ceremony as WebAuthnCeremony,
        challenge: row.challenge,
        userId: row.user_id,
        expiresAt: row.expires_at,
      };
    });
  }
}

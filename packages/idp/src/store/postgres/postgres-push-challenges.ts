import { newPushChallenge } from '../new-push-challenge.ts';
import { PUSH_CHALLENGE_COLUMNS, type PushChallengeRow, toPushChallenge } from '../push-challenge-row.ts';
import type {
  OpenPushChallengeInput,
  PushChallenge,
  PushChallengesRepository,
  ResolvePushChallengeInput,
} from '../push-challenges.ts';
import type { PostgresQueryable } from './postgres-database.ts';

export class PostgresPushChallengesRepository implements PushChallengesRepository {
  readonly #db: PostgresQueryable;

  constructor(db: PostgresQueryable) {
    this.#db = db;
  }

  async open(input: OpenPushChallengeInput): Promise<PushChallenge> {
    const challenge = newPushChallenge(input);
    // The partial unique index on open challenges turns a second open one into a conflict.
    await this.#db.query(
      `INSERT INTO push_challenges
         (id, user_id, interaction_uid, client_id, client_name, ip, number, choices, nonce, status, created_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'open', $10, $11)`,
      [
        challenge.id,
        challenge.userId,
        challenge.interactionUid,
        challenge.clientId,
        challenge.clientName,
        challenge.ip,
        challenge.number,
        JSON.stringify(challenge.choices),
        challenge.nonce,
        challenge.createdAt,
        challenge.expiresAt,
      ],
    );
    return challenge;
  }

  async findById(id: string): Promise<PushChallenge | undefined> {
    const { rows } = await this.#db.query<PushChallengeRow>(
      `SELECT ${PUSH_CHALLENGE_COLUMNS} FROM push_challenges WHERE id = $1`,
      [id],
    );
    return rows[0] && toPushChallenge(rows[0]);
  }

  async latestForInteraction(interactionUid: string): Promise<PushChallenge | undefined> {
    const { rows } = await this.#db.query<PushChallengeRow>(
      `SELECT ${PUSH_CHALLENGE_COLUMNS} FROM push_challenges WHERE interaction_uid = $1
       ORDER BY created_at DESC, seq DESC LIMIT 1`,
      [interactionUid],
    );
    return rows[0] && toPushChallenge(rows[0]);
  }

  async listPendingForUser(userId: string, now: number): Promise<PushChallenge[]> {
    const { rows } = await this.#db.query<PushChallengeRow>(
      `SELECT ${PUSH_CHALLENGE_COLUMNS} FROM push_challenges
       WHERE user_id = $1 AND status = 'open' AND expires_at > $2
       ORDER BY created_at, seq`,
      [userId, now],
    );
    return rows.map(toPushChallenge);
  }

  async resolve(input: ResolvePushChallengeInput): Promise<boolean> {
    // The single-use answer is this one conditional UPDATE: of concurrent answers through any node,
    // only the first finds the row still open, and an answer after the expiry finds nothing to change.
    const { rowCount } = await this.#db.query(
      `UPDATE push_challenges SET status = $4, denial_reason = $7, resolved_at = $6, device_id = $5
       WHERE id = $1 AND user_id = $2 AND nonce = $3 AND status = 'open' AND expires_at > $6`,
      [
        input.id,
        input.userId,
        input.nonce,
        input.status,
        input.deviceId,
        input.now,
        input.status === 'denied' ? input.denialReason : null,
      ],
    );
    return rowCount === 1;
  }

  async withdrawOpen(interactionUid: string, now: number): Promise<PushChallenge[]> {
    // The same condition on status as `resolve`: whichever update takes the row lock first wins, and
    // the other re-checks the row it waited for and finds it no longer open.
    const { rows } = await this.#db.query<PushChallengeRow>(
      `UPDATE push_challenges SET status = 'withdrawn', resolved_at = $2
       WHERE interaction_uid = $1 AND status = 'open'
       RETURNING ${PUSH_CHALLENGE_COLUMNS}`,
      [interactionUid, now],
    );
    return rows.map(toPushChallenge);
  }

  async expireDue(
    now: number,
    scope?: { interactionUid: string } | { id: string },
  ): Promise<PushChallenge[]> {
    let where = '';
    const values: unknown[] = [now];
    if (scope !== undefined && 'id' in scope) {
      where = ' AND id = $2';
      values.push(scope.id);
    } else if (scope !== undefined) {
      where = ' AND interaction_uid = $2';
      values.push(scope.interactionUid);
    }
    // Concurrent callers each re-check status on the row they wait for, so each one is returned once.
    const { rows } = await this.#db.query<PushChallengeRow>(
      `UPDATE push_challenges SET status = 'expired', resolved_at = $1
       WHERE status = 'open' AND expires_at <= $1${where}
       RETURNING ${PUSH_CHALLENGE_COLUMNS}`,
      values,
    );
    return rows.map(toPushChallenge);
  }

  async consumeApproval(id: string, now: number): Promise<boolean> {
    const { rowCount } = await this.#db.query(
      `UPDATE push_challenges SET consumed_at = $2
       WHERE id = $1 AND status = 'approved' AND consumed_at IS NULL`,
      [id, now],
    );
    return rowCount === 1;
  }
}

import { randomUUID } from 'node:crypto';
import type {
  OpenPushChallengeInput,
  PushChallenge,
  PushChallengeStatus,
  PushChallengesRepository,
  ResolvePushChallengeInput,
} from '../push-challenges.ts';
import type { PostgresQueryable } from './postgres-database.ts';

interface PushChallengeRow {
  id: string;
  user_id: string;
  interaction_uid: string;
  client_id: string;
  client_name: string;
  ip: string;
  number: number;
  choices: number[];
  nonce: string;
  status: string;
  created_at: number;
  expires_at: number;
  resolved_at: number | null;
  device_id: string | null;
  consumed_at: number | null;
}

const COLUMNS =
  'id, user_id, interaction_uid, client_id, client_name, ip, number, choices, nonce, status, created_at, expires_at, resolved_at, device_id, consumed_at';

export class PostgresPushChallengesRepository implements PushChallengesRepository {
  readonly #db: PostgresQueryable;

  constructor(db: PostgresQueryable) {
    this.#db = db;
  }

  async open(input: OpenPushChallengeInput): Promise<PushChallenge> {
    if (!Number.isInteger(input.number) || input.number < 10 || input.number > 99) {
      throw new TypeError(`a push number has two digits, got ${input.number}`);
    }
    if (!input.choices.includes(input.number)) throw new TypeError('the choices must include the number');
    const challenge: PushChallenge = {
      id: randomUUID(),
      userId: input.userId,
      interactionUid: input.interactionUid,
      clientId: input.clientId,
      clientName: input.clientName,
      ip: input.ip,
      number: input.number,
      choices: [...input.choices],
      nonce: input.nonce,
      status: 'open',
      createdAt: input.now,
      expiresAt: input.expiresAt,
      resolvedAt: null,
      deviceId: null,
      consumedAt: null,
    };
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
      `SELECT ${COLUMNS} FROM push_challenges WHERE id = $1`,
      [id],
    );
    return rows[0] && toPushChallenge(rows[0]);
  }

  async latestForInteraction(interactionUid: string): Promise<PushChallenge | undefined> {
    const { rows } = await this.#db.query<PushChallengeRow>(
      `SELECT ${COLUMNS} FROM push_challenges WHERE interaction_uid = $1
       ORDER BY created_at DESC, seq DESC LIMIT 1`,
      [interactionUid],
    );
    return rows[0] && toPushChallenge(rows[0]);
  }

  async listPendingForUser(userId: string, now: number): Promise<PushChallenge[]> {
    const { rows } = await this.#db.query<PushChallengeRow>(
      `SELECT ${COLUMNS} FROM push_challenges
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
      `UPDATE push_challenges SET status = $4, resolved_at = $6, device_id = $5
       WHERE id = $1 AND user_id = $2 AND nonce = $3 AND status = 'open' AND expires_at > $6`,
      [input.id, input.userId, input.nonce, input.status, input.deviceId, input.now],
    );
    return rowCount === 1;
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
       RETURNING ${COLUMNS}`,
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

function toPushChallenge(row: PushChallengeRow): PushChallenge {
  return {
    id: row.id,
    userId: row.user_id,
    interactionUid: row.interaction_uid,
    clientId: row.client_id,
    clientName: row.client_name,
    ip: row.ip,
    number: row.number,
    choices: row.choices,
    nonce: row.nonce,
    // The column has a CHECK constraint listing exactly these values.
    status: row.status as PushChallengeStatus,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    resolvedAt: row.resolved_at,
    deviceId: row.device_id,
    consumedAt: row.consumed_at,
  };
}

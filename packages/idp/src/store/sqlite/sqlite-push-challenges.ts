import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import type {
  OpenPushChallengeInput,
  PushChallenge,
  PushChallengeStatus,
  PushChallengesRepository,
  ResolvePushChallengeInput,
} from '../push-challenges.ts';
import { runSqlite } from './run-sqlite.ts';

interface PushChallengeRow {
  id: string;
  user_id: string;
  interaction_uid: string;
  client_id: string;
  client_name: string;
  ip: string;
  number: number;
  choices: string;
  nonce: string;
  status: string;
  created_at: number;
  expires_at: number;
  resolved_at: number | null;
  device_id: string | null;
  consumed_at: number | null;
}

type NewRow = Omit<PushChallengeRow, 'status' | 'resolved_at' | 'device_id' | 'consumed_at'>;

const COLUMNS =
  'id, user_id, interaction_uid, client_id, client_name, ip, number, choices, nonce, status, created_at, expires_at, resolved_at, device_id, consumed_at';

export class SqlitePushChallengesRepository implements PushChallengesRepository {
  readonly #db: Database.Database;
  readonly #insert: Database.Statement<[NewRow]>;
  readonly #findById: Database.Statement<[string], PushChallengeRow>;
  readonly #latestForInteraction: Database.Statement<[string], PushChallengeRow>;
  readonly #listPendingForUser: Database.Statement<[{ userId: string; now: number }], PushChallengeRow>;
  readonly #resolve: Database.Statement<[Omit<ResolvePushChallengeInput, 'userId'> & { user_id: string }]>;
  readonly #expireAll: Database.Statement<[{ now: number }], PushChallengeRow>;
  readonly #expireForInteraction: Database.Statement<[{ now: number; uid: string }], PushChallengeRow>;
  readonly #expireOne: Database.Statement<[{ now: number; id: string }], PushChallengeRow>;
  readonly #consumeApproval: Database.Statement<[{ id: string; now: number }]>;

  constructor(db: Database.Database) {
    this.#db = db;
    this.#insert = db.prepare(
      `INSERT INTO push_challenges
         (id, user_id, interaction_uid, client_id, client_name, ip, number, choices, nonce, status, created_at, expires_at)
       VALUES
         (@id, @user_id, @interaction_uid, @client_id, @client_name, @ip, @number, @choices, @nonce, 'open', @created_at, @expires_at)`,
    );
    this.#findById = db.prepare(`SELECT ${COLUMNS} FROM push_challenges WHERE id = ?`);
    this.#latestForInteraction = db.prepare(
      `SELECT ${COLUMNS} FROM push_challenges WHERE interaction_uid = ?
       ORDER BY created_at DESC, rowid DESC LIMIT 1`,
    );
    this.#listPendingForUser = db.prepare(
      `SELECT ${COLUMNS} FROM push_challenges
       WHERE user_id = @userId AND status = 'open' AND expires_at > @now
       ORDER BY created_at, rowid`,
    );
    // The single-use answer is this one conditional UPDATE: of concurrent answers, only the first
    // finds the row still open, and an answer after the expiry finds nothing to change.
    this.#resolve = db.prepare(
      `UPDATE push_challenges SET status = @status, resolved_at = @now, device_id = @deviceId
       WHERE id = @id AND user_id = @user_id AND nonce = @nonce AND status = 'open' AND expires_at > @now`,
    );
    const expire = (where: string) =>
      `UPDATE push_challenges SET status = 'expired', resolved_at = @now
       WHERE status = 'open' AND expires_at <= @now${where}
       RETURNING ${COLUMNS}`;
    this.#expireAll = db.prepare(expire(''));
    this.#expireForInteraction = db.prepare(expire(' AND interaction_uid = @uid'));
    this.#expireOne = db.prepare(expire(' AND id = @id'));
    this.#consumeApproval = db.prepare(
      `UPDATE push_challenges SET consumed_at = @now
       WHERE id = @id AND status = 'approved' AND consumed_at IS NULL`,
    );
  }

  async open(input: OpenPushChallengeInput): Promise<PushChallenge> {
    if (!Number.isInteger(input.number) || input.number < 10 || input.number > 99) {
      throw new TypeError(`a push number has two digits, got ${input.number}`);
    }
    if (!input.choices.includes(input.number)) throw new TypeError('the choices must include the number');
    const row: NewRow = {
      id: randomUUID(),
      user_id: input.userId,
      interaction_uid: input.interactionUid,
      client_id: input.clientId,
      client_name: input.clientName,
      ip: input.ip,
      number: input.number,
      choices: JSON.stringify(input.choices),
      nonce: input.nonce,
      created_at: input.now,
      expires_at: input.expiresAt,
    };
    return runSqlite(this.#db, () => {
      this.#insert.run(row);
      return toPushChallenge({
        ...row,
        status: 'open',
        resolved_at: null,
        device_id: null,
        consumed_at: null,
      });
    });
  }

  async findById(id: string): Promise<PushChallenge | undefined> {
    return runSqlite(this.#db, () => {
      const row = this.#findById.get(id);
      return row === undefined ? undefined : toPushChallenge(row);
    });
  }

  async latestForInteraction(interactionUid: string): Promise<PushChallenge | undefined> {
    return runSqlite(this.#db, () => {
      const row = this.#latestForInteraction.get(interactionUid);
      return row === undefined ? undefined : toPushChallenge(row);
    });
  }

  async listPendingForUser(userId: string, now: number): Promise<PushChallenge[]> {
    return runSqlite(this.#db, () => this.#listPendingForUser.all({ userId, now }).map(toPushChallenge));
  }

  async resolve(input: ResolvePushChallengeInput): Promise<boolean> {
    const { userId, ...rest } = input;
    return runSqlite(this.#db, () => this.#resolve.run({ ...rest, user_id: userId }).changes === 1);
  }

  async expireDue(
    now: number,
    scope?: { interactionUid: string } | { id: string },
  ): Promise<PushChallenge[]> {
    return runSqlite(this.#db, () => {
      let rows: PushChallengeRow[];
      if (scope === undefined) rows = this.#expireAll.all({ now });
      else if ('id' in scope) rows = this.#expireOne.all({ now, id: scope.id });
      else rows = this.#expireForInteraction.all({ now, uid: scope.interactionUid });
      return rows.map(toPushChallenge);
    });
  }

  async consumeApproval(id: string, now: number): Promise<boolean> {
    return runSqlite(this.#db, () => this.#consumeApproval.run({ id, now }).changes === 1);
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
    choices: JSON.parse(row.choices) as number[],
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

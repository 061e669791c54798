import type Database from 'better-sqlite3';
import { newPushChallenge } from '../new-push-challenge.ts';
import { PUSH_CHALLENGE_COLUMNS, type PushChallengeRow, toPushChallenge } from '../push-challenge-row.ts';
import type {
  OpenPushChallengeInput,
  PushChallenge,
  PushChallengesRepository,
  ResolvePushChallengeInput,
} from '../push-challenges.ts';
import { runSqlite } from './run-sqlite.ts';

/** SQLite keeps `choices` as JSON text. */
interface SqlitePushChallengeRow extends Omit<PushChallengeRow, 'choices'> {
  choices: string;
}

type NewRow = Omit<
  SqlitePushChallengeRow,
  'status' | 'denial_reason' | 'resolved_at' | 'device_id' | 'consumed_at'
>;

interface ResolveParameters {
  id: string;
  user_id: string;
  nonce: string;
  status: 'approved' | 'denied';
  denial_reason: string | null;
  device_id: string;
  now: number;
}

export class SqlitePushChallengesRepository implements PushChallengesRepository {
  readonly #db: Database.Database;
  readonly #insert: Database.Statement<[NewRow]>;
  readonly #findById: Database.Statement<[string], SqlitePushChallengeRow>;
  readonly #latestForInteraction: Database.Statement<[string], SqlitePushChallengeRow>;
  readonly #listPendingForUser: Database.Statement<[{ userId: string; now: number }], SqlitePushChallengeRow>;
  readonly #resolve: Database.Statement<[ResolveParameters]>;
  readonly #withdrawOpen: Database.Statement<[{ now: number; uid: string }], SqlitePushChallengeRow>;
  readonly #expireAll: Database.Statement<[{ now: number }], SqlitePushChallengeRow>;
  readonly #expireForInteraction: Database.Statement<[{ now: number; uid: string }], SqlitePushChallengeRow>;
  readonly #expireOne: Database.Statement<[{ now: number; id: string }], SqlitePushChallengeRow>;
  readonly #consumeApproval: Database.Statement<[{ id: string; now: number }]>;

  constructor(db: Database.Database) {
    this.#db = db;
    this.#insert = db.prepare(
      `INSERT INTO push_challenges
         (id, user_id, interaction_uid, client_id, client_name, ip, number, choices, nonce, status, created_at, expires_at)
       VALUES
         (@id, @user_id, @interaction_uid, @client_id, @client_name, @ip, @number, @choices, @nonce, 'open', @created_at, @expires_at)`,
    );
    this.#findById = db.prepare(`SELECT ${PUSH_CHALLENGE_COLUMNS} FROM push_challenges WHERE id = ?`);
    this.#latestForInteraction = db.prepare(
      `SELECT ${PUSH_CHALLENGE_COLUMNS} FROM push_challenges WHERE interaction_uid = ?
       ORDER BY created_at DESC, rowid DESC LIMIT 1`,
    );
    this.#listPendingForUser = db.prepare(
      `SELECT ${PUSH_CHALLENGE_COLUMNS} FROM push_challenges
       WHERE user_id = @userId AND status = 'open' AND expires_at > @now
       ORDER BY created_at, rowid`,
    );
    // The single-use answer is this one conditional UPDATE: of concurrent answers, only the first
    // finds the row still open, and an answer after the expiry finds nothing to change.
    this.#resolve = db.prepare(
      `UPDATE push_challenges
       SET status = @status, denial_reason = @denial_reason, resolved_at = @now, device_id = @device_id
       WHERE id = @id AND user_id = @user_id AND nonce = @nonce AND status = 'open' AND expires_at > @now`,
    );
    // The same condition on `status`: an answer and a withdrawal racing for a challenge, one wins.
    this.#withdrawOpen = db.prepare(
      `UPDATE push_challenges SET status = 'withdrawn', resolved_at = @now
       WHERE interaction_uid = @uid AND status = 'open'
       RETURNING ${PUSH_CHALLENGE_COLUMNS}`,
    );
    const expire = (where: string) =>
      `UPDATE push_challenges SET status = 'expired', resolved_at = @now
       WHERE status = 'open' AND expires_at <= @now${where}
       RETURNING ${PUSH_CHALLENGE_COLUMNS}`;
    this.#expireAll = db.prepare(expire(''));
    this.#expireForInteraction = db.prepare(expire(' AND interaction_uid = @uid'));
    this.#expireOne = db.prepare(expire(' AND id = @id'));
    this.#consumeApproval = db.prepare(
      `UPDATE push_challenges SET consumed_at = @now
       WHERE id = @id AND status = 'approved' AND consumed_at IS NULL`,
    );
  }

  async open(input: OpenPushChallengeInput): Promise<PushChallenge> {
    const challenge = newPushChallenge(input);
    const row: NewRow = {
      id: challenge.id,
      user_id: challenge.userId,
      interaction_uid: challenge.interactionUid,
      client_id: challenge.clientId,
      client_name: challenge.clientName,
      ip: challenge.ip,
      number: challenge.number,
      choices: JSON.stringify(challenge.choices),
      nonce: challenge.nonce,
      created_at: challenge.createdAt,
      expires_at: challenge.expiresAt,
    };
    return runSqlite(this.#db, () => {
      this.#insert.run(row);
      return challenge;
    });
  }

  async findById(id: string): Promise<PushChallenge | undefined> {
    return runSqlite(this.#db, () => {
      const row = this.#findById.get(id);
      return row === undefined ? undefined : fromSqliteRow(row);
    });
  }

  async latestForInteraction(interactionUid: string): Promise<PushChallenge | undefined> {
    return runSqlite(this.#db, () => {
      const row = this.#latestForInteraction.get(interactionUid);
      return row === undefined ? undefined : fromSqliteRow(row);
    });
  }

  async listPendingForUser(userId: string, now: number): Promise<PushChallenge[]> {
    return runSqlite(this.#db, () => this.#listPendingForUser.all({ userId, now }).map(fromSqliteRow));
  }

  async resolve(input: ResolvePushChallengeInput): Promise<boolean> {
    const parameters: ResolveParameters = {
      id: input.id,
      user_id: input.userId,
      nonce: input.nonce,
      status: input.status,
      denial_reason: input.status === 'denied' ? input.denialReason : null,
      device_id: input.deviceId,
      now: input.now,
    };
    return runSqlite(this.#db, () => this.#resolve.run(parameters).changes === 1);
  }

  async withdrawOpen(interactionUid: string, now: number): Promise<PushChallenge[]> {
    return runSqlite(this.#db, () => this.#withdrawOpen.all({ now, uid: interactionUid }).map(fromSqliteRow));
  }

  async expireDue(
    now: number,
    scope?: { interactionUid: string } | { id: string },
  ): Promise<PushChallenge[]> {
    return runSqlite(this.#db, () => {
      let rows: SqlitePushChallengeRow[];
      if (scope === undefined) rows = this.#expireAll.all({ now });
      else if ('id' in scope) rows = this.#expireOne.all({ now, id: scope.id });
      else rows = this.#expireForInteraction.all({ now, uid: scope.interactionUid });
      return rows.map(fromSqliteRow);
    });
  }

  async consumeApproval(id: string, now: number): Promise<boolean> {
    return runSqlite(this.#db, () => this.#consumeApproval.run({ id, now }).changes === 1);
  }
}

function fromSqliteRow(row: SqlitePushChallengeRow): PushChallenge {
  return toPushChallenge({ ...row, choices: JSON.parse(row.choices) as number[] });
}

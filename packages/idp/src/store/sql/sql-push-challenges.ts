import type { Selectable } from 'kysely';
import { newPushChallenge } from '../new-push-challenge.ts';
import type {
  OpenPushChallengeInput,
  PushChallenge,
  PushChallengesRepository,
  PushTransaction,
  ResolvePushChallengeInput,
} from '../push-challenges.ts';
import type { SqlDatabase } from './sql-database.ts';
import { writeJson } from './sql-dialect.ts';
import type { PushChallengesTable } from './store-tables.ts';

type PushChallengeRow = Selectable<PushChallengesTable>;

export class SqlPushChallengesRepository implements PushChallengesRepository {
  readonly #db: SqlDatabase;

  constructor(db: SqlDatabase) {
    this.#db = db;
  }

  async open(input: OpenPushChallengeInput): Promise<PushChallenge> {
    const challenge = newPushChallenge(input);
    // The partial unique index on open challenges turns a second open one into a conflict.
    await this.#db.kysely
      .insertInto('push_challenges')
      .values({
        id: challenge.id,
        user_id: challenge.userId,
        interaction_uid: challenge.interactionUid,
        client_id: challenge.clientId,
        client_name: challenge.clientName,
        ip: challenge.ip,
        number: challenge.number,
        choices: writeJson(challenge.choices),
        nonce: challenge.nonce,
        transaction: challenge.transaction === null ? null : writeJson(challenge.transaction),
        status: 'open',
        denial_reason: null,
        created_at: challenge.createdAt,
        expires_at: challenge.expiresAt,
        resolved_at: null,
        device_id: null,
        consumed_at: null,
      })
      .execute();
    return challenge;
  }

  async findById(id: string): Promise<PushChallenge | undefined> {
    const row = await this.#db.kysely
      .selectFrom('push_challenges')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row && this.#toPushChallenge(row);
  }

  async latestForInteraction(interactionUid: string): Promise<PushChallenge | undefined> {
    const row = await this.#db.kysely
      .selectFrom('push_challenges')
      .selectAll()
      .where('interaction_uid', '=', interactionUid)
      .orderBy('created_at', 'desc')
      .orderBy(this.#db.dialect.insertionOrder, 'desc')
      .limit(1)
      .executeTakeFirst();
    return row && this.#toPushChallenge(row);
  }

  async listPendingForUser(userId: string, now: number): Promise<PushChallenge[]> {
    const rows = await this.#db.kysely
      .selectFrom('push_challenges')
      .selectAll()
      .where('user_id', '=', userId)
      .where('status', '=', 'open')
      .where('expires_at', '>', now)
      .orderBy('created_at')
      .orderBy(this.#db.dialect.insertionOrder)
      .execute();
    return rows.map((row) => this.#toPushChallenge(row));
  }

  async resolve(input: ResolvePushChallengeInput): Promise<boolean> {
    // The single-use answer is this one conditional UPDATE: of concurrent answers through any node,
    // only the first finds the row still open, and an answer after the expiry finds nothing to change.
    const result = await this.#db.kysely
      .updateTable('push_challenges')
      .set({
        status: input.status,
        denial_reason: input.status === 'denied' ? input.denialReason : null,
        resolved_at: input.now,
        device_id: input.deviceId,
      })
      .where('id', '=', input.id)
      .where('user_id', '=', input.userId)
      .where('nonce', '=', input.nonce)
      .where('status', '=', 'open')
      .where('expires_at', '>', input.now)
      .executeTakeFirst();
    return result.numUpdatedRows === 1n;
  }

  async withdrawOpen(interactionUid: string, now: number): Promise<PushChallenge[]> {
    // The same condition on status as `resolve`: of an answer and a withdrawal racing for a challenge,
    // whichever update takes the row first wins, and the other finds it no longer open.
    const rows = await this.#db.kysely
      .updateTable('push_challenges')
      .set({ status: 'withdrawn', resolved_at: now })
      .where('interaction_uid', '=', interactionUid)
      .where('status', '=', 'open')
      .returningAll()
      .execute();
    return rows.map((row) => this.#toPushChallenge(row));
  }

  async expireDue(
    now: number,
    scope?: { interactionUid: string } | { id: string },
  ): Promise<PushChallenge[]> {
    let query = this.#db.kysely
      .updateTable('push_challenges')
      .set({ status: 'expired', resolved_at: now })
      .where('status', '=', 'open')
      .where('expires_at', '<=', now);
    if (scope !== undefined && 'id' in scope) query = query.where('id', '=', scope.id);
    else if (scope !== undefined) query = query.where('interaction_uid', '=', scope.interactionUid);
    // Concurrent callers each re-check status on the row they wait for, so each one is returned once.
    const rows = await query.returningAll().execute();
    return rows.map((row) => this.#toPushChallenge(row));
  }

  async consumeApproval(id: string, now: number): Promise<boolean> {
    const result = await this.#db.kysely
      .updateTable('push_challenges')
      .set({ consumed_at: now })
      .where('id', '=', id)
      .where('status', '=', 'approved')
      .where('consumed_at', 'is', null)
      .executeTakeFirst();
    return result.numUpdatedRows === 1n;
  }

  #toPushChallenge(row: PushChallengeRow): PushChallenge {
    return {
      id: row.id,
      userId: row.user_id,
      interactionUid: row.interaction_uid,
      clientId: row.client_id,
      clientName: row.client_name,
      ip: row.ip,
      number: row.number,
      choices: this.#db.dialect.readJson(row.choices) as number[],
      nonce: row.nonce,
      transaction:
        row.transaction === null ? null : (this.#db.dialect.readJson(row.transaction) as PushTransaction),
      status: row.status,
      denialReason: row.denial_reason,
      createdAt: row.created_at,
      expiresAt: row.expires_at,
      resolvedAt: row.resolved_at,
      deviceId: row.device_id,
      consumedAt: row.consumed_at,
    };
  }
}

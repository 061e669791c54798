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

type PushChallengeRow = Selectable<PushChallengesTable> & { transaction?: unknown };

export class SqlPushChallengesRepository implements PushChallengesRepository {
  readonly #db: SqlDatabase;

  constructor(db: SqlDatabase) {
    this.#db = db;
  }

  async open(input: OpenPushChallengeInput): Promise<PushChallenge> {
    const challenge = newPushChallenge(input);
    // The partial unique index on open challenges turns a second open one into a conflict.
    const insertChallenge = this.#db.kysely.insertInto('push_challenges').values({
      id: challenge.id,
      user_id: challenge.userId,
      interaction_uid: challenge.interactionUid,
      client_id: challenge.clientId,
      client_name: challenge.clientName,
      ip: challenge.ip,
      number: challenge.number,
      choices: writeJson(challenge.choices),
      nonce: challenge.nonce,
      status: 'open',
      denial_reason: null,
      created_at: challenge.createdAt,
      expires_at: challenge.expiresAt,
      resolved_at: null,
      device_id: null,
      consumed_at: null,
    });
    const { transaction } = challenge;
    if (transaction === null) {
      await insertChallenge.execute();
      return challenge;
    }
    // The request and what it shows are written together, or not at all.
    await this.#db.kysely.transaction().execute(async (trx) => {
      await trx.executeQuery(insertChallenge.compile());
      await trx
        .insertInto('push_challenge_transactions')
        .values({ challenge_id: challenge.id, transaction: writeJson(transaction) })
        .execute();
    });
    return challenge;
  }

  async findById(id: string): Promise<PushChallenge | undefined> {
    const row = await this.#db.kysely
      .selectFrom('push_challenges')
      .selectAll()
      .select((eb) =>
        eb
          .selectFrom('push_challenge_transactions')
          .select('push_challenge_transactions.transaction')
          .whereRef('push_challenge_transactions.challenge_id', '=', 'push_challenges.id')
          .as('transaction'),
      )
      .where('id', '=', id)
      .executeTakeFirst();
    return row && this.#toPushChallenge(row);
  }

  async latestForInteraction(interactionUid: string): Promise<PushChallenge | undefined> {
    const row = await this.#db.kysely
      .selectFrom('push_challenges')
      .selectAll()
      .select((eb) =>
        eb
          .selectFrom('push_challenge_transactions')
          .select('push_challenge_transactions.transaction')
          .whereRef('push_challenge_transactions.challenge_id', '=', 'push_challenges.id')
          .as('transaction'),
      )
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
      .select((eb) =>
        eb
          .selectFrom('push_challenge_transactions')
          .select('push_challenge_transactions.transaction')
          .whereRef('push_challenge_transactions.challenge_id', '=', 'push_challenges.id')
          .as('transaction'),
      )
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
    return this.#withTransactions(rows);
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
    return this.#withTransactions(rows);
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

  /** Challenges an UPDATE returned, with the transactions of those that have one. */
  async #withTransactions(rows: PushChallengeRow[]): Promise<PushChallenge[]> {
    const ids = rows.map((row) => row.id);
    const transactions =
      ids.length === 0
        ? []
        : await this.#db.kysely
            .selectFrom('push_challenge_transactions')
            .select(['challenge_id', 'transaction'])
            .where('challenge_id', 'in', ids)
            .execute();
    const byId = new Map(transactions.map((row) => [row.challenge_id, row.transaction]));
    return rows.map((row) => this.#toPushChallenge({ ...row, transaction: byId.get(row.id) ?? null }));
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
        row.transaction === null || row.transaction === undefined
          ? null
          : (this.#db.dialect.readJson(row.transaction) as PushTransaction),
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

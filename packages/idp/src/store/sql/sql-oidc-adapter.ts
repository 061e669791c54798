import type { ClientsRepository } from '../clients.ts';
import { createInvalidGrantError, GRANT_SOURCE_ALREADY_CONSUMED } from '../invalid-grant-error.ts';
import type { OidcAdapter, OidcAdapterFactory, OidcAdapterPayload } from '../oidc-adapter.ts';
import {
  type OidcModelIndexedColumns,
  oidcModelIndexedColumns,
  rejectClientModelWrite,
  withConsumedAt,
} from '../oidc-model-row.ts';
import { prepareCommand, prepareQuery } from './prepared-query.ts';
import type { SqlDatabase } from './sql-database.ts';
import { writeJson } from './sql-dialect.ts';

export interface SqlOidcAdapterOptions {
  /** Epoch seconds; decides expiry and the `consumed` timestamp. */
  now?: () => number;
}

/**
 * oidc-provider's adapter over the `oidc_models` table: one row per model instance, with the
 * payload's grantId, userCode and uid copied into indexed columns. The `Client` model is read from
 * the `clients` table, where registrations are managed.
 */
export function createSqlOidcAdapter(
  db: SqlDatabase,
  clients: ClientsRepository,
  options: SqlOidcAdapterOptions = {},
): OidcAdapterFactory {
  const now = options.now ?? (() => Math.floor(Date.now() / 1000));
  const { kysely, dialect } = db;

  // Prepared once: oidc-provider looks models up, saves the session, and redeems codes and refresh
  // tokens, on every request.
  const upsertRow = prepareUpsert(db);
  const consumeRow = prepareCommand<{ model: string; id: string; now: number }>(db, (parameter) =>
    kysely
      .updateTable('oidc_models')
      .set({ consumed_at: parameter('now') })
      .where('model', '=', parameter('model'))
      .where('id', '=', parameter('id'))
      .where('consumed_at', 'is', null),
  );
  const lookups = {
    id: prepareLookup(db, 'id'),
    uid: prepareLookup(db, 'uid'),
    user_code: prepareLookup(db, 'user_code'),
  };

  async function findOne(
    model: string,
    column: keyof typeof lookups,
    value: string,
  ): Promise<OidcAdapterPayload | undefined> {
    const [row] = await lookups[column]({ model, value, now: now() });
    return row && withConsumedAt(dialect.readJson(row.payload) as OidcAdapterPayload, row.consumed_at);
  }

  return class SqlOidcAdapter implements OidcAdapter {
    readonly #model: string;

    constructor(name: string) {
      if (typeof name !== 'string' || name === '') throw new TypeError('adapter model name must be a string');
      this.#model = name;
    }

    async upsert(id: string, payload: OidcAdapterPayload, expiresIn?: number): Promise<void> {
      rejectClientModelWrite(this.#model, 'upsert');
      await upsertRow({
        model: this.#model,
        id,
        payload: writeJson(payload),
        ...oidcModelIndexedColumns(this.#model, payload, expiresIn, now),
      });
    }

    async find(id: string): Promise<OidcAdapterPayload | undefined> {
      if (this.#model === 'Client') return clients.find(id);
      return findOne(this.#model, 'id', id);
    }

    async findByUid(uid: string): Promise<OidcAdapterPayload | undefined> {
      return findOne(this.#model, 'uid', uid);
    }

    async findByUserCode(userCode: string): Promise<OidcAdapterPayload | undefined> {
      return findOne(this.#model, 'user_code', userCode);
    }

    async consume(id: string): Promise<void> {
      await this.consumeAllowingRetry(id, { now: now(), reuseIntervalSeconds: 0 });
    }

    async consumeAllowingRetry(
      id: string,
      rule: { now: number; reuseIntervalSeconds: number },
    ): Promise<void> {
      rejectClientModelWrite(this.#model, 'consume');
      // One conditional UPDATE: a concurrent redemption (on PostgreSQL, through another node) waits
      // for the row, then finds consumed_at set and changes nothing, so exactly one redemption wins.
      if ((await consumeRow({ model: this.#model, id, now: rule.now })) === 1n) return;
      const used = await kysely
        .selectFrom('oidc_models')
        .select(['grant_id', 'consumed_at'])
        .where('model', '=', this.#model)
        .where('id', '=', id)
        .executeTakeFirst();
      if (used === undefined) throw createInvalidGrantError('grant source not found');
      // consumed_at never changes once set, so every retry is judged from the first use.
      if (used.consumed_at !== null && rule.now < used.consumed_at + rule.reuseIntervalSeconds) return;
      // Lost the race or a replay. Reuse of a consumed code or refresh token: RFC 9700 section 4.14.2
      // (refresh tokens) and RFC 6749 section 4.1.2 (codes) ask to revoke what was issued under the
      // grant.
      const grantId = used.grant_id;
      if (grantId !== null) {
        // The Grant row goes too: tokens the winning request issues after this point then fail to
        // resolve their grant, so the whole family is revoked, not only what exists now.
        await kysely
          .deleteFrom('oidc_models')
          .where((where) =>
            where.or([
              where('grant_id', '=', grantId),
              where.and([where('model', '=', 'Grant'), where('id', '=', grantId)]),
            ]),
          )
          .execute();
      }
      throw createInvalidGrantError(GRANT_SOURCE_ALREADY_CONSUMED);
    }

    async destroy(id: string): Promise<void> {
      rejectClientModelWrite(this.#model, 'destroy');
      await kysely.deleteFrom('oidc_models').where('model', '=', this.#model).where('id', '=', id).execute();
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await kysely.deleteFrom('oidc_models').where('grant_id', '=', grantId).execute();
    }
  };
}

/** The live instance of a model whose `column` holds `value`. */
function prepareLookup(db: SqlDatabase, column: 'id' | 'uid' | 'user_code') {
  const { kysely } = db;
  return prepareQuery<
    { model: string; value: string; now: number },
    { payload: unknown; consumed_at: number | null }
  >(db, (parameter) =>
    kysely
      .selectFrom('oidc_models')
      .select(['payload', 'consumed_at'])
      .where('model', '=', parameter('model'))
      .where(column, '=', parameter('value'))
      .where((where) =>
        where.or([where('expires_at', 'is', null), where('expires_at', '>', parameter('now'))]),
      )
      .limit(1),
  );
}

/** An `oidc_models` row as written. */
type ModelRow = OidcModelIndexedColumns & { model: string; id: string; payload: string };

/** Creates or replaces one model instance. */
function prepareUpsert(db: SqlDatabase) {
  const { kysely } = db;
  return prepareQuery<ModelRow, unknown>(db, (parameter) =>
    kysely
      .insertInto('oidc_models')
      .values({
        model: parameter('model'),
        id: parameter('id'),
        payload: parameter('payload'),
        grant_id: parameter('grant_id'),
        user_code: parameter('user_code'),
        uid: parameter('uid'),
        expires_at: parameter('expires_at'),
        consumed_at: parameter('consumed_at'),
      })
      .onConflict((conflict) =>
        conflict.columns(['model', 'id']).doUpdateSet((update) => ({
          payload: update.ref('excluded.payload'),
          grant_id: update.ref('excluded.grant_id'),
          user_code: update.ref('excluded.user_code'),
          uid: update.ref('excluded.uid'),
          expires_at: update.ref('excluded.expires_at'),
          // Re-saving never clears consumed_at: once used, a single-use token stays used.
          consumed_at: update.fn.coalesce('oidc_models.consumed_at', 'excluded.consumed_at'),
        })),
      ),
  );
}

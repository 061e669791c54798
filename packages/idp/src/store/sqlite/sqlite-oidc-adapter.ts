import type Database from 'better-sqlite3';
import type { ClientsRepository } from '../clients.ts';
import { createInvalidGrantError } from '../invalid-grant-error.ts';
import type { OidcAdapter, OidcAdapterFactory, OidcAdapterPayload } from '../oidc-adapter.ts';
import {
  type OidcModelIndexedColumns,
  oidcModelIndexedColumns,
  rejectClientModelWrite,
  withConsumedAt,
} from '../oidc-model-row.ts';
import { runSqlite } from './run-sqlite.ts';

interface ModelRow {
  payload: string;
  consumed_at: number | null;
}

interface UpsertRow extends OidcModelIndexedColumns {
  model: string;
  id: string;
  payload: string;
}

export interface SqliteOidcAdapterOptions {
  /** Epoch seconds; decides expiry and the `consumed` timestamp. */
  now?: () => number;
}

/**
 * oidc-provider's adapter over the `oidc_models` table: one row per model instance, with the
 * payload's grantId, userCode and uid copied into indexed columns. The `Client` model is read from
 * the `clients` table, where registrations are managed.
 */
export function createSqliteOidcAdapter(
  db: Database.Database,
  clients: ClientsRepository,
  options: SqliteOidcAdapterOptions = {},
): OidcAdapterFactory {
  const now = options.now ?? (() => Math.floor(Date.now() / 1000));
  const notExpired = '(expires_at IS NULL OR expires_at > @now)';
  const statements = {
    // Re-saving never clears consumed_at: once used, a single-use token stays used.
    upsert: db.prepare<[UpsertRow]>(
      `INSERT INTO oidc_models (model, id, payload, grant_id, user_code, uid, expires_at, consumed_at)
       VALUES (@model, @id, @payload, @grant_id, @user_code, @uid, @expires_at, @consumed_at)
       ON CONFLICT (model, id) DO UPDATE SET
         payload = excluded.payload, grant_id = excluded.grant_id, user_code = excluded.user_code,
         uid = excluded.uid, expires_at = excluded.expires_at,
         consumed_at = COALESCE(oidc_models.consumed_at, excluded.consumed_at)`,
    ),
    find: db.prepare<[{ model: string; id: string; now: number }], ModelRow>(
      `SELECT payload, consumed_at FROM oidc_models WHERE model = @model AND id = @id AND ${notExpired}`,
    ),
    findByUid: db.prepare<[{ model: string; uid: string; now: number }], ModelRow>(
      `SELECT payload, consumed_at FROM oidc_models WHERE model = @model AND uid = @uid AND ${notExpired}
       LIMIT 1`,
    ),
    findByUserCode: db.prepare<[{ model: string; userCode: string; now: number }], ModelRow>(
      `SELECT payload, consumed_at FROM oidc_models
       WHERE model = @model AND user_code = @userCode AND ${notExpired} LIMIT 1`,
    ),
    destroy: db.prepare<[string, string]>('DELETE FROM oidc_models WHERE model = ? AND id = ?'),
    revokeByGrantId: db.prepare<[string]>('DELETE FROM oidc_models WHERE grant_id = ?'),
    consume: db.prepare<[number, string, string]>(
      'UPDATE oidc_models SET consumed_at = ? WHERE model = ? AND id = ? AND consumed_at IS NULL',
    ),
    grantIdOf: db
      .prepare<[string, string], string | null>('SELECT grant_id FROM oidc_models WHERE model = ? AND id = ?')
      .pluck(),
    // The Grant row goes too: tokens the winning request issues after this point then fail to
    // resolve their grant, so the whole family is revoked, not only what exists now.
    revokeGrant: db.prepare<[{ grantId: string }]>(
      "DELETE FROM oidc_models WHERE grant_id = @grantId OR (model = 'Grant' AND id = @grantId)",
    ),
  };

  // Reuse of a consumed code or refresh token: RFC 9700 section 4.14.2 (refresh tokens) and
  // RFC 6749 section 4.1.2 (codes) ask to revoke what was issued under the grant.
  const revokeReusedGrant = db.transaction((model: string, id: string): void => {
    const grantId = statements.grantIdOf.get(model, id);
    if (typeof grantId === 'string') statements.revokeGrant.run({ grantId });
  });

  return class SqliteOidcAdapter implements OidcAdapter {
    readonly #model: string;

    constructor(name: string) {
      if (typeof name !== 'string' || name === '') throw new TypeError('adapter model name must be a string');
      this.#model = name;
    }

    async upsert(id: string, payload: OidcAdapterPayload, expiresIn?: number): Promise<void> {
      rejectClientModelWrite(this.#model, 'upsert');
      const row: UpsertRow = {
        model: this.#model,
        id,
        payload: JSON.stringify(payload),
        ...oidcModelIndexedColumns(this.#model, payload, expiresIn, now),
      };
      await runSqlite(db, () => statements.upsert.run(row));
    }

    async find(id: string): Promise<OidcAdapterPayload | undefined> {
      if (this.#model === 'Client') return clients.find(id);
      return runSqlite(db, () => toPayload(statements.find.get({ model: this.#model, id, now: now() })));
    }

    async findByUid(uid: string): Promise<OidcAdapterPayload | undefined> {
      return runSqlite(db, () =>
        toPayload(statements.findByUid.get({ model: this.#model, uid, now: now() })),
      );
    }

    async findByUserCode(userCode: string): Promise<OidcAdapterPayload | undefined> {
      return runSqlite(db, () =>
        toPayload(statements.findByUserCode.get({ model: this.#model, userCode, now: now() })),
      );
    }

    async consume(id: string): Promise<void> {
      rejectClientModelWrite(this.#model, 'consume');
      const model = this.#model;
      const consumed = await runSqlite(db, () => statements.consume.run(now(), model, id).changes === 1);
      if (consumed) return;
      // Lost the race or a replay: the code or refresh token was already redeemed.
      const exists = await runSqlite(db, () => statements.grantIdOf.get(model, id) !== undefined);
      if (!exists) throw createInvalidGrantError('grant source not found');
      await runSqlite(db, () => revokeReusedGrant(model, id));
      throw createInvalidGrantError('grant source already consumed');
    }

    async destroy(id: string): Promise<void> {
      rejectClientModelWrite(this.#model, 'destroy');
      await runSqlite(db, () => statements.destroy.run(this.#model, id));
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await runSqlite(db, () => statements.revokeByGrantId.run(grantId));
    }
  };
}

function toPayload(row: ModelRow | undefined): OidcAdapterPayload | undefined {
  return row === undefined
    ? undefined
    : withConsumedAt(JSON.parse(row.payload) as OidcAdapterPayload, row.consumed_at);
}

import type { ClientsRepository } from '../clients.ts';
import { createInvalidGrantError } from '../invalid-grant-error.ts';
import type { OidcAdapter, OidcAdapterFactory, OidcAdapterPayload } from '../oidc-adapter.ts';
import { oidcModelIndexedColumns, rejectClientModelWrite, withConsumedAt } from '../oidc-model-row.ts';
import type { PostgresQueryable } from './postgres-database.ts';

interface ModelRow {
  payload: OidcAdapterPayload;
  consumed_at: number | null;
}

export interface PostgresOidcAdapterOptions {
  /** Epoch seconds; decides expiry and the `consumed` timestamp. */
  now?: () => number;
}

const NOT_EXPIRED = '(expires_at IS NULL OR expires_at > $3)';

/**
 * oidc-provider's adapter over the `oidc_models` table: one row per model instance, with the
 * payload's grantId, userCode and uid copied into indexed columns. The `Client` model is read from
 * the `clients` table, where registrations are managed.
 */
export function createPostgresOidcAdapter(
  db: PostgresQueryable,
  clients: ClientsRepository,
  options: PostgresOidcAdapterOptions = {},
): OidcAdapterFactory {
  const now = options.now ?? (() => Math.floor(Date.now() / 1000));

  async function findOne(model: string, column: 'id' | 'uid' | 'user_code', value: string) {
    const { rows } = await db.query<ModelRow>(
      `SELECT payload, consumed_at FROM oidc_models WHERE model = $1 AND ${column} = $2 AND ${NOT_EXPIRED}
       LIMIT 1`,
      [model, value, now()],
    );
    return toPayload(rows[0]);
  }

  return class PostgresOidcAdapter implements OidcAdapter {
    readonly #model: string;

    constructor(name: string) {
      if (typeof name !== 'string' || name === '') throw new TypeError('adapter model name must be a string');
      this.#model = name;
    }

    async upsert(id: string, payload: OidcAdapterPayload, expiresIn?: number): Promise<void> {
      rejectClientModelWrite(this.#model, 'upsert');
      const columns = oidcModelIndexedColumns(this.#model, payload, expiresIn, now);
      // Re-saving never clears consumed_at: once used, a single-use token stays used.
      await db.query(
        `INSERT INTO oidc_models (model, id, payload, grant_id, user_code, uid, expires_at, consumed_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (model, id) DO UPDATE SET
           payload = excluded.payload, grant_id = excluded.grant_id, user_code = excluded.user_code,
           uid = excluded.uid, expires_at = excluded.expires_at,
           consumed_at = COALESCE(oidc_models.consumed_at, excluded.consumed_at)`,
        [
          this.#model,
          id,
          JSON.stringify(payload),
          columns.grant_id,
          columns.user_code,
          columns.uid,
          columns.expires_at,
          columns.consumed_at,
        ],
      );
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
      rejectClientModelWrite(this.#model, 'consume');
      // One conditional UPDATE: a concurrent redemption through another node waits for the row lock,
      // then finds consumed_at set and changes nothing, so exactly one redemption wins.
      const { rowCount } = await db.query(
        'UPDATE oidc_models SET consumed_at = $3 WHERE model = $1 AND id = $2 AND consumed_at IS NULL',
        [this.#model, id, now()],
      );
      if (rowCount === 1) return;
      // Lost the race or a replay. Reuse of a consumed code or refresh token: RFC 9700 section 4.14.2
      // (refresh tokens) and RFC 6749 section 4.1.2 (codes) ask to revoke what was issued under the
      // grant. The Grant row goes too: tokens the winning request issues after this point then fail
      // to resolve their grant, so the whole family is revoked, not only what exists now.
      const { rows } = await db.query<{ grant_id: string | null }>(
        `WITH reused AS (SELECT grant_id FROM oidc_models WHERE model = $1 AND id = $2),
         revoked AS (
           DELETE FROM oidc_models WHERE grant_id IN (SELECT grant_id FROM reused)
             OR (model = 'Grant' AND id IN (SELECT grant_id FROM reused))
         )
         SELECT grant_id FROM reused`,
        [this.#model, id],
      );
      if (rows.length === 0) throw createInvalidGrantError('grant source not found');
      throw createInvalidGrantError('grant source already consumed');
    }

    async destroy(id: string): Promise<void> {
      rejectClientModelWrite(this.#model, 'destroy');
      await db.query('DELETE FROM oidc_models WHERE model = $1 AND id = $2', [this.#model, id]);
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await db.query('DELETE FROM oidc_models WHERE grant_id = $1', [grantId]);
    }
  };
}

function toPayload(row: ModelRow | undefined): OidcAdapterPayload | undefined {
  return row === undefined ? undefined : withConsumedAt(row.payload, row.consumed_at);
}

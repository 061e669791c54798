import type { JsonObject } from '../../actions/json-value.ts';
import type { CustomClaimsRecord, CustomClaimsRepository } from '../custom-claims.ts';
import type { PostgresQueryable } from './postgres-database.ts';

interface CustomClaimsRow {
  grant_id: string;
  session_uid: string;
  client_id: string;
  account_id: string;
  id_token: JsonObject;
  access_token: JsonObject;
  expires_at: number;
}

export class PostgresCustomClaimsRepository implements CustomClaimsRepository {
  readonly #db: PostgresQueryable;

  constructor(db: PostgresQueryable) {
    this.#db = db;
  }

  async save(record: CustomClaimsRecord): Promise<void> {
    await this.#db.query(
      `INSERT INTO custom_claims (grant_id, session_uid, client_id, account_id, id_token, access_token, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (grant_id) DO UPDATE SET
         session_uid = excluded.session_uid, client_id = excluded.client_id,
         account_id = excluded.account_id, id_token = excluded.id_token,
         access_token = excluded.access_token, expires_at = excluded.expires_at`,
      [
        record.grantId,
        record.sessionUid,
        record.clientId,
        record.accountId,
        JSON.stringify(record.idToken),
        JSON.stringify(record.accessToken),
        record.expiresAt,
      ],
    );
  }

  async find(grantId: string, now: number): Promise<CustomClaimsRecord | undefined> {
    const { rows } = await this.#db.query<CustomClaimsRow>(
      `SELECT grant_id, session_uid, client_id, account_id, id_token, access_token, expires_at
       FROM custom_claims WHERE grant_id = $1 AND expires_at > $2`,
      [grantId, now],
    );
    const row = rows[0];
    return (
      row && {
        grantId: row.grant_id,
        sessionUid: row.session_uid,
        clientId: row.client_id,
        accountId: row.account_id,
        idToken: row.id_token,
        accessToken: row.access_token,
        expiresAt: row.expires_at,
      }
    );
  }

  async remove(grantId: string): Promise<boolean> {
    return (await this.#db.query('DELETE FROM custom_claims WHERE grant_id = $1', [grantId])).rowCount > 0;
  }
}

import type Database from 'better-sqlite3';
import type { JsonObject } from '../../actions/json-value.ts';
import type { CustomClaimsRecord, CustomClaimsRepository } from '../custom-claims.ts';
import { runSqlite } from './run-sqlite.ts';

interface CustomClaimsRow {
  grant_id: string;
  session_uid: string;
  client_id: string;
  account_id: string;
  id_token: string;
  access_token: string;
  expires_at: number;
}

export class SqliteCustomClaimsRepository implements CustomClaimsRepository {
  readonly #db: Database.Database;
  readonly #save: Database.Statement<[CustomClaimsRow]>;
  readonly #find: Database.Statement<[string, number], CustomClaimsRow>;
  readonly #remove: Database.Statement<[string]>;

  constructor(db: Database.Database) {
    this.#db = db;
    this.#save = db.prepare(
      `INSERT INTO custom_claims (grant_id, session_uid, client_id, account_id, id_token, access_token, expires_at)
       VALUES (@grant_id, @session_uid, @client_id, @account_id, @id_token, @access_token, @expires_at)
       ON CONFLICT (grant_id) DO UPDATE SET
         session_uid = excluded.session_uid, client_id = excluded.client_id,
         account_id = excluded.account_id, id_token = excluded.id_token,
         access_token = excluded.access_token, expires_at = excluded.expires_at`,
    );
    this.#find = db.prepare(
      `SELECT grant_id, session_uid, client_id, account_id, id_token, access_token, expires_at
       FROM custom_claims WHERE grant_id = ? AND expires_at > ?`,
    );
    this.#remove = db.prepare('DELETE FROM custom_claims WHERE grant_id = ?');
  }

  async save(record: CustomClaimsRecord): Promise<void> {
    const row: CustomClaimsRow = {
      grant_id: record.grantId,
      session_uid: record.sessionUid,
      client_id: record.clientId,
      account_id: record.accountId,
      id_token: JSON.stringify(record.idToken),
      access_token: JSON.stringify(record.accessToken),
      expires_at: record.expiresAt,
    };
    await runSqlite(this.#db, () => this.#save.run(row));
  }

  async find(grantId: string, now: number): Promise<CustomClaimsRecord | undefined> {
    return runSqlite(this.#db, () => {
      const row = this.#find.get(grantId, now);
      if (row === undefined) return undefined;
      return {
        grantId: row.grant_id,
        sessionUid: row.session_uid,
        clientId: row.client_id,
        accountId: row.account_id,
        idToken: JSON.parse(row.id_token) as JsonObject,
        accessToken: JSON.parse(row.access_token) as JsonObject,
        expiresAt: row.expires_at,
      };
    });
  }

  async remove(grantId: string): Promise<boolean> {
    return runSqlite(this.#db, () => this.#remove.run(grantId).changes > 0);
  }
}

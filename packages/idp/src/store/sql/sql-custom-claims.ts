import type { Selectable } from 'kysely';
import type { JsonObject } from '../../actions/json-value.ts';
import type { CustomClaimsRecord, CustomClaimsRepository } from '../custom-claims.ts';
import { type Parameter, prepareCommand, prepareQuery } from './prepared-query.ts';
import type { SqlDatabase } from './sql-database.ts';
import { writeJson } from './sql-dialect.ts';
import type { CustomClaimsTable } from './store-tables.ts';

type CustomClaimsRow = Selectable<CustomClaimsTable>;

export class SqlCustomClaimsRepository implements CustomClaimsRepository {
  readonly #db: SqlDatabase;
  // Prepared once: every token request reads its grant's claims, and every authorization whose
  // Actions set none clears them.
  readonly #find: (values: { grantId: string; now: number }) => Promise<CustomClaimsRow[]>;
  readonly #remove: (values: { grantId: string }) => Promise<bigint>;

  constructor(db: SqlDatabase) {
    this.#db = db;
    const { kysely } = db;
    this.#find = prepareQuery(db, (parameter: Parameter<{ grantId: string; now: number }>) =>
      kysely
        .selectFrom('custom_claims')
        .select([
          'grant_id',
          'session_uid',
          'client_id',
          'account_id',
          'id_token',
          'access_token',
          'expires_at',
        ])
        .where('grant_id', '=', parameter('grantId'))
        .where('expires_at', '>', parameter('now')),
    );
    this.#remove = prepareCommand(db, (parameter: Parameter<{ grantId: string }>) =>
      kysely.deleteFrom('custom_claims').where('grant_id', '=', parameter('grantId')),
    );
  }

  async save(record: CustomClaimsRecord): Promise<void> {
    await this.#db.kysely
      .insertInto('custom_claims')
      .values({
        grant_id: record.grantId,
        session_uid: record.sessionUid,
        client_id: record.clientId,
        account_id: record.accountId,
        id_token: writeJson(record.idToken),
        access_token: writeJson(record.accessToken),
        expires_at: record.expiresAt,
      })
      .onConflict((conflict) =>
        conflict.column('grant_id').doUpdateSet((eb) => ({
          session_uid: eb.ref('excluded.session_uid'),
          client_id: eb.ref('excluded.client_id'),
          account_id: eb.ref('excluded.account_id'),
          id_token: eb.ref('excluded.id_token'),
          access_token: eb.ref('excluded.access_token'),
          expires_at: eb.ref('excluded.expires_at'),
        })),
      )
      .execute();
  }

  async find(grantId: string, now: number): Promise<CustomClaimsRecord | undefined> {
    const [row] = await this.#find({ grantId, now });
    if (row === undefined) return undefined;
    return {
      grantId: row.grant_id,
      sessionUid: row.session_uid,
      clientId: row.client_id,
      accountId: row.account_id,
      idToken: this.#db.dialect.readJson(row.id_token) as JsonObject,
      accessToken: this.#db.dialect.readJson(row.access_token) as JsonObject,
      expiresAt: row.expires_at,
    };
  }

  async remove(grantId: string): Promise<boolean> {
    return (await this.#remove({ grantId })) > 0n;
  }
}

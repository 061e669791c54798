import type { ProvenMethod } from '@stepup/core';
import type { AuthSessionRecord, AuthSessionsRepository } from '../auth-sessions.ts';
import { type Parameter, prepareQuery } from './prepared-query.ts';
import type { SqlDatabase } from './sql-database.ts';
import { writeJson } from './sql-dialect.ts';

interface AuthSessionRow {
  session_uid: string;
  account_id: string;
  methods: unknown;
}

export class SqlAuthSessionsRepository implements AuthSessionsRepository {
  readonly #db: SqlDatabase;
  // Prepared once: every request with a session reads it.
  readonly #find: (values: { sessionUid: string; now: number }) => Promise<AuthSessionRow[]>;

  constructor(db: SqlDatabase) {
    this.#db = db;
    this.#find = prepareQuery(db, (parameter: Parameter<{ sessionUid: string; now: number }>) =>
      db.kysely
        .selectFrom('auth_sessions')
        .select(['session_uid', 'account_id', 'methods'])
        .where('session_uid', '=', parameter('sessionUid'))
        .where('expires_at', '>', parameter('now')),
    );
  }

  async find(sessionUid: string, now: number): Promise<AuthSessionRecord | undefined> {
    const [row] = await this.#find({ sessionUid, now });
    return (
      row && {
        sessionUid: row.session_uid,
        accountId: row.account_id,
        methods: this.#db.dialect.readJson(row.methods) as ProvenMethod[],
      }
    );
  }

  async save(record: AuthSessionRecord, expiresAt: number): Promise<void> {
    await this.#db.kysely
      .insertInto('auth_sessions')
      .values({
        session_uid: record.sessionUid,
        account_id: record.accountId,
        methods: writeJson(record.methods),
        expires_at: expiresAt,
      })
      .onConflict((conflict) =>
        conflict.column('session_uid').doUpdateSet((update) => ({
          account_id: update.ref('excluded.account_id'),
          methods: update.ref('excluded.methods'),
          expires_at: update.ref('excluded.expires_at'),
        })),
      )
      .execute();
  }

  async destroy(sessionUid: string): Promise<void> {
    await this.#db.kysely.deleteFrom('auth_sessions').where('session_uid', '=', sessionUid).execute();
  }
}

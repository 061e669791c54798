import type { ProvenMethod } from '@stepup/core';
import type Database from 'better-sqlite3';
import type { AuthSessionRecord, AuthSessionsRepository } from '../auth-sessions.ts';
import { runSqlite } from './run-sqlite.ts';

interface AuthSessionRow {
  session_uid: string;
  account_id: string;
  methods: string;
}

export class SqliteAuthSessionsRepository implements AuthSessionsRepository {
  readonly #db: Database.Database;
  readonly #find: Database.Statement<[string, number], AuthSessionRow>;
  readonly #save: Database.Statement<[AuthSessionRow & { expires_at: number }]>;
  readonly #destroy: Database.Statement<[string]>;

  constructor(db: Database.Database) {
    this.#db = db;
    this.#find = db.prepare(
      'SELECT session_uid, account_id, methods FROM auth_sessions WHERE session_uid = ? AND expires_at > ?',
    );
    this.#save = db.prepare(
      `INSERT INTO auth_sessions (session_uid, account_id, methods, expires_at)
       VALUES (@session_uid, @account_id, @methods, @expires_at)
       ON CONFLICT (session_uid) DO UPDATE SET
         account_id = excluded.account_id, methods = excluded.methods, expires_at = excluded.expires_at`,
    );
    this.#destroy = db.prepare('DELETE FROM auth_sessions WHERE session_uid = ?');
  }

  async find(sessionUid: string, now: number): Promise<AuthSessionRecord | undefined> {
    return runSqlite(this.#db, () => {
      const row = this.#find.get(sessionUid, now);
      if (row === undefined) return undefined;
      return {
        sessionUid: row.session_uid,
        accountId: row.account_id,
        methods: JSON.parse(row.methods) as ProvenMethod[],
      };
    });
  }

  async save(record: AuthSessionRecord, expiresAt: number): Promise<void> {
    const row = {
      session_uid: record.sessionUid,
      account_id: record.accountId,
      methods: JSON.stringify(record.methods),
      expires_at: expiresAt,
    };
    await runSqlite(this.#db, () => this.#save.run(row));
  }

  async destroy(sessionUid: string): Promise<void> {
    await runSqlite(this.#db, () => this.#destroy.run(sessionUid));
  }
}

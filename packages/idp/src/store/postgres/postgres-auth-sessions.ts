import type { ProvenMethod } from '@stepup/core';
import type { AuthSessionRecord, AuthSessionsRepository } from '../auth-sessions.ts';
import type { PostgresQueryable } from './postgres-database.ts';

interface AuthSessionRow {
  session_uid: string;
  account_id: string;
  methods: ProvenMethod[];
}

export class PostgresAuthSessionsRepository implements AuthSessionsRepository {
  readonly #db: PostgresQueryable;

  constructor(db: PostgresQueryable) {
    this.#db = db;
  }

  async find(sessionUid: string, now: number): Promise<AuthSessionRecord | undefined> {
    const { rows } = await this.#db.query<AuthSessionRow>(
      'SELECT session_uid, account_id, methods FROM auth_sessions WHERE session_uid = $1 AND expires_at > $2',
      [sessionUid, now],
    );
    const row = rows[0];
    return row && { sessionUid: row.session_uid, accountId: row.account_id, methods: row.methods };
  }

  async save(record: AuthSessionRecord, expiresAt: number): Promise<void> {
    await this.#db.query(
      `INSERT INTO auth_sessions (session_uid, account_id, methods, expires_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (session_uid) DO UPDATE SET
         account_id = excluded.account_id, methods = excluded.methods, expires_at = excluded.expires_at`,
      [record.sessionUid, record.accountId, JSON.stringify(record.methods), expiresAt],
    );
  }

  async destroy(sessionUid: string): Promise<void> {
    await this.#db.query('DELETE FROM auth_sessions WHERE session_uid = $1', [sessionUid]);
  }
}

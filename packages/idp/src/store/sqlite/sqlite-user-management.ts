import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { NewAuditEvent } from '../audit-events.ts';
import { toLoginKey } from '../login-key.ts';
import type {
  ManagedUser,
  ManagedUserChanges,
  NewManagedUser,
  UserManagementRepository,
} from '../user-management.ts';
import { toUserSearchPage, userSearchStartKey } from '../user-search-page.ts';
import { runSqlite } from './run-sqlite.ts';
import { prepareAuditEventAppend } from './sqlite-audit-events.ts';

interface ManagedUserRow {
  id: string;
  username: string;
  username_key: string;
  email: string | null;
  email_verified: number;
  name: string | null;
  created_at: number;
  roles: string;
  blocked: number;
  app_metadata: string;
  user_metadata: string;
}

const COLUMNS =
  'id, username, username_key, email, email_verified, name, created_at, roles, blocked, app_metadata, user_metadata';

export class SqliteUserManagementRepository implements UserManagementRepository {
  readonly #db: Database.Database;
  readonly #find: Database.Statement<[string], ManagedUserRow>;
  readonly #search: Database.Statement<[{ q: string | null; after: string; limit: number }], ManagedUserRow>;
  readonly #remove: (id: string, auditEvent: NewAuditEvent) => boolean;
  readonly #revokeSessions: (id: string) => number;
  readonly #setPassword: (id: string, passwordHash: string, auditEvent: NewAuditEvent) => boolean;
  readonly #appendAuditEvent: (event: NewAuditEvent) => void;
  readonly #create: (input: NewManagedUser, auditEvent: (user: ManagedUser) => NewAuditEvent) => ManagedUser;

  constructor(db: Database.Database) {
    this.#db = db;
    this.#find = db.prepare(`SELECT ${COLUMNS} FROM users WHERE id = ?`);
    this.#search = db.prepare(
      `SELECT ${COLUMNS} FROM users
       WHERE username_key > @after AND (@q IS NULL OR instr(username_key, @q) > 0
         OR instr(coalesce(email_key, ''), @q) > 0 OR instr(lower(coalesce(name, '')), @q) > 0)
       ORDER BY username_key LIMIT @limit`,
    );
    const deleteModels = db.prepare(
      "DELETE FROM oidc_models WHERE model <> 'Client' AND json_extract(payload, '$.accountId') = ?",
    );
    const deleteAuthSessions = db.prepare('DELETE FROM auth_sessions WHERE account_id = ?');
    this.#revokeSessions = db.transaction(
      (id: string) => deleteModels.run(id).changes + deleteAuthSessions.run(id).changes,
    );
    const insert = db.prepare<[Record<string, unknown>], ManagedUserRow>(
      `INSERT INTO users (id, username, username_key, email, email_key, email_verified, name, password_hash,
         created_at, app_metadata, user_metadata)
       VALUES (@id, @username, @username_key, @email, @email_key, @email_verified, @name, @password_hash,
         @created_at, @app_metadata, @user_metadata)
       RETURNING ${COLUMNS}`,
    );
    const appendAuditEvent = prepareAuditEventAppend(db);
    this.#appendAuditEvent = appendAuditEvent;
    const deleteUser = db.prepare('DELETE FROM users WHERE id = ?');
    const updatePasswordHash = db.prepare<[string, string]>(
      'UPDATE users SET password_hash = ? WHERE id = ?',
    );
    this.#setPassword = db.transaction((id: string, passwordHash: string, auditEvent: NewAuditEvent) => {
      if (updatePasswordHash.run(passwordHash, id).changes === 0) return false;
      appendAuditEvent(auditEvent);
      return true;
    });
    this.#remove = db.transaction((id: string, auditEvent: NewAuditEvent) => {
      if (deleteUser.run(id).changes === 0) return false;
      this.#revokeSessions(id);
      appendAuditEvent(auditEvent);
      return true;
    });
    this.#create = db.transaction(
      (input: NewManagedUser, auditEvent: (user: ManagedUser) => NewAuditEvent) => {
        const row = insert.get({
          id: randomUUID(),
          username: input.username,
          username_key: toLoginKey(input.username),
          email: input.email ?? null,
          email_key: input.email == null ? null : toLoginKey(input.email),
          email_verified: input.email != null && input.emailVerified === true ? 1 : 0,
          name: input.name ?? null,
          password_hash: input.passwordHash,
          created_at: input.now,
          app_metadata: JSON.stringify(input.appMetadata ?? {}),
          user_metadata: JSON.stringify(input.userMetadata ?? {}),
        });
        if (!row) throw new Error('an inserted user was not returned');
        const user = toManagedUser(row);
        appendAuditEvent(auditEvent(user));
        return user;
      },
    );
  }

  async create(
    input: NewManagedUser,
    auditEvent: (user: ManagedUser) => NewAuditEvent,
  ): Promise<ManagedUser> {
    return runSqlite(this.#db, () => this.#create(input, auditEvent));
  }

  async find(id: string): Promise<ManagedUser | undefined> {
    return runSqlite(this.#db, () => {
      const row = this.#find.get(id);
      return row && toManagedUser(row);
    });
  }

  async search(
    query: string | undefined,
    page: { limit: number; cursor?: string },
  ): Promise<{ users: ManagedUser[]; nextCursor: string | null }> {
    const after = userSearchStartKey(page.cursor);
    const q = query ? toLoginKey(query) : null;
    const rows = await runSqlite(this.#db, () => this.#search.all({ q, after, limit: page.limit + 1 }));
    return toUserSearchPage(rows, page.limit, toManagedUser);
  }

  async update(
    id: string,
    changes: ManagedUserChanges,
    auditEvent?: (user: ManagedUser) => NewAuditEvent,
  ): Promise<ManagedUser | undefined> {
    const sets: string[] = [];
    const params: Record<string, unknown> = { id };
    if (changes.name !== undefined) {
      sets.push('name = @name');
      params.name = changes.name;
    }
    if (changes.email !== undefined) {
      // A new address has not been shown to reach the person yet.
      sets.push(
        'email_verified = CASE WHEN email IS @email THEN email_verified ELSE 0 END',
        'email = @email',
        'email_key = @email_key',
      );
      params.email = changes.email;
      params.email_key = changes.email === null ? null : toLoginKey(changes.email);
    }
    if (changes.blocked !== undefined) {
      sets.push('blocked = @blocked');
      params.blocked = changes.blocked ? 1 : 0;
    }
    if (changes.roles !== undefined) {
      sets.push('roles = @roles');
      params.roles = JSON.stringify([...new Set(changes.roles)].sort());
    }
    if (changes.appMetadata !== undefined) {
      sets.push('app_metadata = @app_metadata');
      params.app_metadata = JSON.stringify(changes.appMetadata);
    }
    if (changes.userMetadata !== undefined) {
      sets.push('user_metadata = @user_metadata');
      params.user_metadata = JSON.stringify(changes.userMetadata);
    }
    const appendAuditEvent = this.#appendAuditEvent;
    return runSqlite(
      this.#db,
      this.#db.transaction(() => {
        const row = sets.length
          ? this.#db
              .prepare<[Record<string, unknown>], ManagedUserRow>(
                `UPDATE users SET ${sets.join(', ')} WHERE id = @id RETURNING ${COLUMNS}`,
              )
              .get(params)
          : this.#find.get(id);
        if (!row) return undefined;
        const user = toManagedUser(row);
        // A blocked person's sessions and tokens end with the block, not when they expire.
        if (changes.blocked === true) this.#revokeSessions(id);
        if (auditEvent) appendAuditEvent(auditEvent(user));
        return user;
      }),
    );
  }

  async remove(id: string, auditEvent: NewAuditEvent): Promise<boolean> {
    return runSqlite(this.#db, () => this.#remove(id, auditEvent));
  }

  async setPassword(id: string, passwordHash: string, auditEvent: NewAuditEvent): Promise<boolean> {
    return runSqlite(this.#db, () => this.#setPassword(id, passwordHash, auditEvent));
  }

  async revokeSessions(id: string, auditEvent?: (revoked: number) => NewAuditEvent): Promise<number> {
    return runSqlite(
      this.#db,
      this.#db.transaction(() => {
        const revoked = this.#revokeSessions(id);
        if (auditEvent) this.#appendAuditEvent(auditEvent(revoked));
        return revoked;
      }),
    );
  }
}

function toManagedUser(row: ManagedUserRow): ManagedUser {
  return {
    id: row.id,
    username: row.username,
    email: row.email,
    emailVerified: row.email_verified === 1,
    name: row.name,
    createdAt: row.created_at,
    roles: JSON.parse(row.roles) as string[],
    blocked: row.blocked === 1,
    appMetadata: JSON.parse(row.app_metadata) as Record<string, unknown>,
    userMetadata: JSON.parse(row.user_metadata) as Record<string, unknown>,
  };
}

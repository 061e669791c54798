import type { NewAuditEvent } from '../audit-events.ts';
import { toLoginKey } from '../login-key.ts';
import type {
  ManagedUser,
  ManagedUserChanges,
  NewManagedUser,
  UserManagementRepository,
} from '../user-management.ts';
import { toUserSearchPage, userSearchStartKey } from '../user-search-page.ts';
import { PostgresAuditEventsRepository } from './postgres-audit-events.ts';
import type { PostgresDatabase, PostgresQueryable } from './postgres-database.ts';
import { PostgresUsersRepository } from './postgres-users.ts';

interface ManagedUserRow {
  id: string;
  username: string;
  username_key: string;
  email: string | null;
  email_verified: boolean;
  name: string | null;
  created_at: number;
  roles: string[];
  blocked: boolean;
  app_metadata: Record<string, unknown>;
  user_metadata: Record<string, unknown>;
}

const COLUMNS =
  'id, username, username_key, email, email_verified, name, created_at, roles, blocked, app_metadata, user_metadata';

export class PostgresUserManagementRepository implements UserManagementRepository {
  readonly #db: PostgresDatabase;

  constructor(db: PostgresDatabase) {
    this.#db = db;
  }

  async create(
    input: NewManagedUser,
    auditEvent: (user: ManagedUser) => NewAuditEvent,
  ): Promise<ManagedUser> {
    return this.#db.transaction(async (client) => {
      const { id } = await new PostgresUsersRepository(client).create(input);
      const { rows } = await client.query<ManagedUserRow>(
        `UPDATE users SET app_metadata = $2, user_metadata = $3 WHERE id = $1 RETURNING ${COLUMNS}`,
        [id, JSON.stringify(input.appMetadata ?? {}), JSON.stringify(input.userMetadata ?? {})],
      );
      const row = rows[0];
      if (!row) throw new Error('an inserted user was not found in its own transaction');
      const user = toManagedUser(row);
      await new PostgresAuditEventsRepository(client).append(auditEvent(user));
      return user;
    });
  }

  async find(id: string): Promise<ManagedUser | undefined> {
    const { rows } = await this.#db.query<ManagedUserRow>(`SELECT ${COLUMNS} FROM users WHERE id = $1`, [id]);
    return rows[0] && toManagedUser(rows[0]);
  }

  async search(
    query: string | undefined,
    page: { limit: number; cursor?: string },
  ): Promise<{ users: ManagedUser[]; nextCursor: string | null }> {
    const after = userSearchStartKey(page.cursor);
    const q = query ? toLoginKey(query) : null;
    // strpos, not LIKE: `_` and `%` in the query are literal characters. COLLATE "C": byte order, as
    // SQLite pages, whatever the database's locale.
    const { rows } = await this.#db.query<ManagedUserRow>(
      `SELECT ${COLUMNS} FROM users
       WHERE username_key COLLATE "C" > $1 AND ($2::text IS NULL OR strpos(username_key, $2) > 0
         OR strpos(coalesce(email_key, ''), $2) > 0 OR strpos(lower(coalesce(name, '')), $2) > 0)
       ORDER BY username_key COLLATE "C" LIMIT $3`,
      [after, q, page.limit + 1],
    );
    return toUserSearchPage(rows, page.limit, toManagedUser);
  }

  async update(
    id: string,
    changes: ManagedUserChanges,
    auditEvent?: (user: ManagedUser) => NewAuditEvent,
  ): Promise<ManagedUser | undefined> {
    const values: unknown[] = [id];
    const sets: string[] = [];
    const set = (column: string, value: unknown) => {
      values.push(value);
      sets.push(`${column} = $${values.length}`);
    };
    if (changes.name !== undefined) set('name', changes.name);
    if (changes.email !== undefined) {
      // A new address has not been shown to reach the person yet.
      values.push(changes.email);
      const email = `$${values.length}::text`;
      sets.push(
        `email_verified = email_verified AND email IS NOT DISTINCT FROM ${email}`,
        `email = ${email}`,
      );
      set('email_key', changes.email === null ? null : toLoginKey(changes.email));
    }
    if (changes.blocked !== undefined) set('blocked', changes.blocked);
    if (changes.roles !== undefined) set('roles', JSON.stringify([...new Set(changes.roles)].sort()));
    if (changes.appMetadata !== undefined) set('app_metadata', JSON.stringify(changes.appMetadata));
    if (changes.userMetadata !== undefined) set('user_metadata', JSON.stringify(changes.userMetadata));
    return this.#db.transaction(async (client) => {
      const { rows } = sets.length
        ? await client.query<ManagedUserRow>(
            `UPDATE users SET ${sets.join(', ')} WHERE id = $1 RETURNING ${COLUMNS}`,
            values,
          )
        : await client.query<ManagedUserRow>(`SELECT ${COLUMNS} FROM users WHERE id = $1`, [id]);
      const row = rows[0];
      if (!row) return undefined;
      const user = toManagedUser(row);
      // A blocked person's sessions and tokens end with the block, not when they expire.
      if (changes.blocked === true) await revokeSessionsOf(client, id);
      if (auditEvent) await new PostgresAuditEventsRepository(client).append(auditEvent(user));
      return user;
    });
  }

  async remove(id: string, auditEvent: NewAuditEvent): Promise<boolean> {
    return this.#db.transaction(async (client) => {
      if ((await client.query('DELETE FROM users WHERE id = $1', [id])).rowCount === 0) return false;
      await revokeSessionsOf(client, id);
      await new PostgresAuditEventsRepository(client).append(auditEvent);
      return true;
    });
  }

  async setPassword(id: string, passwordHash: string, auditEvent: NewAuditEvent): Promise<boolean> {
    return this.#db.transaction(async (client) => {
      const { rowCount } = await client.query('UPDATE users SET password_hash = $2 WHERE id = $1', [
        id,
        passwordHash,
      ]);
      if (rowCount === 0) return false;
      await new PostgresAuditEventsRepository(client).append(auditEvent);
      return true;
    });
  }

  async revokeSessions(id: string, auditEvent?: (revoked: number) => NewAuditEvent): Promise<number> {
    return this.#db.transaction(async (client) => {
      const revoked = await revokeSessionsOf(client, id);
      if (auditEvent) await new PostgresAuditEventsRepository(client).append(auditEvent(revoked));
      return revoked;
    });
  }
}

async function revokeSessionsOf(client: PostgresQueryable, id: string): Promise<number> {
  const models = await client.query(
    "DELETE FROM oidc_models WHERE model <> 'Client' AND payload->>'accountId' = $1",
    [id],
  );
  const sessions = await client.query('DELETE FROM auth_sessions WHERE account_id = $1', [id]);
  return models.rowCount + sessions.rowCount;
}

function toManagedUser(row: ManagedUserRow): ManagedUser {
  return {
    id: row.id,
    username: row.username,
    email: row.email,
    emailVerified: row.email_verified,
    name: row.name,
    createdAt: row.created_at,
    roles: row.roles,
    blocked: row.blocked,
    appMetadata: row.app_metadata,
    userMetadata: row.user_metadata,
  };
}

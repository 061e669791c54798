import { randomUUID } from 'node:crypto';
import { type Kysely, type Selectable, sql, type Updateable } from 'kysely';
import type { NewAuditEvent } from '../audit-events.ts';
import { toLoginKey } from '../login-key.ts';
import type {
  ManagedUser,
  ManagedUserChanges,
  NewManagedUser,
  UserManagementRepository,
} from '../user-management.ts';
import { toUserSearchPage, userSearchStartKey } from '../user-search-page.ts';
import { appendAuditEvent } from './append-audit-event.ts';
import { type Parameter, prepareQuery } from './prepared-query.ts';
import type { SqlDatabase } from './sql-database.ts';
import { readBoolean, type SqlDialect, writeBoolean, writeJson } from './sql-dialect.ts';
import type { StoreTables, UsersTable } from './store-tables.ts';

const COLUMNS = [
  'id',
  'username',
  'username_key',
  'email',
  'email_verified',
  'name',
  'created_at',
  'roles',
  'blocked',
  'app_metadata',
  'user_metadata',
] as const;

type ManagedUserRow = Pick<Selectable<UsersTable>, (typeof COLUMNS)[number]>;

export class SqlUserManagementRepository implements UserManagementRepository {
  readonly #db: SqlDatabase;
  // Prepared once: every authorization and token request reads the person (roles, blocked flag).
  readonly #find: (values: { id: string }) => Promise<ManagedUserRow[]>;

  constructor(db: SqlDatabase) {
    this.#db = db;
    const { kysely } = db;
    this.#find = prepareQuery(db, (parameter: Parameter<{ id: string }>) =>
      kysely.selectFrom('users').select(COLUMNS).where('id', '=', parameter('id')),
    );
  }

  async create(
    input: NewManagedUser,
    auditEvent: (user: ManagedUser) => NewAuditEvent,
  ): Promise<ManagedUser> {
    return this.#db.kysely.transaction().execute(async (trx) => {
      const row = await trx
        .insertInto('users')
        .values({
          id: randomUUID(),
          username: input.username,
          username_key: toLoginKey(input.username),
          email: input.email ?? null,
          email_key: input.email == null ? null : toLoginKey(input.email),
          email_verified: writeBoolean(input.email != null && input.emailVerified === true),
          name: input.name ?? null,
          password_hash: input.passwordHash,
          created_at: input.now,
          app_metadata: writeJson(input.appMetadata ?? {}),
          user_metadata: writeJson(input.userMetadata ?? {}),
        })
        .returning(COLUMNS)
        .executeTakeFirstOrThrow();
      const user = this.#toManagedUser(row);
      await appendAuditEvent(trx, auditEvent(user));
      return user;
    });
  }

  async find(id: string): Promise<ManagedUser | undefined> {
    const [row] = await this.#find({ id });
    return row && this.#toManagedUser(row);
  }

  async search(
    query: string | undefined,
    page: { limit: number; cursor?: string },
  ): Promise<{ users: ManagedUser[]; nextCursor: string | null }> {
    const { dialect } = this.#db;
    const after = userSearchStartKey(page.cursor);
    const q = query ? toLoginKey(query) : undefined;
    const rows = await this.#db.kysely
      .selectFrom('users')
      .select(COLUMNS)
      .where(dialect.inByteOrder('username_key'), '>', after)
      .$if(q !== undefined, (search) =>
        search.where((eb) =>
          eb.or([
            dialect.containsText(eb.ref('username_key'), q ?? ''),
            dialect.containsText(eb.fn.coalesce('email_key', eb.val('')), q ?? ''),
            dialect.containsText(eb.fn('lower', [eb.fn.coalesce('name', eb.val(''))]), q ?? ''),
          ]),
        ),
      )
      .orderBy(dialect.inByteOrder('username_key'))
      .limit(page.limit + 1)
      .execute();
    return toUserSearchPage(rows, page.limit, (row) => this.#toManagedUser(row));
  }

  async update(
    id: string,
    changes: ManagedUserChanges,
    auditEvent?: (user: ManagedUser) => NewAuditEvent,
  ): Promise<ManagedUser | undefined> {
    return this.#db.kysely.transaction().execute(async (trx) => {
      const set = toColumnChanges(changes);
      const { email } = changes;
      const row = set
        ? await trx
            .updateTable('users')
            .set(
              email === undefined
                ? set
                : {
                    ...set,
                    // A new address has not been shown to reach the person yet. AND yields a
                    // BOOLEAN on PostgreSQL and 0 or 1 on SQLite, each engine's own boolean.
                    email_verified: sql<number>`email_verified AND email IS NOT DISTINCT FROM ${email}`,
                  },
            )
            .where('id', '=', id)
            .returning(COLUMNS)
            .executeTakeFirst()
        : await trx.selectFrom('users').select(COLUMNS).where('id', '=', id).executeTakeFirst();
      if (!row) return undefined;
      const user = this.#toManagedUser(row);
      // A blocked person's sessions and tokens end with the block, not when they expire.
      if (changes.blocked === true) await revokeSessionsOf(trx, id);
      if (auditEvent) await appendAuditEvent(trx, auditEvent(user));
      return user;
    });
  }

  async remove(id: string, auditEvent: NewAuditEvent): Promise<boolean> {
    return this.#db.kysely.transaction().execute(async (trx) => {
      const { numDeletedRows } = await trx.deleteFrom('users').where('id', '=', id).executeTakeFirst();
      if (numDeletedRows === 0n) return false;
      await revokeSessionsOf(trx, id);
      await appendAuditEvent(trx, auditEvent);
      return true;
    });
  }

  async setPassword(id: string, passwordHash: string, auditEvent: NewAuditEvent): Promise<boolean> {
    return this.#db.kysely.transaction().execute(async (trx) => {
      const { numUpdatedRows } = await trx
        .updateTable('users')
        .set({ password_hash: passwordHash })
        .where('id', '=', id)
        .executeTakeFirst();
      if (numUpdatedRows === 0n) return false;
      await appendAuditEvent(trx, auditEvent);
      return true;
    });
  }

  async revokeSessions(id: string, auditEvent?: (revoked: number) => NewAuditEvent): Promise<number> {
    return this.#db.kysely.transaction().execute(async (trx) => {
      const revoked = await revokeSessionsOf(trx, id);
      if (auditEvent) await appendAuditEvent(trx, auditEvent(revoked));
      return revoked;
    });
  }

  async changeOwnPassword(
    id: string,
    passwordHash: string,
    options: { keepSessionUid: string | null },
    auditEvent: (ended: number) => NewAuditEvent,
  ): Promise<number | undefined> {
    return this.#db.kysely.transaction().execute(async (trx) => {
      const { numUpdatedRows } = await trx
        .updateTable('users')
        .set((eb) => ({
          password_hash: passwordHash,
          remembered_browsers_epoch: eb('remembered_browsers_epoch', '+', 1),
        }))
        .where('id', '=', id)
        .executeTakeFirst();
      if (numUpdatedRows === 0n) return undefined;
      const ended =
        options.keepSessionUid === null
          ? await revokeSessionsOf(trx, id)
          : await endOtherSessionsOf(trx, id, options.keepSessionUid);
      await appendAuditEvent(trx, auditEvent(ended));
      return ended;
    });
  }

  #toManagedUser(row: ManagedUserRow): ManagedUser {
    return toManagedUser(row, this.#db.dialect);
  }
}

/** The columns `changes` sets, but `email_verified`; undefined when it changes nothing. */
function toColumnChanges(changes: ManagedUserChanges): Updateable<UsersTable> | undefined {
  const set: Updateable<UsersTable> = {};
  if (changes.name !== undefined) set.name = changes.name;
  if (changes.email !== undefined) {
    set.email = changes.email;
    set.email_key = changes.email === null ? null : toLoginKey(changes.email);
  }
  if (changes.blocked !== undefined) set.blocked = writeBoolean(changes.blocked);
  if (changes.roles !== undefined) set.roles = writeJson([...new Set(changes.roles)].sort());
  if (changes.appMetadata !== undefined) set.app_metadata = writeJson(changes.appMetadata);
  if (changes.userMetadata !== undefined) set.user_metadata = writeJson(changes.userMetadata);
  return Object.keys(set).length ? set : undefined;
}

/** Deletes the user's browser sessions, grants and tokens (not clients); resolves how many went. */
async function revokeSessionsOf(kysely: Kysely<StoreTables>, accountId: string): Promise<number> {
  const models = await kysely
    .deleteFrom('oidc_models')
    .where('model', '<>', 'Client')
    // `->>` with a plain key reads the same on both engines: SQLite takes it as the path `$.accountId`.
    .where(sql<string>`payload ->> 'accountId'`, '=', accountId)
    .executeTakeFirst();
  const sessions = await kysely
    .deleteFrom('auth_sessions')
    .where('account_id', '=', accountId)
    .executeTakeFirst();
  return Number(models.numDeletedRows) + Number(sessions.numDeletedRows);
}

/**
 * Deletes the person's browser sessions but `keepSessionUid`, and the tokens and codes issued in
 * them (oidc-provider records the session's uid as `sessionUid`); grants stay, as the kept session
 * still names its own. Resolves how many records went.
 */
async function endOtherSessionsOf(
  kysely: Kysely<StoreTables>,
  accountId: string,
  keepSessionUid: string,
): Promise<number> {
  const models = await kysely
    .deleteFrom('oidc_models')
    .where('model', 'not in', ['Client', 'Grant'])
    .where(sql<string>`payload ->> 'accountId'`, '=', accountId)
    .where(sql<string>`coalesce(payload ->> 'sessionUid', payload ->> 'uid', '')`, '<>', keepSessionUid)
    .executeTakeFirst();
  const sessions = await kysely
    .deleteFrom('auth_sessions')
    .where('account_id', '=', accountId)
    .where('session_uid', '<>', keepSessionUid)
    .executeTakeFirst();
  return Number(models.numDeletedRows) + Number(sessions.numDeletedRows);
}

function toManagedUser(row: ManagedUserRow, dialect: SqlDialect): ManagedUser {
  return {
    id: row.id,
    username: row.username,
    email: row.email,
    emailVerified: readBoolean(row.email_verified),
    name: row.name,
    createdAt: row.created_at,
    roles: dialect.readJson(row.roles) as string[],
    blocked: readBoolean(row.blocked),
    appMetadata: dialect.readJson(row.app_metadata) as Record<string, unknown>,
    userMetadata: dialect.readJson(row.user_metadata) as Record<string, unknown>,
  };
}

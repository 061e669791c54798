import { randomUUID } from 'node:crypto';
import { type Selectable, sql } from 'kysely';
import { toLoginKey } from '../login-key.ts';
import type { CreateUserInput, User, UsersRepository } from '../users.ts';
import type { SqlDatabase } from './sql-database.ts';
import { readBoolean, writeBoolean } from './sql-dialect.ts';
import type { UsersTable } from './store-tables.ts';

const COLUMNS = [
  'id',
  'username',
  'email',
  'email_verified',
  'name',
  'password_hash',
  'created_at',
  'remembered_browsers_epoch',
] as const;

type UserRow = Pick<Selectable<UsersTable>, (typeof COLUMNS)[number]>;

export class SqlUsersRepository implements UsersRepository {
  readonly #db: SqlDatabase;

  constructor(db: SqlDatabase) {
    this.#db = db;
  }

  async create(input: CreateUserInput): Promise<User> {
    const user: User = {
      id: randomUUID(),
      username: input.username,
      email: input.email ?? null,
      emailVerified: input.email != null && input.emailVerified === true,
      name: input.name ?? null,
      passwordHash: input.passwordHash,
      createdAt: input.now,
      rememberedBrowsersEpoch: 0,
    };
    await this.#db.kysely
      .insertInto('users')
      .values({
        id: user.id,
        username: user.username,
        username_key: toLoginKey(user.username),
        email: user.email,
        email_key: user.email === null ? null : toLoginKey(user.email),
        email_verified: writeBoolean(user.emailVerified),
        name: user.name,
        password_hash: user.passwordHash,
        created_at: user.createdAt,
      })
      .execute();
    return user;
  }

  async findById(id: string): Promise<User | undefined> {
    const row = await this.#db.kysely
      .selectFrom('users')
      .select(COLUMNS)
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toUser(row);
  }

  async findByLogin(usernameOrEmail: string): Promise<User | undefined> {
    const key = toLoginKey(usernameOrEmail);
    const row = await this.#db.kysely
      .selectFrom('users')
      .select(COLUMNS)
      .where((eb) => eb.or([eb('username_key', '=', key), eb('email_key', '=', key)]))
      // A username match wins over another user's email that happens to read the same.
      .orderBy(sql`username_key = ${key}`, 'desc')
      .limit(1)
      .executeTakeFirst();
    return row && toUser(row);
  }

  async updatePasswordHash(id: string, passwordHash: string): Promise<void> {
    await this.#db.kysely
      .updateTable('users')
      .set({ password_hash: passwordHash })
      .where('id', '=', id)
      .execute();
  }

  async forgetRememberedBrowsers(id: string): Promise<number> {
    const row = await this.#db.kysely
      .updateTable('users')
      .set((eb) => ({ remembered_browsers_epoch: eb('remembered_browsers_epoch', '+', 1) }))
      .where('id', '=', id)
      .returning('remembered_browsers_epoch')
      .executeTakeFirst();
    return row?.remembered_browsers_epoch ?? 0;
  }
}

function toUser(row: UserRow): User {
  return {
    id: row.id,
    username: row.username,
    email: row.email,
    emailVerified: readBoolean(row.email_verified),
    name: row.name,
    passwordHash: row.password_hash,
    createdAt: row.created_at,
    rememberedBrowsersEpoch: row.remembered_browsers_epoch,
  };
}

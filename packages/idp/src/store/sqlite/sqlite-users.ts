import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import { toLoginKey } from '../login-key.ts';
import type { CreateUserInput, User, UsersRepository } from '../users.ts';
import { runSqlite } from './run-sqlite.ts';

interface UserRow {
  id: string;
  username: string;
  email: string | null;
  email_verified: number;
  name: string | null;
  password_hash: string;
  created_at: number;
  remembered_browsers_epoch: number;
}

const COLUMNS =
  'id, username, email, email_verified, name, password_hash, created_at, remembered_browsers_epoch';

export class SqliteUsersRepository implements UsersRepository {
  readonly #db: Database.Database;
  readonly #insert: Database.Statement<[Omit<UserRow, 'remembered_browsers_epoch'> & LoginKeys]>;
  readonly #findById: Database.Statement<[string], UserRow>;
  readonly #findByLogin: Database.Statement<[{ key: string }], UserRow>;
  readonly #updatePasswordHash: Database.Statement<[string, string]>;
  readonly #forgetRememberedBrowsers: Database.Statement<[string], { remembered_browsers_epoch: number }>;

  constructor(db: Database.Database) {
    this.#db = db;
    this.#insert = db.prepare(
      `INSERT INTO users (id, username, username_key, email, email_key, email_verified, name, password_hash, created_at)
       VALUES (@id, @username, @username_key, @email, @email_key, @email_verified, @name, @password_hash, @created_at)`,
    );
    this.#findById = db.prepare(`SELECT ${COLUMNS} FROM users WHERE id = ?`);
    // A username match wins over another user's email that happens to read the same.
    this.#findByLogin = db.prepare(
      `SELECT ${COLUMNS} FROM users WHERE username_key = @key OR email_key = @key
       ORDER BY username_key = @key DESC LIMIT 1`,
    );
    this.#updatePasswordHash = db.prepare('UPDATE users SET password_hash = ? WHERE id = ?');
    this.#forgetRememberedBrowsers = db.prepare(
      `UPDATE users SET remembered_browsers_epoch = remembered_browsers_epoch + 1 WHERE id = ?
       RETURNING remembered_browsers_epoch`,
    );
  }

  async create(input: CreateUserInput): Promise<User> {
    const row = {
      id: randomUUID(),
      username: input.username,
      username_key: toLoginKey(input.username),
      email: input.email ?? null,
      email_key: input.email == null ? null : toLoginKey(input.email),
      email_verified: input.email != null && input.emailVerified === true ? 1 : 0,
      name: input.name ?? null,
      password_hash: input.passwordHash,
      created_at: input.now,
    };
    return runSqlite(this.#db, () => {
      this.#insert.run(row);
      return toUser({ ...row, remembered_browsers_epoch: 0 });
    });
  }

  async findById(id: string): Promise<User | undefined> {
    return runSqlite(this.#db, () => toOptionalUser(this.#findById.get(id)));
  }

  async findByLogin(usernameOrEmail: string): Promise<User | undefined> {
    return runSqlite(this.#db, () =>
      toOptionalUser(this.#findByLogin.get({ key: toLoginKey(usernameOrEmail) })),
    );
  }

  async updatePasswordHash(id: string, passwordHash: string): Promise<void> {
    await runSqlite(this.#db, () => this.#updatePasswordHash.run(passwordHash, id));
  }

  async forgetRememberedBrowsers(id: string): Promise<number> {
    return runSqlite(this.#db, () => this.#forgetRememberedBrowsers.get(id)?.remembered_browsers_epoch ?? 0);
  }
}

interface LoginKeys {
  username_key: string;
  email_key: string | null;
}

function toOptionalUser(row: UserRow | undefined): User | undefined {
  return row === undefined ? undefined : toUser(row);
}

function toUser(row: UserRow): User {
  return {
    id: row.id,
    username: row.username,
    email: row.email,
    emailVerified: row.email_verified === 1,
    name: row.name,
    passwordHash: row.password_hash,
    createdAt: row.created_at,
    rememberedBrowsersEpoch: row.remembered_browsers_epoch,
  };
}

import { randomUUID } from 'node:crypto';
import { toLoginKey } from '../login-key.ts';
import type { CreateUserInput, User, UsersRepository } from '../users.ts';
import type { PostgresQueryable } from './postgres-database.ts';

interface UserRow {
  id: string;
  username: string;
  email: string | null;
  email_verified: boolean;
  name: string | null;
  password_hash: string;
  created_at: number;
  remembered_browsers_epoch: number;
}

const COLUMNS =
  'id, username, email, email_verified, name, password_hash, created_at, remembered_browsers_epoch';

export class PostgresUsersRepository implements UsersRepository {
  readonly #db: PostgresQueryable;

  constructor(db: PostgresQueryable) {
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
    await this.#db.query(
      `INSERT INTO users (id, username, username_key, email, email_key, email_verified, name, password_hash, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        user.id,
        user.username,
        toLoginKey(user.username),
        user.email,
        user.email === null ? null : toLoginKey(user.email),
        user.emailVerified,
        user.name,
        user.passwordHash,
        user.createdAt,
      ],
    );
    return user;
  }

  async findById(id: string): Promise<User | undefined> {
    const { rows } = await this.#db.query<UserRow>(`SELECT ${COLUMNS} FROM users WHERE id = $1`, [id]);
    return rows[0] && toUser(rows[0]);
  }

  async findByLogin(usernameOrEmail: string): Promise<User | undefined> {
    // A username match wins over another user's email that happens to read the same.
    const { rows } = await this.#db.query<UserRow>(
      `SELECT ${COLUMNS} FROM users WHERE username_key = $1 OR email_key = $1
       ORDER BY username_key = $1 DESC LIMIT 1`,
      [toLoginKey(usernameOrEmail)],
    );
    return rows[0] && toUser(rows[0]);
  }

  async updatePasswordHash(id: string, passwordHash: string): Promise<void> {
    await this.#db.query('UPDATE users SET password_hash = $1 WHERE id = $2', [passwordHash, id]);
  }

  async forgetRememberedBrowsers(id: string): Promise<number> {
    const { rows } = await this.#db.query<{ remembered_browsers_epoch: number }>(
      `UPDATE users SET remembered_browsers_epoch = remembered_browsers_epoch + 1 WHERE id = $1
       RETURNING remembered_browsers_epoch`,
      [id],
    );
    return rows[0]?.remembered_browsers_epoch ?? 0;
  }
}

function toUser(row: UserRow): User {
  return {
    id: row.id,
    username: row.username,
    email: row.email,
    emailVerified: row.email_verified,
    name: row.name,
    passwordHash: row.password_hash,
    createdAt: row.created_at,
    rememberedBrowsersEpoch: row.remembered_browsers_epoch,
  };
}

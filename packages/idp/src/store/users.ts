export interface User {
  id: string;
  username: string;
  email: string | null;
  emailVerified: boolean;
  name: string | null;
  passwordHash: string;
  /** Epoch seconds. */
  createdAt: number;
  /**
   * Written into every "remember this browser" cookie; a cookie with an older value no longer skips
   * a second factor.
   */
  rememberedBrowsersEpoch: number;
}

export interface CreateUserInput {
  username: string;
  email?: string | null;
  /** Whether the address is known to reach the person (default false); only then is it a second factor. */
  emailVerified?: boolean;
  name?: string | null;
  passwordHash: string;
  now: number;
}

export interface UsersRepository {
  /** Throws `StoreConflictError` when the username or email is taken (compared case-insensitively). */
  create(input: CreateUserInput): Promise<User>;
  findById(id: string): Promise<User | undefined>;
  /** Case-insensitive match on username or email; a username match wins over an email match. */
  findByLogin(usernameOrEmail: string): Promise<User | undefined>;
  updatePasswordHash(id: string, passwordHash: string): Promise<void>;
  /** Raises `rememberedBrowsersEpoch` by one, atomically; resolves with the new value (0 for no such user). */
  forgetRememberedBrowsers(id: string): Promise<number>;
}

import type { NewAuditEvent } from './audit-events.ts';
import type { CreateUserInput, User } from './users.ts';

/** The role that may use the management API and the dashboard. */
export const ADMIN_ROLE = 'admin';

/** A user as operators see and change them: no password hash, plus roles, blocking and metadata. */
export interface ManagedUser
  extends Pick<User, 'id' | 'username' | 'email' | 'emailVerified' | 'name' | 'createdAt'> {
  roles: string[];
  /** A blocked user cannot sign in, and their existing sessions and tokens stop working. */
  blocked: boolean;
  /** Set by operators, readable by Actions; never by the user. */
  appMetadata: Record<string, unknown>;
  userMetadata: Record<string, unknown>;
}

/** What an operator may change; absent fields stay as they are. */
export interface ManagedUserChanges {
  name?: string | null;
  /** Changing the address makes it unverified again. */
  email?: string | null;
  blocked?: boolean;
  roles?: string[];
  appMetadata?: Record<string, unknown>;
  userMetadata?: Record<string, unknown>;
}

/** A user an operator creates: a password login with optional metadata. */
export interface NewManagedUser extends CreateUserInput {
  appMetadata?: Record<string, unknown>;
  userMetadata?: Record<string, unknown>;
}

/**
 * Operators' view of the users table (the login side keeps `UsersRepository`). Operators create
 * users here, with their metadata and the audit event, and give them roles or metadata.
 */
export interface UserManagementRepository {
  /**
   * Creates the user with their metadata and appends `auditEvent(user)`, in one transaction: when
   * any part fails (a taken username is `StoreConflictError`), nothing was written.
   */
  create(input: NewManagedUser, auditEvent: (user: ManagedUser) => NewAuditEvent): Promise<ManagedUser>;
  find(id: string): Promise<ManagedUser | undefined>;
  /**
   * Users whose username, email or name contains `query` (case-insensitive; all users without one),
   * ordered by username. `cursor` is a `nextCursor` this repository returned.
   */
  search(
    query: string | undefined,
    page: { limit: number; cursor?: string },
  ): Promise<{ users: ManagedUser[]; nextCursor: string | null }>;
  /**
   * Applies the changes, and when they block the user ends their sessions as `revokeSessions` does,
   * then appends `auditEvent(user)` when given: all in one transaction, so a failure anywhere leaves
   * nothing written. Resolves the changed user, or undefined when there is no such user (nothing
   * written). Throws `StoreConflictError` when the email belongs to someone else.
   */
  update(
    id: string,
    changes: ManagedUserChanges,
    auditEvent?: (user: ManagedUser) => NewAuditEvent,
  ): Promise<ManagedUser | undefined>;
  /**
   * Deletes the user with their factors, devices, sessions and grants, and appends `auditEvent`, in
   * one transaction; resolves true when a user was removed (else nothing was written).
   */
  remove(id: string, auditEvent: NewAuditEvent): Promise<boolean>;
  /**
   * Replaces the user's password hash and appends `auditEvent`, in one transaction; resolves false,
   * writing nothing, when there is no such user.
   */
  setPassword(id: string, passwordHash: string, auditEvent: NewAuditEvent): Promise<boolean>;
  /**
   * Ends every browser session of the user and deletes their grants, refresh tokens, authorization
   * codes and opaque access tokens, then appends `auditEvent(revoked)` when given, in one
   * transaction; resolves how many records went. (JWT access tokens cannot be recalled: they expire
   * by themselves.)
   */
  revokeSessions(id: string, auditEvent?: (revoked: number) => NewAuditEvent): Promise<number>;
  /**
   * The person changed their password (account page) or reset it (emailed link): replaces the hash,
   * ends every browser session of theirs but `keepSessionUid` (all of them when null) with the tokens
   * issued in them, forgets their remembered browsers, and appends `auditEvent(ended)` — in one
   * transaction. Resolves how many records went, or undefined (nothing written) for no such user.
   */
  changeOwnPassword(
    id: string,
    passwordHash: string,
    options: { keepSessionUid: string | null },
    auditEvent: (ended: number) => NewAuditEvent,
  ): Promise<number | undefined>;
}

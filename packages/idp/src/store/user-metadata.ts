import type { JsonObject, JsonValue } from '../actions/json-value.ts';

/** A user's two metadata objects, as Auth0 names them: `app_metadata` (operator) and `user_metadata`. */
export interface UserMetadata {
  appMetadata: JsonObject;
  userMetadata: JsonObject;
}

/** Key-level changes to a user's metadata: a value sets the key, `null` removes it. */
export interface UserMetadataChanges {
  appMetadata: Readonly<Record<string, JsonValue | null>>;
  userMetadata: Readonly<Record<string, JsonValue | null>>;
}

/**
 * The metadata post-login Actions read from `event.user` and change with `api.user.set*Metadata`.
 * Stored with the user; empty objects for a user no Action has written to.
 */
export interface UserMetadataRepository {
  /** Undefined when there is no such user. */
  find(userId: string): Promise<UserMetadata | undefined>;
  /**
   * Applies the changes in one atomic step (a concurrent write to other keys is kept) and resolves
   * with the result; undefined, changing nothing, when there is no such user. Throws a `TypeError`
   * for the key `__proto__`.
   */
  apply(userId: string, changes: UserMetadataChanges): Promise<UserMetadata | undefined>;
}

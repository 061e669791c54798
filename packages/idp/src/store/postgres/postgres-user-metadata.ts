import type { JsonObject, JsonValue } from '../../actions/json-value.ts';
import type { UserMetadata, UserMetadataChanges, UserMetadataRepository } from '../user-metadata.ts';
import type { PostgresDatabase } from './postgres-database.ts';

interface MetadataRow {
  app_metadata: JsonObject;
  user_metadata: JsonObject;
}

/** The `app_metadata` / `user_metadata` JSON columns of `users`. */
export class PostgresUserMetadataRepository implements UserMetadataRepository {
  readonly #db: PostgresDatabase;

  constructor(db: PostgresDatabase) {
    this.#db = db;
  }

  async find(userId: string): Promise<UserMetadata | undefined> {
    const { rows } = await this.#db.query<MetadataRow>(
      'SELECT app_metadata, user_metadata FROM users WHERE id = $1',
      [userId],
    );
    const row = rows[0];
    return row && { appMetadata: row.app_metadata, userMetadata: row.user_metadata };
  }

  async apply(userId: string, changes: UserMetadataChanges): Promise<UserMetadata | undefined> {
    for (const key of [...Object.keys(changes.appMetadata), ...Object.keys(changes.userMetadata)]) {
      if (key === '__proto__') throw new TypeError('metadata key __proto__ is not allowed');
    }
    // Read under the row lock, change and write in one transaction: a concurrent writer on any node
    // waits, then changes what this one wrote, so no key is lost.
    return this.#db.transaction(async (client) => {
      const { rows } = await client.query<MetadataRow>(
        'SELECT app_metadata, user_metadata FROM users WHERE id = $1 FOR NO KEY UPDATE',
        [userId],
      );
      const row = rows[0];
      if (row === undefined) return undefined;
      const next = {
        appMetadata: changed(row.app_metadata, changes.appMetadata),
        userMetadata: changed(row.user_metadata, changes.userMetadata),
      };
      await client.query('UPDATE users SET app_metadata = $2, user_metadata = $3 WHERE id = $1', [
        userId,
        JSON.stringify(next.appMetadata),
        JSON.stringify(next.userMetadata),
      ]);
      return next;
    });
  }
}

function changed(current: JsonObject, changes: Readonly<Record<string, JsonValue | null>>): JsonObject {
  const next = new Map(Object.entries(current));
  for (const [key, value] of Object.entries(changes)) {
    if (value === null) next.delete(key);
    else next.set(key, value);
  }
  return Object.fromEntries(next);
}

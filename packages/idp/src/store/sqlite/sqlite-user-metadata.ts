import type Database from 'better-sqlite3';
import type { JsonObject, JsonValue } from '../../actions/json-value.ts';
import type { UserMetadata, UserMetadataChanges, UserMetadataRepository } from '../user-metadata.ts';
import { runSqlite } from './run-sqlite.ts';

interface MetadataRow {
  app_metadata: string;
  user_metadata: string;
}

/** The `app_metadata` / `user_metadata` JSON columns of `users`. */
export class SqliteUserMetadataRepository implements UserMetadataRepository {
  readonly #db: Database.Database;
  readonly #find: Database.Statement<[string], MetadataRow>;
  readonly #write: Database.Statement<[MetadataRow & { id: string }]>;
  readonly #apply: (userId: string, changes: UserMetadataChanges) => UserMetadata | undefined;

  constructor(db: Database.Database) {
    this.#db = db;
    this.#find = db.prepare('SELECT app_metadata, user_metadata FROM users WHERE id = ?');
    this.#write = db.prepare(
      'UPDATE users SET app_metadata = @app_metadata, user_metadata = @user_metadata WHERE id = @id',
    );
    // Read, change and write in one transaction: no concurrent writer slips in between.
    this.#apply = db.transaction((userId: string, changes: UserMetadataChanges) => {
      const row = this.#find.get(userId);
      if (row === undefined) return undefined;
      const next = {
        appMetadata: changed(JSON.parse(row.app_metadata) as JsonObject, changes.appMetadata),
        userMetadata: changed(JSON.parse(row.user_metadata) as JsonObject, changes.userMetadata),
      };
      this.#write.run({
        id: userId,
        app_metadata: JSON.stringify(next.appMetadata),
        user_metadata: JSON.stringify(next.userMetadata),
      });
      return next;
    });
  }

  async find(userId: string): Promise<UserMetadata | undefined> {
    return runSqlite(this.#db, () => {
      const row = this.#find.get(userId);
      if (row === undefined) return undefined;
      return {
        appMetadata: JSON.parse(row.app_metadata) as JsonObject,
        userMetadata: JSON.parse(row.user_metadata) as JsonObject,
      };
    });
  }

  async apply(userId: string, changes: UserMetadataChanges): Promise<UserMetadata | undefined> {
    for (const key of [...Object.keys(changes.appMetadata), ...Object.keys(changes.userMetadata)]) {
      if (key === '__proto__') throw new TypeError('metadata key __proto__ is not allowed');
    }
    return runSqlite(this.#db, () => this.#apply(userId, changes));
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

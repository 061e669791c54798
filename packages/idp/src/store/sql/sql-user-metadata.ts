import type { JsonObject, JsonValue } from '../../actions/json-value.ts';
import type { UserMetadata, UserMetadataChanges, UserMetadataRepository } from '../user-metadata.ts';
import type { SqlDatabase } from './sql-database.ts';
import { writeJson } from './sql-dialect.ts';

/** The `app_metadata` / `user_metadata` JSON columns of `users`. */
export class SqlUserMetadataRepository implements UserMetadataRepository {
  readonly #db: SqlDatabase;

  constructor(db: SqlDatabase) {
    this.#db = db;
  }

  async find(userId: string): Promise<UserMetadata | undefined> {
    const row = await this.#db.kysely
      .selectFrom('users')
      .select(['app_metadata', 'user_metadata'])
      .where('id', '=', userId)
      .executeTakeFirst();
    return row && this.#toMetadata(row);
  }

  async apply(userId: string, changes: UserMetadataChanges): Promise<UserMetadata | undefined> {
    for (const key of [...Object.keys(changes.appMetadata), ...Object.keys(changes.userMetadata)]) {
      if (key === '__proto__') throw new TypeError('metadata key __proto__ is not allowed');
    }
    // Read under the row lock, change and write in one transaction: a concurrent writer on any node
    // waits, then changes what this one wrote, so no key is lost.
    return this.#db.kysely.transaction().execute(async (trx) => {
      const row = await this.#db.dialect
        .lockForUpdate(
          trx.selectFrom('users').select(['app_metadata', 'user_metadata']).where('id', '=', userId),
        )
        .executeTakeFirst();
      if (row === undefined) return undefined;
      const current = this.#toMetadata(row);
      const next = {
        appMetadata: changed(current.appMetadata, changes.appMetadata),
        userMetadata: changed(current.userMetadata, changes.userMetadata),
      };
      await trx
        .updateTable('users')
        .set({ app_metadata: writeJson(next.appMetadata), user_metadata: writeJson(next.userMetadata) })
        .where('id', '=', userId)
        .execute();
      return next;
    });
  }

  #toMetadata(row: { app_metadata: unknown; user_metadata: unknown }): UserMetadata {
    return {
      appMetadata: this.#db.dialect.readJson(row.app_metadata) as JsonObject,
      userMetadata: this.#db.dialect.readJson(row.user_metadata) as JsonObject,
    };
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

import type { Kysely, Migration } from 'kysely';
import type { ColumnTypes } from './column-types.ts';

/**
 * The operator's `authorization_details` types (RFC 9396): per type its JSON Schema, the sentence
 * that says what approving it does, and the fields the person must see with their labels.
 */
export function authorizationDetailTypesMigration(t: ColumnTypes): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('authorization_detail_types')
        .addColumn('type', 'text', (c) => c.primaryKey())
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('schema', t.json, (c) => t.validJson(c, 'schema').notNull())
        .addColumn('display_fields', t.json, (c) => t.validJson(c, 'display_fields').notNull())
        .$call(t.strictTable)
        .execute();
    },
  };
}

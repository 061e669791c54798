import type { Kysely, Migration } from 'kysely';
import type { ColumnTypes } from './column-types.ts';

/**
 * What a push request of a transaction-bound login (RFC 9396) shows and is signed over: the sentence
 * and the `authorization_details`, beside the request and gone with it. Other requests have no row.
 */
export function pushChallengeTransactionsMigration(t: ColumnTypes): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('push_challenge_transactions')
        .addColumn('challenge_id', 'text', (c) =>
          c.primaryKey().references('push_challenges.id').onDelete('cascade'),
        )
        .addColumn('transaction', t.json, (c) => t.validJson(c, 'transaction').notNull())
        .$call(t.strictTable)
        .execute();
    },
  };
}

import type { Kysely, Migration } from 'kysely';
import type { ColumnTypes } from './column-types.ts';

/**
 * A push request of a transaction-bound login (RFC 9396) carries what the device shows and signs
 * over: the sentence and the `authorization_details`. Null for every other request, old ones included.
 */
export function pushChallengeTransactionsMigration(t: ColumnTypes): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .alterTable('push_challenges')
        .addColumn('transaction', t.json, (c) => t.validJsonOrNull(c, 'transaction'))
        .execute();
    },
  };
}

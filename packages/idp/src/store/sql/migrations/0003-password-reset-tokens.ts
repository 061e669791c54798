import type { Kysely, Migration } from 'kysely';
import type { ColumnTypes } from './column-types.ts';

/**
 * Password reset links sent by email: the keyed hash of each link's token (never the token), the
 * account, a digest of the password hash the account had when it was sent (a later password change
 * voids the link), its expiry and when it was used (once).
 */
export function passwordResetTokensMigration(t: ColumnTypes): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('password_reset_tokens')
        .addColumn('token_hash', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('password_fingerprint', 'text', (c) => c.notNull())
        .addColumn('created_at', t.bigint, (c) => c.notNull())
        .addColumn('expires_at', t.bigint, (c) => c.notNull())
        .addColumn('used_at', t.bigint)
        .$call(t.strictTable)
        .execute();
      await db.schema
        .createIndex('password_reset_tokens_user_id')
        .on('password_reset_tokens')
        .column('user_id')
        .execute();
      await db.schema
        .createIndex('password_reset_tokens_expires_at')
        .on('password_reset_tokens')
        .column('expires_at')
        .execute();
    },
  };
}

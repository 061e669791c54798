import { type Kysely, type Migration, sql } from 'kysely';
import type { ColumnTypes } from './column-types.ts';
import { adoptLegacySchema } from './legacy-schema.ts';

/**
 * The whole schema of the last release before the migration list (SQLite step 12, PostgreSQL step 5),
 * created in a fresh database, or recorded as applied where that release made it.
 *
 * The two engines' schemas had grown apart by then, and the baseline keeps each as it was so that an
 * upgraded database and a fresh one are the same: PostgreSQL has a `seq` column (SQLite's rowid) on the
 * tables listed in creation order, indexes that end with it, partial indexes on `oidc_models`, and
 * three indexes SQLite lacks. Migrations after this one are written once for both.
 */
export function baselineMigration(t: ColumnTypes): Migration {
  return {
    async up(db: Kysely<unknown>) {
      if (await adoptLegacySchema(db, t.engine)) return;
      await createBaselineSchema(db, t);
    },
  };
}

async function createBaselineSchema(db: Kysely<unknown>, t: ColumnTypes): Promise<void> {
  const onPostgres = t.engine === 'postgres';
  /** Index columns that list a user's rows in creation order (SQLite orders by rowid). */
  const inCreationOrder = onPostgres ? ['created_at', 'seq'] : [];
  const userId = 'users.id';

  await db.schema
    .createTable('users')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('username', 'text', (c) => c.notNull())
    // Lower-cased and NFC-normalised in code: SQLite's NOCASE folds ASCII only.
    .addColumn('username_key', 'text', (c) => c.notNull().unique())
    .addColumn('email', 'text')
    .addColumn('email_key', 'text', (c) => c.unique())
    .addColumn('email_verified', t.boolean, (c) => c.notNull().defaultTo(t.false))
    .addColumn('name', 'text')
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', t.bigint, (c) => c.notNull())
    // "Remember this browser": raising it voids every remembering cookie issued before.
    .addColumn('remembered_browsers_epoch', t.bigint, (c) => c.notNull().defaultTo(0))
    .addColumn('roles', t.json, (c) => t.validJson(c, 'roles').notNull().defaultTo('[]'))
    .addColumn('blocked', t.boolean, (c) => t.zeroOrOne(c, 'blocked').notNull().defaultTo(t.false))
    .addColumn('app_metadata', t.json, (c) => t.validJson(c, 'app_metadata').notNull().defaultTo('{}'))
    .addColumn('user_metadata', t.json, (c) => t.validJson(c, 'user_metadata').notNull().defaultTo('{}'))
    .$call(t.strictTable)
    .execute();

  await db.schema
    .createTable('factors')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .$call((table) =>
      onPostgres ? table.addColumn('seq', 'bigint', (c) => c.generatedAlwaysAsIdentity()) : table,
    )
    .addColumn('user_id', 'text', (c) => c.notNull().references(userId).onDelete('cascade'))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('secret', 'text', (c) => c.notNull())
    .addColumn('created_at', t.bigint, (c) => c.notNull())
    .addColumn('last_used_at', t.bigint)
    .addColumn('last_step', t.bigint)
    .$call(t.strictTable)
    .execute();
  await createIndex(db, 'factors_user_id', 'factors', ['user_id', ...inCreationOrder]);

  await db.schema
    .createTable('auth_sessions')
    .addColumn('session_uid', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('methods', t.json, (c) => t.validJson(c, 'methods').notNull())
    .addColumn('expires_at', t.bigint, (c) => c.notNull())
    .$call(t.strictTable)
    .execute();
  await createIndex(db, 'auth_sessions_expires_at', 'auth_sessions', ['expires_at']);

  await db.schema
    .createTable('interaction_states')
    .addColumn('uid', 'text', (c) => c.primaryKey())
    .addColumn('state', t.json, (c) => t.validJson(c, 'state').notNull())
    .addColumn('expires_at', t.bigint, (c) => c.notNull())
    .$call(t.strictTable)
    .execute();
  await createIndex(db, 'interaction_states_expires_at', 'interaction_states', ['expires_at']);

  for (const counters of ['attempts', 'failure_counters']) {
    await db.schema
      .createTable(counters)
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('count', t.bigint, (c) => c.notNull())
      .addColumn('reset_at', t.bigint, (c) => c.notNull())
      .$call(t.strictTable)
      .execute();
  }
  if (onPostgres) await createIndex(db, 'attempts_reset_at', 'attempts', ['reset_at']);
  await createIndex(db, 'failure_counters_reset_at', 'failure_counters', ['reset_at']);

  await db.schema
    .createTable('keys')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .$call(t.strictTable)
    .execute();

  await db.schema
    .createTable('clients')
    .addColumn('client_id', 'text', (c) => c.primaryKey())
    .addColumn('metadata', t.json, (c) => t.validJson(c, 'metadata').notNull())
    .$call(t.strictTable)
    .execute();

  await db.schema
    .createTable('oidc_models')
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('payload', t.json, (c) => t.validJson(c, 'payload').notNull())
    .addColumn('grant_id', 'text')
    .addColumn('user_code', 'text')
    .addColumn('uid', 'text')
    .addColumn('expires_at', t.bigint)
    .addColumn('consumed_at', t.bigint)
    .addPrimaryKeyConstraint('oidc_models_pkey', ['model', 'id'])
    .$call(t.strictTable)
    .execute();
  for (const [name, columns, whereSet] of [
    ['oidc_models_grant_id', ['grant_id'], 'grant_id'],
    ['oidc_models_uid', [...(onPostgres ? ['model'] : []), 'uid'], 'uid'],
    ['oidc_models_user_code', [...(onPostgres ? ['model'] : []), 'user_code'], 'user_code'],
    ['oidc_models_expires_at', ['expires_at'], 'expires_at'],
  ] as const) {
    // PostgreSQL leaves the rows without the value out of the index.
    const index = db.schema
      .createIndex(name)
      .on('oidc_models')
      .columns([...columns]);
    await (onPostgres ? index.where(sql.ref(whereSet), 'is not', null) : index).execute();
  }

  // Resource servers (RFC 8707): the APIs that receive JWT access tokens (RFC 9068).
  await db.schema
    .createTable('resource_servers')
    .addColumn('identifier', 'text', (c) => c.primaryKey())
    .addColumn('scopes', t.json, (c) => t.validJson(c, 'scopes').notNull())
    .addColumn('access_token_ttl', t.bigint, (c) => c.notNull().check(sql`access_token_ttl > 0`))
    .addColumn('signing_alg', 'text', (c) => c.notNull())
    .$call(t.strictTable)
    .execute();

  // WebAuthn: registered credentials (security keys, passkeys) and the challenges of open ceremonies.
  await db.schema
    .createTable('webauthn_credentials')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .$call((table) =>
      onPostgres ? table.addColumn('seq', 'bigint', (c) => c.generatedAlwaysAsIdentity()) : table,
    )
    .addColumn('user_id', 'text', (c) => c.notNull().references(userId).onDelete('cascade'))
    .addColumn('public_key', t.bytes, (c) => c.notNull())
    .addColumn('counter', t.bigint, (c) => c.notNull().check(sql`counter >= 0`))
    .addColumn('transports', t.json, (c) => t.validJson(c, 'transports').notNull())
    .addColumn('aaguid', 'text', (c) => c.notNull())
    .addColumn('device_type', 'text', (c) =>
      c.notNull().check(sql`device_type IN ('singleDevice', 'multiDevice')`),
    )
    .addColumn('backed_up', t.boolean, (c) => t.zeroOrOne(c, 'backed_up').notNull())
    .addColumn('attachment', 'text', (c) => c.check(sql`attachment IN ('platform', 'cross-platform')`))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at', t.bigint, (c) => c.notNull())
    .addColumn('last_used_at', t.bigint)
    .$call(t.strictTable)
    .execute();
  await createIndex(db, 'webauthn_credentials_user_id', 'webauthn_credentials', [
    'user_id',
    ...inCreationOrder,
  ]);

  await db.schema
    .createTable('webauthn_challenges')
    .addColumn('interaction_uid', 'text', (c) => c.notNull())
    .addColumn('ceremony', 'text', (c) => c.notNull())
    .addColumn('challenge', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text')
    .addColumn('expires_at', t.bigint, (c) => c.notNull())
    .addPrimaryKeyConstraint('webauthn_challenges_pkey', ['interaction_uid', 'ceremony'])
    .$call(t.strictTable)
    .execute();
  await createIndex(db, 'webauthn_challenges_expires_at', 'webauthn_challenges', ['expires_at']);

  // Recovery codes (hashes of single-use codes, one set per user) and email one-time codes (each
  // bound to the login it was sent for).
  await db.schema
    .createTable('recovery_codes')
    .addColumn('user_id', 'text', (c) => c.notNull().references(userId).onDelete('cascade'))
    .addColumn('code_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', t.bigint, (c) => c.notNull())
    .addColumn('used_at', t.bigint)
    .addPrimaryKeyConstraint('recovery_codes_pkey', ['user_id', 'code_hash'])
    .$call(t.strictTable)
    .execute();

  await db.schema
    .createTable('email_codes')
    .addColumn('challenge_id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references(userId).onDelete('cascade'))
    .addColumn('code_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', t.bigint, (c) => c.notNull())
    .addColumn('expires_at', t.bigint, (c) => c.notNull())
    .addColumn('used_at', t.bigint)
    .$call(t.strictTable)
    .execute();
  await createIndex(db, 'email_codes_user_id', 'email_codes', ['user_id']);
  await createIndex(db, 'email_codes_expires_at', 'email_codes', ['expires_at']);

  // Push with number matching: the devices that answer (and where a push service reaches them), their
  // requests (at most one open per login, answered once), and single-use enrollment tokens (hashes).
  await db.schema
    .createTable('push_devices')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .$call((table) =>
      onPostgres ? table.addColumn('seq', 'bigint', (c) => c.generatedAlwaysAsIdentity()) : table,
    )
    .addColumn('user_id', 'text', (c) => c.notNull().references(userId).onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('public_key', t.json, (c) => t.validJson(c, 'public_key').notNull())
    .addColumn('created_at', t.bigint, (c) => c.notNull())
    .addColumn('last_used_at', t.bigint)
    .addColumn('revoked_at', t.bigint)
    .addColumn('web_push_subscription', t.json, (c) => t.validJsonOrNull(c, 'web_push_subscription'))
    .$call(t.strictTable)
    .execute();
  await createIndex(db, 'push_devices_user_id', 'push_devices', ['user_id', ...inCreationOrder]);

  await db.schema
    .createTable('push_challenges')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .$call((table) =>
      onPostgres ? table.addColumn('seq', 'bigint', (c) => c.generatedAlwaysAsIdentity()) : table,
    )
    .addColumn('user_id', 'text', (c) => c.notNull().references(userId).onDelete('cascade'))
    .addColumn('interaction_uid', 'text', (c) => c.notNull())
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('client_name', 'text', (c) => c.notNull())
    .addColumn('ip', 'text', (c) => c.notNull())
    .addColumn('number', 'integer', (c) => c.notNull().check(sql`number BETWEEN 10 AND 99`))
    .addColumn('choices', t.json, (c) => t.validJson(c, 'choices').notNull())
    .addColumn('nonce', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) =>
      c.notNull().check(sql`status IN ('open', 'approved', 'denied', 'expired', 'withdrawn')`),
    )
    .addColumn('created_at', t.bigint, (c) => c.notNull())
    .addColumn('expires_at', t.bigint, (c) => c.notNull())
    .addColumn('resolved_at', t.bigint)
    .addColumn('device_id', 'text')
    .addColumn('consumed_at', t.bigint)
    // Why a denial was one: refused, or the wrong number picked.
    .addColumn('denial_reason', 'text', (c) => c.check(sql`denial_reason IN ('refused', 'wrong_number')`))
    .addCheckConstraint(
      'push_challenges_denial_reason_with_denied',
      sql`(status = 'denied') = (denial_reason IS NOT NULL)`,
    )
    .$call(t.strictTable)
    .execute();
  await db.schema
    .createIndex('push_challenges_one_open_per_interaction')
    .unique()
    .on('push_challenges')
    .column('interaction_uid')
    .where(sql.ref('status'), '=', 'open')
    .execute();
  if (onPostgres) {
    await createIndex(db, 'push_challenges_interaction_uid', 'push_challenges', [
      'interaction_uid',
      ...inCreationOrder,
    ]);
  }
  await createIndex(db, 'push_challenges_user_id_status', 'push_challenges', ['user_id', 'status']);
  await db.schema
    .createIndex('push_challenges_open_expires_at')
    .on('push_challenges')
    .column('expires_at')
    .where(sql.ref('status'), '=', 'open')
    .execute();

  await db.schema
    .createTable('push_enrollment_tokens')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references(userId).onDelete('cascade'))
    .addColumn('interaction_uid', 'text')
    .addColumn('created_at', t.bigint, (c) => c.notNull())
    .addColumn('expires_at', t.bigint, (c) => c.notNull())
    .addColumn('consumed_at', t.bigint)
    .$call(t.strictTable)
    .execute();
  await createIndex(db, 'push_enrollment_tokens_interaction_uid', 'push_enrollment_tokens', [
    'interaction_uid',
  ]);
  if (onPostgres) {
    await createIndex(db, 'push_enrollment_tokens_expires_at', 'push_enrollment_tokens', ['expires_at']);
  }

  // Actions (post-login scripts): each deploy adds a version; secrets are sealed by the caller. The
  // execution log keeps the newest executions of each Action.
  await db.schema
    .createTable('actions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('trigger', 'text', (c) => c.notNull())
    .addColumn('enabled', t.boolean, (c) => t.zeroOrOne(c, 'enabled').notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('created_at', t.bigint, (c) => c.notNull())
    .addColumn('updated_at', t.bigint, (c) => c.notNull())
    .$call(t.strictTable)
    .execute();
  await createIndex(db, 'actions_trigger_position', 'actions', ['trigger', 'position']);

  await db.schema
    .createTable('action_versions')
    .addColumn('action_id', 'text', (c) => c.notNull().references('actions.id').onDelete('cascade'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('secret_names', t.json, (c) => t.validJson(c, 'secret_names').notNull())
    .addColumn('sealed_secrets', 'text')
    .addColumn('created_at', t.bigint, (c) => c.notNull())
    .addPrimaryKeyConstraint('action_versions_pkey', ['action_id', 'version'])
    .$call(t.strictTable)
    .execute();

  await db.schema
    .createTable('action_executions')
    .addColumn('id', t.bigint, t.autoIncrementKey)
    .addColumn('action_id', 'text', (c) => c.notNull().references('actions.id').onDelete('cascade'))
    .addColumn('version', 'integer', (c) => c.notNull())
    // Epoch milliseconds.
    .addColumn('started_at', t.bigint, (c) => c.notNull())
    .addColumn('duration_ms', t.double, (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull().check(sql`outcome IN ('succeeded', 'denied', 'failed')`))
    .addColumn('error_code', 'text')
    .addColumn('error_detail', 'text')
    .addColumn('logs', t.json, (c) => t.validJson(c, 'logs').notNull())
    .addColumn('calls', t.json, (c) => t.validJson(c, 'calls').notNull())
    .addColumn('user_id', 'text')
    .addColumn('client_id', 'text')
    .$call(t.strictTable)
    .execute();
  await createIndex(db, 'action_executions_action_id', 'action_executions', ['action_id', 'id']);

  // The audit log, ordered by seq (cursor paging), filtered by type, user, client and time.
  await db.schema
    .createTable('audit_events')
    .addColumn('seq', t.bigint, t.autoIncrementKey)
    .addColumn('id', 'text', (c) => c.notNull().unique())
    .addColumn('time', t.bigint, (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull().check(sql`outcome IN ('success', 'failure')`))
    .addColumn('user_id', 'text')
    .addColumn('client_id', 'text')
    .addColumn('ip', 'text')
    .addColumn('actor_type', 'text', (c) => c.check(sql`actor_type IN ('user', 'client')`))
    .addColumn('actor_id', 'text')
    .addColumn('details', t.json, (c) => t.validJson(c, 'details').notNull())
    .$call(t.strictTable)
    .execute();
  await createIndex(db, 'audit_events_time', 'audit_events', ['time']);
  await createIndex(db, 'audit_events_user_id', 'audit_events', ['user_id', 'seq']);
  await createIndex(db, 'audit_events_client_id', 'audit_events', ['client_id', 'seq']);
  await createIndex(db, 'audit_events_type', 'audit_events', ['type', 'seq']);

  // Post-login Actions: the custom claims they set for an authorization, kept with its grant for the
  // code exchange and the refreshes.
  await db.schema
    .createTable('custom_claims')
    .addColumn('grant_id', 'text', (c) => c.primaryKey())
    .addColumn('session_uid', 'text', (c) => c.notNull())
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('account_id', 'text', (c) => c.notNull().references(userId).onDelete('cascade'))
    .addColumn('id_token', t.json, (c) => t.validJson(c, 'id_token').notNull())
    .addColumn('access_token', t.json, (c) => t.validJson(c, 'access_token').notNull())
    .addColumn('expires_at', t.bigint, (c) => c.notNull())
    .$call(t.strictTable)
    .execute();
  await createIndex(db, 'custom_claims_expires_at', 'custom_claims', ['expires_at']);
}

async function createIndex(
  db: Kysely<unknown>,
  name: string,
  table: string,
  columns: readonly string[],
): Promise<void> {
  await db.schema
    .createIndex(name)
    .on(table)
    .columns([...columns])
    .execute();
}

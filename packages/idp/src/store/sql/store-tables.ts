import type { ColumnType, Generated } from 'kysely';

/**
 * The store's tables as the repositories see them on both engines (Kysely's `Database` type). One
 * interface per table, in alphabetical order. How values cross the two engines:
 * - epoch seconds, counts and other integers are `number` (SQLite INTEGER; PostgreSQL BIGINT, which
 *   the pool's type parser reads as a number);
 * - JSON is written as text (`writeJson`) and read through `dialect.readJson`: SQLite hands back the
 *   text, pg the parsed value of a `json` column;
 * - booleans are written as 1 or 0 (`writeBoolean`, which PostgreSQL's BOOLEAN accepts) and read
 *   with `readBoolean`: SQLite hands back 0 or 1, pg `false` or `true`;
 * - BLOB and BYTEA both read as a `Buffer`.
 */
export interface StoreTables {
  action_executions: ActionExecutionsTable;
  action_versions: ActionVersionsTable;
  actions: ActionsTable;
  attempts: CountersTable;
  audit_events: AuditEventsTable;
  auth_sessions: AuthSessionsTable;
  authorization_detail_types: AuthorizationDetailTypesTable;
  clients: ClientsTable;
  custom_claims: CustomClaimsTable;
  email_codes: EmailCodesTable;
  factors: FactorsTable;
  failure_counters: CountersTable;
  interaction_states: InteractionStatesTable;
  keys: KeysTable;
  oidc_models: OidcModelsTable;
  password_reset_tokens: PasswordResetTokensTable;
  push_challenge_transactions: PushChallengeTransactionsTable;
  push_challenges: PushChallengesTable;
  push_devices: PushDevicesTable;
  push_enrollment_tokens: PushEnrollmentTokensTable;
  recovery_codes: RecoveryCodesTable;
  resource_servers: ResourceServersTable;
  users: UsersTable;
  webauthn_challenges: WebAuthnChallengesTable;
  webauthn_credentials: WebAuthnCredentialsTable;
}

/** A JSON column: read as SQLite text or pg's parsed value (`dialect.readJson`), written as text. */
export type JsonColumn = ColumnType<unknown, string, string>;

/** A nullable JSON column. */
export type NullableJsonColumn = ColumnType<unknown, string | null, string | null>;

/** A boolean column: INTEGER 0/1 on SQLite, BOOLEAN on PostgreSQL (`readBoolean`, `writeBoolean`). */
export type BooleanColumn = ColumnType<number | boolean, number, number>;

export interface ActionExecutionsTable {
  id: Generated<number>;
  action_id: string;
  version: number;
  /** Epoch milliseconds. */
  started_at: number;
  duration_ms: number;
  outcome: 'succeeded' | 'denied' | 'failed';
  error_code: string | null;
  error_detail: string | null;
  logs: JsonColumn;
  calls: JsonColumn;
  user_id: string | null;
  client_id: string | null;
}

export interface ActionVersionsTable {
  action_id: string;
  version: number;
  code: string;
  secret_names: JsonColumn;
  sealed_secrets: string | null;
  created_at: number;
}

export interface ActionsTable {
  id: string;
  name: string;
  trigger: string;
  enabled: BooleanColumn;
  position: number;
  version: number;
  created_at: number;
  updated_at: number;
}

export interface AuditEventsTable {
  seq: Generated<number>;
  id: string;
  time: number;
  type: string;
  outcome: 'success' | 'failure';
  user_id: string | null;
  client_id: string | null;
  ip: string | null;
  actor_type: 'user' | 'client' | null;
  actor_id: string | null;
  details: JsonColumn;
}

export interface AuthSessionsTable {
  session_uid: string;
  account_id: string;
  methods: JsonColumn;
  expires_at: number;
}

export interface ClientsTable {
  client_id: string;
  metadata: JsonColumn;
}

/** `attempts` (throttling windows) and `failure_counters` (consecutive failures and locks). */
export interface CountersTable {
  key: string;
  count: number;
  reset_at: number;
}

export interface CustomClaimsTable {
  grant_id: string;
  session_uid: string;
  client_id: string;
  account_id: string;
  id_token: JsonColumn;
  access_token: JsonColumn;
  expires_at: number;
}

export interface EmailCodesTable {
  challenge_id: string;
  user_id: string;
  code_hash: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

export interface AuthorizationDetailTypesTable {
  type: string;
  description: string;
  schema: JsonColumn;
  display_fields: JsonColumn;
}

export interface PasswordResetTokensTable {
  token_hash: string;
  user_id: string;
  password_fingerprint: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

export interface FactorsTable {
  id: string;
  user_id: string;
  type: string;
  name: string;
  secret: string;
  created_at: number;
  last_used_at: number | null;
  last_step: number | null;
}

export interface InteractionStatesTable {
  uid: string;
  state: JsonColumn;
  expires_at: number;
}

export interface KeysTable {
  name: string;
  value: string;
}

export interface OidcModelsTable {
  model: string;
  id: string;
  payload: JsonColumn;
  grant_id: string | null;
  user_code: string | null;
  uid: string | null;
  expires_at: number | null;
  consumed_at: number | null;
}

export interface PushChallengesTable {
  id: string;
  user_id: string;
  interaction_uid: string;
  client_id: string;
  client_name: string;
  ip: string;
  number: number;
  choices: JsonColumn;
  nonce: string;
  status: 'open' | 'approved' | 'denied' | 'expired' | 'withdrawn';
  denial_reason: 'refused' | 'wrong_number' | null;
  created_at: number;
  expires_at: number;
  resolved_at: number | null;
  device_id: string | null;
  consumed_at: number | null;
}

/** What a transaction-bound push request shows and is signed over (RFC 9396); one row per such request. */
export interface PushChallengeTransactionsTable {
  challenge_id: string;
  transaction: JsonColumn;
}

export interface PushDevicesTable {
  id: string;
  user_id: string;
  name: string;
  public_key: JsonColumn;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
  web_push_subscription: NullableJsonColumn;
}

export interface PushEnrollmentTokensTable {
  token_hash: string;
  user_id: string;
  interaction_uid: string | null;
  created_at: number;
  expires_at: number;
  consumed_at: number | null;
}

export interface RecoveryCodesTable {
  user_id: string;
  code_hash: string;
  created_at: number;
  used_at: number | null;
}

export interface ResourceServersTable {
  identifier: string;
  scopes: JsonColumn;
  access_token_ttl: number;
  signing_alg: string;
}

export interface UsersTable {
  id: string;
  username: string;
  username_key: string;
  email: string | null;
  email_key: string | null;
  email_verified: BooleanColumn;
  name: string | null;
  password_hash: string;
  created_at: number;
  remembered_browsers_epoch: ColumnType<number, number | undefined, number>;
  roles: ColumnType<unknown, string | undefined, string>;
  blocked: ColumnType<number | boolean, number | undefined, number>;
  app_metadata: ColumnType<unknown, string | undefined, string>;
  user_metadata: ColumnType<unknown, string | undefined, string>;
}

export interface WebAuthnChallengesTable {
  interaction_uid: string;
  ceremony: string;
  challenge: string;
  user_id: string | null;
  expires_at: number;
}

export interface WebAuthnCredentialsTable {
  id: string;
  user_id: string;
  public_key: Buffer;
  counter: number;
  transports: JsonColumn;
  aaguid: string;
  device_type: 'singleDevice' | 'multiDevice';
  backed_up: BooleanColumn;
  attachment: 'platform' | 'cross-platform' | null;
  name: string;
  created_at: number;
  last_used_at: number | null;
}

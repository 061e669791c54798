/**
 * PostgreSQL schema steps in order; step N (counting from 1) is recorded as version N in
 * `schema_migrations`. Never edit a released step: append a new one. Times are epoch seconds in
 * BIGINT, as in the SQLite store; JSON is `json` (kept as written, unlike `jsonb`). `seq` columns keep
 * insertion order where lists are ordered by creation time, as SQLite's rowid does.
 */
export const postgresMigrations: readonly string[] = [
  // Everything the SQLite store had when PostgreSQL support was added (its steps 1 to 7).
  `
  CREATE TABLE users (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL,
    -- Lower-cased and NFC-normalised in code, the same as in SQLite.
    username_key TEXT NOT NULL UNIQUE,
    email TEXT,
    email_key TEXT UNIQUE,
    email_verified BOOLEAN NOT NULL DEFAULT FALSE,
    name TEXT,
    password_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    -- "Remember this browser": raising it voids every remembering cookie issued before.
    remembered_browsers_epoch BIGINT NOT NULL DEFAULT 0
  );

  CREATE TABLE factors (
    id TEXT PRIMARY KEY,
    seq BIGINT GENERATED ALWAYS AS IDENTITY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    type TEXT NOT NULL,
    name TEXT NOT NULL,
    secret TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT,
    last_step BIGINT
  );
  CREATE INDEX factors_user_id ON factors (user_id, created_at, seq);

  CREATE TABLE auth_sessions (
    session_uid TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    methods JSON NOT NULL,
    expires_at BIGINT NOT NULL
  );
  CREATE INDEX auth_sessions_expires_at ON auth_sessions (expires_at);

  CREATE TABLE interaction_states (
    uid TEXT PRIMARY KEY,
    state JSON NOT NULL,
    expires_at BIGINT NOT NULL
  );
  CREATE INDEX interaction_states_expires_at ON interaction_states (expires_at);

  CREATE TABLE attempts (
    key TEXT PRIMARY KEY,
    count BIGINT NOT NULL,
    reset_at BIGINT NOT NULL
  );
  CREATE INDEX attempts_reset_at ON attempts (reset_at);

  CREATE TABLE keys (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );

  CREATE TABLE clients (
    client_id TEXT PRIMARY KEY,
    metadata JSON NOT NULL
  );

  CREATE TABLE oidc_models (
    model TEXT NOT NULL,
    id TEXT NOT NULL,
    payload JSON NOT NULL,
    grant_id TEXT,
    user_code TEXT,
    uid TEXT,
    expires_at BIGINT,
    consumed_at BIGINT,
    PRIMARY KEY (model, id)
  );
  CREATE INDEX oidc_models_grant_id ON oidc_models (grant_id) WHERE grant_id IS NOT NULL;
  CREATE INDEX oidc_models_uid ON oidc_models (model, uid) WHERE uid IS NOT NULL;
  CREATE INDEX oidc_models_user_code ON oidc_models (model, user_code) WHERE user_code IS NOT NULL;
  CREATE INDEX oidc_models_expires_at ON oidc_models (expires_at) WHERE expires_at IS NOT NULL;

  CREATE TABLE resource_servers (
    identifier TEXT PRIMARY KEY,
    scopes JSON NOT NULL,
    access_token_ttl BIGINT NOT NULL CHECK (access_token_ttl > 0),
    signing_alg TEXT NOT NULL
  );

  CREATE TABLE webauthn_credentials (
    id TEXT PRIMARY KEY,
    seq BIGINT GENERATED ALWAYS AS IDENTITY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    public_key BYTEA NOT NULL,
    counter BIGINT NOT NULL CHECK (counter >= 0),
    transports JSON NOT NULL,
    aaguid TEXT NOT NULL,
    device_type TEXT NOT NULL CHECK (device_type IN ('singleDevice', 'multiDevice')),
    backed_up BOOLEAN NOT NULL,
    attachment TEXT CHECK (attachment IN ('platform', 'cross-platform')),
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT
  );
  CREATE INDEX webauthn_credentials_user_id ON webauthn_credentials (user_id, created_at, seq);

  CREATE TABLE webauthn_challenges (
    interaction_uid TEXT NOT NULL,
    ceremony TEXT NOT NULL,
    challenge TEXT NOT NULL,
    user_id TEXT,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (interaction_uid, ceremony)
  );
  CREATE INDEX webauthn_challenges_expires_at ON webauthn_challenges (expires_at);

  CREATE TABLE recovery_codes (
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    used_at BIGINT,
    PRIMARY KEY (user_id, code_hash)
  );

  CREATE TABLE email_codes (
    challenge_id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
  );
  CREATE INDEX email_codes_user_id ON email_codes (user_id);
  CREATE INDEX email_codes_expires_at ON email_codes (expires_at);

  CREATE TABLE push_devices (
    id TEXT PRIMARY KEY,
    seq BIGINT GENERATED ALWAYS AS IDENTITY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    public_key JSON NOT NULL,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at BIGINT
  );
  CREATE INDEX push_devices_user_id ON push_devices (user_id, created_at, seq);

  CREATE TABLE push_challenges (
    id TEXT PRIMARY KEY,
    seq BIGINT GENERATED ALWAYS AS IDENTITY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    interaction_uid TEXT NOT NULL,
    client_id TEXT NOT NULL,
    client_name TEXT NOT NULL,
    ip TEXT NOT NULL,
    number INTEGER NOT NULL CHECK (number BETWEEN 10 AND 99),
    choices JSON NOT NULL,
    nonce TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'approved', 'denied', 'expired')),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    resolved_at BIGINT,
    device_id TEXT,
    consumed_at BIGINT
  );
  CREATE UNIQUE INDEX push_challenges_one_open_per_interaction ON push_challenges (interaction_uid)
    WHERE status = 'open';
  CREATE INDEX push_challenges_interaction_uid ON push_challenges (interaction_uid, created_at, seq);
  CREATE INDEX push_challenges_user_id_status ON push_challenges (user_id, status);
  CREATE INDEX push_challenges_open_expires_at ON push_challenges (expires_at) WHERE status = 'open';

  CREATE TABLE push_enrollment_tokens (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    interaction_uid TEXT,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    consumed_at BIGINT
  );
  CREATE INDEX push_enrollment_tokens_interaction_uid ON push_enrollment_tokens (interaction_uid);
  CREATE INDEX push_enrollment_tokens_expires_at ON push_enrollment_tokens (expires_at);

  CREATE TABLE actions (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    trigger TEXT NOT NULL,
    enabled BOOLEAN NOT NULL,
    position INTEGER NOT NULL,
    version INTEGER NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
  );
  CREATE INDEX actions_trigger_position ON actions (trigger, position);

  CREATE TABLE action_versions (
    action_id TEXT NOT NULL REFERENCES actions (id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    code TEXT NOT NULL,
    secret_names JSON NOT NULL,
    sealed_secrets TEXT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (action_id, version)
  );

  CREATE TABLE action_executions (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    action_id TEXT NOT NULL REFERENCES actions (id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    -- Epoch milliseconds.
    started_at BIGINT NOT NULL,
    duration_ms DOUBLE PRECISION NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('succeeded', 'denied', 'failed')),
    error_code TEXT,
    error_detail TEXT,
    logs JSON NOT NULL,
    calls JSON NOT NULL,
    user_id TEXT,
    client_id TEXT
  );
  CREATE INDEX action_executions_action_id ON action_executions (action_id, id);
  `,
  // Management (SQLite steps 8 and 9): operators' roles, blocking and metadata on users; the audit
  // log, ordered by seq (cursor paging); the custom claims post-login Actions set, kept with the grant.
  `
  ALTER TABLE users ADD COLUMN roles JSON NOT NULL DEFAULT '[]';
  ALTER TABLE users ADD COLUMN blocked BOOLEAN NOT NULL DEFAULT FALSE;
  ALTER TABLE users ADD COLUMN app_metadata JSON NOT NULL DEFAULT '{}';
  ALTER TABLE users ADD COLUMN user_metadata JSON NOT NULL DEFAULT '{}';

  CREATE TABLE audit_events (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    time BIGINT NOT NULL,
    type TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('success', 'failure')),
    user_id TEXT,
    client_id TEXT,
    ip TEXT,
    actor_type TEXT CHECK (actor_type IN ('user', 'client')),
    actor_id TEXT,
    details JSON NOT NULL
  );
  CREATE INDEX audit_events_time ON audit_events (time);
  CREATE INDEX audit_events_user_id ON audit_events (user_id, seq);
  CREATE INDEX audit_events_client_id ON audit_events (client_id, seq);
  CREATE INDEX audit_events_type ON audit_events (type, seq);

  CREATE TABLE custom_claims (
    grant_id TEXT PRIMARY KEY,
    session_uid TEXT NOT NULL,
    client_id TEXT NOT NULL,
    account_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    id_token JSON NOT NULL,
    access_token JSON NOT NULL,
    expires_at BIGINT NOT NULL
  );
  CREATE INDEX custom_claims_expires_at ON custom_claims (expires_at);
  `,
  // Web Push (SQLite step 10): each device's PushSubscription, null when it has none.
  `
  ALTER TABLE push_devices ADD COLUMN web_push_subscription JSON;
  `,
  // Push requests (SQLite step 11): \`withdrawn\` when their login ended first, and why a denial was one.
  `
  ALTER TABLE push_challenges DROP CONSTRAINT push_challenges_status_check;
  ALTER TABLE push_challenges ADD CONSTRAINT push_challenges_status_check
    CHECK (status IN ('open', 'approved', 'denied', 'expired', 'withdrawn'));
  ALTER TABLE push_challenges ADD COLUMN denial_reason TEXT
    CHECK (denial_reason IN ('refused', 'wrong_number'));
  UPDATE push_challenges SET denial_reason = 'refused' WHERE status = 'denied';
  ALTER TABLE push_challenges ADD CONSTRAINT push_challenges_denial_reason_with_denied
    CHECK ((status = 'denied') = (denial_reason IS NOT NULL));
  `,
  // Consecutive failures and locks, durable apart from the throttling windows (SQLite step 12).
  `
  CREATE TABLE failure_counters (
    key TEXT PRIMARY KEY,
    count BIGINT NOT NULL,
    reset_at BIGINT NOT NULL
  );
  CREATE INDEX failure_counters_reset_at ON failure_counters (reset_at);
  `,
];

/**
 * Schema steps in order. Step N (counting from 1) is applied when `PRAGMA user_version` is below N.
 * Never edit a released step: append a new one.
 */
export const migrations: readonly string[] = [
  `
  CREATE TABLE users (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL,
    -- Lower-cased in code: SQLite's NOCASE folds ASCII only.
    username_key TEXT NOT NULL UNIQUE,
    email TEXT,
    email_key TEXT UNIQUE,
    email_verified INTEGER NOT NULL DEFAULT 0,
    name TEXT,
    password_hash TEXT NOT NULL,
    created_at INTEGER NOT NULL
  ) STRICT;

  CREATE TABLE factors (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    type TEXT NOT NULL,
    name TEXT NOT NULL,
    secret TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_used_at INTEGER,
    last_step INTEGER
  ) STRICT;
  CREATE INDEX factors_user_id ON factors (user_id);

  CREATE TABLE auth_sessions (
    session_uid TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    methods TEXT NOT NULL CHECK (json_valid(methods)),
    expires_at INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX auth_sessions_expires_at ON auth_sessions (expires_at);

  CREATE TABLE interaction_states (
    uid TEXT PRIMARY KEY,
    state TEXT NOT NULL CHECK (json_valid(state)),
    expires_at INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX interaction_states_expires_at ON interaction_states (expires_at);

  CREATE TABLE attempts (
    key TEXT PRIMARY KEY,
    count INTEGER NOT NULL,
    reset_at INTEGER NOT NULL
  ) STRICT;

  CREATE TABLE keys (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
  ) STRICT;

  CREATE TABLE clients (
    client_id TEXT PRIMARY KEY,
    metadata TEXT NOT NULL CHECK (json_valid(metadata))
  ) STRICT;

  CREATE TABLE oidc_models (
    model TEXT NOT NULL,
    id TEXT NOT NULL,
    payload TEXT NOT NULL CHECK (json_valid(payload)),
    grant_id TEXT,
    user_code TEXT,
    uid TEXT,
    expires_at INTEGER,
    consumed_at INTEGER,
    PRIMARY KEY (model, id)
  ) STRICT;
  CREATE INDEX oidc_models_grant_id ON oidc_models (grant_id);
  CREATE INDEX oidc_models_uid ON oidc_models (uid);
  CREATE INDEX oidc_models_user_code ON oidc_models (user_code);
  CREATE INDEX oidc_models_expires_at ON oidc_models (expires_at);
  `,
  // Resource servers (RFC 8707): the APIs that receive JWT access tokens (RFC 9068).
  `
  CREATE TABLE resource_servers (
    identifier TEXT PRIMARY KEY,
    scopes TEXT NOT NULL CHECK (json_valid(scopes)),
    access_token_ttl INTEGER NOT NULL CHECK (access_token_ttl > 0),
    signing_alg TEXT NOT NULL
  ) STRICT;
  `,
  // WebAuthn: registered credentials (security keys, passkeys) and the challenges of open ceremonies.
  `
  CREATE TABLE webauthn_credentials (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    public_key BLOB NOT NULL,
    counter INTEGER NOT NULL CHECK (counter >= 0),
    transports TEXT NOT NULL CHECK (json_valid(transports)),
    aaguid TEXT NOT NULL,
    device_type TEXT NOT NULL CHECK (device_type IN ('singleDevice', 'multiDevice')),
    backed_up INTEGER NOT NULL CHECK (backed_up IN (0, 1)),
    attachment TEXT CHECK (attachment IN ('platform', 'cross-platform')),
    name TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_used_at INTEGER
  ) STRICT;
  CREATE INDEX webauthn_credentials_user_id ON webauthn_credentials (user_id);

  CREATE TABLE webauthn_challenges (
    interaction_uid TEXT NOT NULL,
    ceremony TEXT NOT NULL,
    challenge TEXT NOT NULL,
    user_id TEXT,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (interaction_uid, ceremony)
  ) STRICT;
  CREATE INDEX webauthn_challenges_expires_at ON webauthn_challenges (expires_at);
  `,
  // Recovery codes (hashes of single-use codes, one set per user) and email one-time codes (each bound
  // to the login it was sent for).
  `
  CREATE TABLE recovery_codes (
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    used_at INTEGER,
    PRIMARY KEY (user_id, code_hash)
  ) STRICT;

  CREATE TABLE email_codes (
    challenge_id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER
  ) STRICT;
  CREATE INDEX email_codes_user_id ON email_codes (user_id);
  CREATE INDEX email_codes_expires_at ON email_codes (expires_at);
  `,
  // Push with number matching: the devices that answer, their requests (at most one open per login,
  // answered once), and single-use enrollment tokens (hashes only).
  `
  CREATE TABLE push_devices (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    public_key TEXT NOT NULL CHECK (json_valid(public_key)),
    created_at INTEGER NOT NULL,
    last_used_at INTEGER,
    revoked_at INTEGER
  ) STRICT;
  CREATE INDEX push_devices_user_id ON push_devices (user_id);

  CREATE TABLE push_challenges (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    interaction_uid TEXT NOT NULL,
    client_id TEXT NOT NULL,
    client_name TEXT NOT NULL,
    ip TEXT NOT NULL,
    number INTEGER NOT NULL CHECK (number BETWEEN 10 AND 99),
    choices TEXT NOT NULL CHECK (json_valid(choices)),
    nonce TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'approved', 'denied', 'expired')),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    resolved_at INTEGER,
    device_id TEXT,
    consumed_at INTEGER
  ) STRICT;
  CREATE UNIQUE INDEX push_challenges_one_open_per_interaction ON push_challenges (interaction_uid)
    WHERE status = 'open';
  CREATE INDEX push_challenges_user_id_status ON push_challenges (user_id, status);
  CREATE INDEX push_challenges_open_expires_at ON push_challenges (expires_at) WHERE status = 'open';

  CREATE TABLE push_enrollment_tokens (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    interaction_uid TEXT,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    consumed_at INTEGER
  ) STRICT;
  CREATE INDEX push_enrollment_tokens_interaction_uid ON push_enrollment_tokens (interaction_uid);
  `,
  // Actions (post-login scripts): each deploy adds a version; secrets are sealed by the caller. The
  // execution log keeps the newest executions of each Action.
  `
  CREATE TABLE actions (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    trigger TEXT NOT NULL,
    enabled INTEGER NOT NULL CHECK (enabled IN (0, 1)),
    position INTEGER NOT NULL,
    version INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX actions_trigger_position ON actions (trigger, position);

  CREATE TABLE action_versions (
    action_id TEXT NOT NULL REFERENCES actions (id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    code TEXT NOT NULL,
    secret_names TEXT NOT NULL CHECK (json_valid(secret_names)),
    sealed_secrets TEXT,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (action_id, version)
  ) STRICT;

  CREATE TABLE action_executions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    action_id TEXT NOT NULL REFERENCES actions (id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    started_at INTEGER NOT NULL,
    duration_ms REAL NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('succeeded', 'denied', 'failed')),
    error_code TEXT,
    error_detail TEXT,
    logs TEXT NOT NULL CHECK (json_valid(logs)),
    calls TEXT NOT NULL CHECK (json_valid(calls)),
    user_id TEXT,
    client_id TEXT
  ) STRICT;
  CREATE INDEX action_executions_action_id ON action_executions (action_id, id);
  `,
  // "Remember this browser": a per-user counter written into each remembering cookie; raising it
  // (factor removed, "sign out everywhere") voids every cookie issued before.
  `
  ALTER TABLE users ADD COLUMN remembered_browsers_epoch INTEGER NOT NULL DEFAULT 0;
  `,
  // Management: operators' roles, blocking and metadata on users; the audit log, ordered by seq
  // (cursor paging), filtered by type, user, client and time.
  `
  ALTER TABLE users ADD COLUMN roles TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(roles));
  ALTER TABLE users ADD COLUMN blocked INTEGER NOT NULL DEFAULT 0 CHECK (blocked IN (0, 1));
  ALTER TABLE users ADD COLUMN app_metadata TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(app_metadata));
  ALTER TABLE users ADD COLUMN user_metadata TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(user_metadata));

  CREATE TABLE audit_events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    time INTEGER NOT NULL,
    type TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('success', 'failure')),
    user_id TEXT,
    client_id TEXT,
    ip TEXT,
    actor_type TEXT CHECK (actor_type IN ('user', 'client')),
    actor_id TEXT,
    details TEXT NOT NULL CHECK (json_valid(details))
  ) STRICT;
  CREATE INDEX audit_events_time ON audit_events (time);
  CREATE INDEX audit_events_user_id ON audit_events (user_id, seq);
  CREATE INDEX audit_events_client_id ON audit_events (client_id, seq);
  CREATE INDEX audit_events_type ON audit_events (type, seq);
  `,
  // Post-login Actions: the custom claims they set for an authorization, kept with its grant for
  // the code exchange and the refreshes (their metadata lives in users.app_metadata/user_metadata).
  `
  CREATE TABLE custom_claims (
    grant_id TEXT PRIMARY KEY,
    session_uid TEXT NOT NULL,
    client_id TEXT NOT NULL,
    account_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    id_token TEXT NOT NULL CHECK (json_valid(id_token)),
    access_token TEXT NOT NULL CHECK (json_valid(access_token)),
    expires_at INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX custom_claims_expires_at ON custom_claims (expires_at);
  `,
  // Web Push: where a push service reaches each device (its PushSubscription as JSON), when the
  // device subscribed; null for devices that did not (the CLI) and for the event stream alone.
  `
  ALTER TABLE push_devices ADD COLUMN web_push_subscription TEXT
    CHECK (web_push_subscription IS NULL OR json_valid(web_push_subscription));
  `,
  // Push requests: \`withdrawn\` when their login ended before an answer, and why a denial was one
  // (refused, or the wrong number picked). SQLite cannot change a CHECK, so the table is rebuilt.
  `
  CREATE TABLE push_challenges_rebuilt (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    interaction_uid TEXT NOT NULL,
    client_id TEXT NOT NULL,
    client_name TEXT NOT NULL,
    ip TEXT NOT NULL,
    number INTEGER NOT NULL CHECK (number BETWEEN 10 AND 99),
    choices TEXT NOT NULL CHECK (json_valid(choices)),
    nonce TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'approved', 'denied', 'expired', 'withdrawn')),
    denial_reason TEXT CHECK (denial_reason IN ('refused', 'wrong_number')),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    resolved_at INTEGER,
    device_id TEXT,
    consumed_at INTEGER,
    CHECK ((status = 'denied') = (denial_reason IS NOT NULL))
  ) STRICT;
  INSERT INTO push_challenges_rebuilt
    (id, user_id, interaction_uid, client_id, client_name, ip, number, choices, nonce, status,
     denial_reason, created_at, expires_at, resolved_at, device_id, consumed_at)
  SELECT id, user_id, interaction_uid, client_id, client_name, ip, number, choices, nonce, status,
     CASE WHEN status = 'denied' THEN 'refused' END, created_at, expires_at, resolved_at, device_id,
     consumed_at
  FROM push_challenges ORDER BY rowid;
  DROP TABLE push_challenges;
  ALTER TABLE push_challenges_rebuilt RENAME TO push_challenges;
  CREATE UNIQUE INDEX push_challenges_one_open_per_interaction ON push_challenges (interaction_uid)
    WHERE status = 'open';
  CREATE INDEX push_challenges_user_id_status ON push_challenges (user_id, status);
  CREATE INDEX push_challenges_open_expires_at ON push_challenges (expires_at) WHERE status = 'open';
  `,
  // Consecutive failures and locks (NIST SP 800-63B 5.2.2) apart from the short-lived throttling
  // windows: these stay in the database when the windows move to Redis.
  `
  CREATE TABLE failure_counters (
    key TEXT PRIMARY KEY,
    count INTEGER NOT NULL,
    reset_at INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX failure_counters_reset_at ON failure_counters (reset_at);
  `,
];

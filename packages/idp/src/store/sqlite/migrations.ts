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
];

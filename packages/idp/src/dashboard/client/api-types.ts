/** The management API's resources as the dashboard reads them (wire names, snake_case). */

/** Every list: one page of items and the cursor of the next, if any. */
export interface ListPage<T> {
  items: T[];
  next_cursor: string | null;
}

export interface UserResource {
  id: string;
  username: string;
  name: string | null;
  email: string | null;
  email_verified: boolean;
  blocked: boolean;
  roles: string[];
  created_at: string;
}

export interface FactorResource {
  id: string;
  type: string;
  name: string;
  created_at: string;
  last_used_at: string | null;
  remaining?: number;
}

/** `GET /users/{id}/sign-in-lock`: consecutive failed passwords and wrong second-factor codes. */
export interface SignInLockResource {
  password: { consecutive_failures: number; locked: boolean };
  codes: { consecutive_failures: number; locked: boolean };
}

export interface ClientResource {
  client_id: string;
  client_name: string | null;
  type: 'confidential' | 'public';
  grant_types: string[];
  redirect_uris: string[];
  post_logout_redirect_uris: string[];
  id_token_signed_response_alg: string;
  default_acr_values: string[];
  token_endpoint_auth_method: string;
  require_pushed_authorization_requests: boolean;
  require_signed_request_object: boolean;
  dpop_bound_access_tokens: boolean;
  /** `fapi2`: held to the FAPI 2.0 Security Profile; null: the provider's default. */
  client_profile: 'standard' | 'fapi2' | null;
  /** The scopes it may be granted, per API (resource indicator). */
  scopes: Record<string, string[]>;
  /** For the provider's own clients, what it uses them for (`account page`, `dashboard`): read-only. */
  provider_role: string | null;
}

/** POST `/clients` and `/clients/{id}/secret`: the secret, shown once. */
export interface ClientWithSecret {
  client: ClientResource;
  client_secret?: string;
  /** After a rotation: until when the replaced secret still works; null when it stopped at once. */
  previous_secret_expires_at?: string | null;
}

export interface AuditEventResource {
  id: string;
  time: string;
  type: string;
  outcome: 'success' | 'failure';
  user_id?: string;
  client_id?: string;
  ip?: string;
  actor?: { type: 'user' | 'client'; id: string };
  details: Record<string, unknown>;
}

export interface KeyResource {
  kid: string;
  alg: string;
  use: string;
  status: 'current' | 'next' | 'previous';
  activates_at: string | null;
  retires_at: string | null;
}

export interface SettingsResource {
  factors: Record<string, { enabled: boolean }>;
  push: {
    challenge_ttl_seconds: number;
    enrollment_ttl_seconds: number;
    sends: { limit: number; window_seconds: number };
    denials: { limit: number; window_seconds: number };
  };
  throttling: {
    account_free_failures: number;
    account_max_delay_seconds: number;
    account_lock_failures: number;
    ip: { limit: number; window_seconds: number };
    second_factor: { limit: number; window_seconds: number };
    code_tries_per_login: number;
  };
  acr_ladder: { acr: string; factors: number; phishing_resistant: boolean; max_age: number | null }[];
  restart_required: string[];
}

// The Actions resources are the admin API's own views. Only their types come over (the bundler
// strips type-only imports), so the dashboard reads exactly what the routes send.
export type { ActionDetailView, ActionView } from '../../actions/action-views.ts';
export type { ActionTestResult } from '../../actions/test-action.ts';

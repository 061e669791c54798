/** Where the management API lives under the issuer; also the tail of its resource indicator. */
export const MANAGEMENT_API_PATH = '/api/v1';

/**
 * The scopes of the management API, one per resource and operation. A route names the one it needs;
 * a token carries those it was granted.
 */
export const MANAGEMENT_SCOPES = [
  'read:users',
  'create:users',
  'update:users',
  'delete:users',
  /** Roles of users, the admin role included: the admin role holds every scope of this API. */
  'update:roles',
  'read:clients',
  'create:clients',
  'update:clients',
  'delete:clients',
  /** Which scopes of which API a client may be granted (Auth0's client grants). */
  'update:client_grants',
  'read:apis',
  'create:apis',
  'update:apis',
  'delete:apis',
  /** The authorization_details types (RFC 9396) clients may ask people to approve. */
  'read:authorization_detail_types',
  'create:authorization_detail_types',
  'update:authorization_detail_types',
  'delete:authorization_detail_types',
  'read:actions',
  'create:actions',
  'update:actions',
  'delete:actions',
  'read:settings',
  'update:settings',
  'read:keys',
  'update:keys',
  'read:audit',
] as const;

export type ManagementScope = (typeof MANAGEMENT_SCOPES)[number];

/** The dashboard's public client, registered by the provider itself. */
export const DASHBOARD_CLIENT_ID = 'stepup-dashboard';

/** Lifetime of access tokens for the management API: short, as they hold the keys to every account. */
export const MANAGEMENT_TOKEN_TTL_SECONDS = 300;

/** The management API's resource indicator (RFC 8707) and the `aud` of its access tokens (RFC 9068). */
export function managementApiIdentifier(issuer: string): string {
  return `${issuer.replace(/\/$/, '')}${MANAGEMENT_API_PATH}`;
}

/**
 * The scopes a client may be granted, per API: `{ "<resource indicator>": ["scope", …] }`, kept in its
 * registration (custom client metadata). A scope granted for one API means nothing for another.
 */
export const ALLOWED_SCOPES_METADATA = 'stepup_allowed_scopes';

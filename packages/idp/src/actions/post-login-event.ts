import type { JsonObject } from './json-value.ts';
import type { RequestGeoip } from './request-geoip.ts';

/**
 * How the login that runs the Actions came about, as `event.transaction.protocol`:
 * - `oidc-basic-profile`: an authorization request (code flow) that may show pages to the user;
 * - `oidc-silent`: an authorization request with `prompt=none` — nothing can be shown, so an Action
 *   that asks for MFA the session does not have ends the request with `interaction_required`
 *   (Auth0 reports these as `oidc-basic-profile`; `event.request.query.prompt` still says `none`);
 * - `oauth2-refresh-token`: a refresh token grant — no user is present.
 */
export type PostLoginProtocol = 'oidc-basic-profile' | 'oidc-silent' | 'oauth2-refresh-token';

/** Second factors in Auth0's vocabulary (`event.user.enrolledFactors[].type`, `challengeWith`). */
export type PostLoginFactorType =
  | 'otp'
  | 'push-notification'
  | 'email'
  | 'webauthn-platform'
  | 'webauthn-roaming'
  | 'recovery-code';

/**
 * What the login flow knows when the Actions run, as plain data; `buildPostLoginEvent` turns it into
 * the Auth0-shaped `event`. Times are epoch seconds.
 */
export interface PostLoginInput {
  user: {
    id: string;
    username: string;
    email: string | null;
    emailVerified: boolean;
    name: string | null;
    appMetadata: JsonObject;
    userMetadata: JsonObject;
    /** The kinds of second factor the user has enrolled. */
    enrolledFactors: readonly PostLoginFactorType[];
    /** The roles operators gave the person (`admin`, …): `event.authorization.roles`. */
    roles: readonly string[];
    /** When the account was created, epoch seconds. */
    createdAt: number;
  };
  client: {
    clientId: string;
    name: string | null;
    metadata: Readonly<Record<string, string>>;
  };
  transaction: {
    /** The `acr_values` of the request, parsed (RFC 6749 3.3 style: space-separated), in order. */
    acrValues: readonly string[];
    requestedScopes: readonly string[];
    redirectUri: string | null;
    protocol: PostLoginProtocol;
    uiLocales: readonly string[];
  };
  request: {
    ip: string;
    userAgent: string | null;
    hostname: string;
    /** The query (or form) parameters of the authorization request exactly as sent. */
    query: Readonly<Record<string, string>>;
    /** Where `ip` is, from the local GeoIP database; `{}` when it can not be placed. */
    geoip: RequestGeoip;
  };
  /** The provider's name for itself: the issuer's host name. */
  tenantId: string;
  /** The API the request asks a token for (its `resource` indicator), or null. */
  resourceServer: string | null;
  /**
   * The browser session the login continues, or null: on a browser's first sign-in the session is
   * created after the Actions run, and a refresh has none. `authenticatedAt` is its latest proof.
   */
  session: { id: string; authenticatedAt: number } | null;
  /** The methods proven in this session, oldest first (`pwd`, `otp`, …). */
  authenticationMethods: readonly { name: string; at: number }[];
  loginsCount: number;
}

/** A value an Action may read from `event`: what `buildPostLoginEvent` returns (JSON only). */
export interface PostLoginEvent {
  user: {
    user_id: string;
    username: string;
    email: string | null;
    email_verified: boolean;
    name: string | null;
    app_metadata: JsonObject;
    user_metadata: JsonObject;
    enrolledFactors: { type: PostLoginFactorType }[];
    /** Auth0's older list of enrolled MFA provider names (`google-authenticator`, `guardian`, …). */
    multifactor: string[];
    /** ISO 8601. */
    created_at: string;
    /** The one identity a person has here: the password database (`event.connection`). */
    identities: { provider: 'auth0'; connection: string; user_id: string; isSocial: false }[];
  };
  client: { client_id: string; name: string | null; metadata: Record<string, string> };
  /**
   * The person's roles. Always present, `[]` without any: a rule guarded with
   * `event.authorization?.roles.includes('admin')` must see the roles, never skip silently.
   */
  authorization: { roles: string[] };
  transaction: {
    /**
     * The requested acr values as ONE string: the values joined by a single space, `''` when the
     * request had none. See `buildPostLoginEvent` for why a string; array idioms on it are refused at
     * deploy in favour of `acr_values_list`.
     */
    acr_values: string;
    /** The requested acr values as a list, `[]` when the request had none. */
    acr_values_list: string[];
    requested_scopes: string[];
    redirect_uri?: string;
    protocol: PostLoginProtocol;
    ui_locales: string[];
    locale: string;
  };
  request: {
    ip: string;
    user_agent?: string;
    hostname: string;
    query: Record<string, string>;
    geoip: RequestGeoip;
  };
  /** The one place people sign in from: the password database. */
  connection: { id: string; name: string; strategy: string; metadata: Record<string, string> };
  tenant: { id: string };
  /** Present when the request names an API (`resource`). */
  resource_server?: { identifier: string };
  /**
   * Never present: Stepup has no organizations, and Auth0 too leaves the field out of a login
   * without one — so `event.organization?.id` is undefined and `event.organization.id` throws.
   */
  organization?: { id: string; name: string };
  /** Present when the login continues a browser session (see `PostLoginInput.session`). */
  session?: {
    id: string;
    authenticated_at: string;
    device: { last_ip: string; last_user_agent?: string };
  };
  authentication: { methods: { name: string; timestamp: string }[] };
  stats: { logins_count: number };
  secrets: Record<string, string>;
}

/**
 * Fields of Auth0's post-login event that Stepup does not fill, as paths below `event`. A rule that
 * reads one would see `undefined` where Auth0 gives a value — `if (event.authentication
 * ?.riskAssessment?.confidence === 'low') api.multifactor.enable('any')` would never ask for MFA —
 * so a deploy refuses any read of them (`check-action-source.ts`). Fields Auth0 itself leaves out
 * of some logins (`organization`, `session`, `resource_server`) are not here: a guard on them
 * behaves as on Auth0 for such a login.
 */
export const UNPROVIDED_EVENT_FIELDS = [
  'authentication.riskAssessment',
  'security_context',
  'refresh_token',
  'user.last_password_reset',
  'user.phone_number',
  'user.phone_verified',
  'request.asn',
  'request.geoip.cityName',
  'request.geoip.countryCode3',
  'request.geoip.latitude',
  'request.geoip.longitude',
  'request.geoip.subdivisionCode',
  'request.geoip.subdivisionName',
  'request.geoip.timeZone',
  'session.created_at',
  'session.updated_at',
  'session.expires_at',
  'session.idle_expires_at',
  'session.last_interacted_at',
  'session.clients',
  'session.device.initial_ip',
  'session.device.initial_user_agent',
  'session.device.initial_asn',
  'session.device.last_asn',
] as const;

/**
 * `event.connection`: people sign in with the provider's own password database, which Auth0 calls a
 * database connection (`strategy: 'auth0'`); the name is Auth0's default one, so rules that test it
 * keep working.
 */
export const PASSWORD_CONNECTION = {
  id: 'con_password',
  name: 'Username-Password-Authentication',
  strategy: 'auth0',
} as const;

const LEGACY_PROVIDER_NAMES: Record<PostLoginFactorType, string> = {
  otp: 'google-authenticator',
  'push-notification': 'guardian',
  email: 'email',
  'webauthn-platform': 'webauthn-platform',
  'webauthn-roaming': 'webauthn-roaming',
  'recovery-code': 'recovery-code',
};

/**
 * Builds the `event` one Action sees, from the login's data and that Action's own secrets. Pure; the
 * sandbox receives a deep-frozen copy, so no Action can change what a later one sees.
 *
 * **`event.transaction.acr_values` is a string.** The seed's Action compares it with `===` to
 * `'http://schemas.openid.net/pape/policies/2007/06/multi-factor'`, which only a primitive string can
 * satisfy, and `===` can not be overloaded, not even in our own realm. So the value is the requested
 * values joined by one space (whitespace as sent is normalised), and `''` when the request had none.
 * Auth0 types it as a list of strings; on a string, `.includes` would test a substring
 * (`'urn:acr:mfa-strong'.includes('urn:acr:mfa')`), `.length` would count characters and `.some`,
 * `.map` would not exist. A deploy therefore refuses those idioms on `acr_values` with a message
 * naming `event.transaction.acr_values_list`, the same values as a real array, where they behave as
 * on Auth0 (`check-action-source.ts`). The raw parameter stays in `event.request.query.acr_values`.
 */
export function buildPostLoginEvent(
  input: PostLoginInput,
  secrets: Readonly<Record<string, string>>,
): PostLoginEvent {
  const acrValuesList = input.transaction.acrValues.flatMap((value) => value.split(/\s+/)).filter(Boolean);
  return {
    user: {
      user_id: input.user.id,
      username: input.user.username,
      email: input.user.email,
      email_verified: input.user.emailVerified,
      name: input.user.name,
      app_metadata: structuredClone(input.user.appMetadata),
      user_metadata: structuredClone(input.user.userMetadata),
      enrolledFactors: input.user.enrolledFactors.map((type) => ({ type })),
      multifactor: [...new Set(input.user.enrolledFactors.map((type) => LEGACY_PROVIDER_NAMES[type]))],
      created_at: new Date(input.user.createdAt * 1000).toISOString(),
      identities: [
        { provider: 'auth0', connection: PASSWORD_CONNECTION.name, user_id: input.user.id, isSocial: false },
      ],
    },
    client: {
      client_id: input.client.clientId,
      name: input.client.name,
      metadata: { ...input.client.metadata },
    },
    authorization: { roles: [...input.user.roles] },
    transaction: {
      acr_values: acrValuesList.join(' '),
      acr_values_list: acrValuesList,
      requested_scopes: [...input.transaction.requestedScopes],
      ...(input.transaction.redirectUri === null ? {} : { redirect_uri: input.transaction.redirectUri }),
      protocol: input.transaction.protocol,
      ui_locales: [...input.transaction.uiLocales],
      locale: input.transaction.uiLocales[0] ?? 'en',
    },
    request: {
      ip: input.request.ip,
      ...(input.request.userAgent === null ? {} : { user_agent: input.request.userAgent }),
      hostname: input.request.hostname,
      query: { ...input.request.query },
      geoip: { ...input.request.geoip },
    },
    connection: { ...PASSWORD_CONNECTION, metadata: {} },
    tenant: { id: input.tenantId },
    ...(input.resourceServer === null ? {} : { resource_server: { identifier: input.resourceServer } }),
    ...(input.session === null
      ? {}
      : {
          session: {
            id: input.session.id,
            authenticated_at: new Date(input.session.authenticatedAt * 1000).toISOString(),
            device: {
              last_ip: input.request.ip,
              ...(input.request.userAgent === null ? {} : { last_user_agent: input.request.userAgent }),
            },
          },
        }),
    authentication: {
      methods: input.authenticationMethods.map((method) => ({
        name: method.name,
        timestamp: new Date(method.at * 1000).toISOString(),
      })),
    },
    stats: { logins_count: input.loginsCount },
    secrets: { ...secrets },
  };
}

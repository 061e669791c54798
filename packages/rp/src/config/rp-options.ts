import { type AcrLadder, DEFAULT_ACR_LADDER } from '@stepup/core';
import {
  algorithmOfKey,
  type ClientAssertionAlgorithm,
  type PrivateKeyJwtClientAuth,
} from '../client-auth/private-key-jwt.ts';
import type { DpopAlgorithm } from '../dpop/session-dpop-key.ts';
import type { StepupRpError } from '../errors.ts';
import {
  type AsymmetricJwsAlgorithm,
  isAsymmetricAlgorithm,
  isSymmetricAlgorithm,
  type SymmetricJwsAlgorithm,
} from '../jwt/jws-algorithms.ts';
import type { ErrorPage } from '../pages/sign-in-error.ts';
import { type ResolvedPolicy, resolveNamedPolicies, type StepUpPolicy } from '../policy/step-up-policy.ts';
import type { SessionStore } from '../session/session-store.ts';
import { createMemoryUsedStateStore, type UsedStateStore } from '../transaction/used-state-store.ts';

/**
 * Settings of {@link createStepupRp}. Checked once at start-up: a bad value throws a `TypeError`
 * naming the setting and what is allowed.
 *
 * @example
 * ```ts
 * const options: StepupRpOptions = {
 *   issuer: 'https://idp.example.com',
 *   clientId: 'salary',
 *   clientSecret: process.env.CLIENT_SECRET,
 *   baseUrl: 'https://salary.example.com',
 *   sessionSecret: process.env.SESSION_SECRET ?? '',
 *   policies: { salary: { amr: ['mfa'] } },
 * };
 * ```
 */
export interface StepupRpOptions {
  /** The provider's issuer identifier; discovery reads `<issuer>/.well-known/openid-configuration`. */
  issuer: string;
  clientId: string;
  /** A confidential client's secret (`client_secret_basic`); omit for a public client (PKCE only). */
  clientSecret?: string;
  /** How the client authenticates at the token endpoint. Default `client_secret_basic` with a secret, else `none`. */
  tokenEndpointAuthMethod?: 'client_secret_basic' | 'client_secret_post' | 'none';
  /**
   * Client authentication with a key instead of a secret (`private_key_jwt`, RFC 7523); then no
   * `clientSecret`. Used at the token endpoint and the pushed authorization request endpoint.
   */
  clientAuth?: PrivateKeyJwtClientAuth;
  /**
   * Signs every authorization request as a request object (RFC 9101) with this key; the provider
   * holds the public key in the client's JWKS. With PAR the request object is pushed, else it travels
   * by value: either way `acr_values`, `max_age` and `prompt` are inside it, out of the browser's reach.
   */
  requestObject?: { key: CryptoKey; kid?: string; alg?: ClientAssertionAlgorithm };
  /**
   * DPoP (RFC 9449): each session gets its own key, and its access and refresh tokens are bound to
   * it. Needs a `sessionStore`: the private key stays on the server. Default algorithm `ES256`.
   */
  dpop?: { alg?: DpopAlgorithm };
  /** The application's public origin, e.g. `https://salary.example.com`; routes are paths on it. */
  baseUrl: string;
  /** At least 32 bytes (a string of 32+ characters); encrypts the session and transaction cookies. */
  sessionSecret: string | Uint8Array;
  /**
   * The algorithm ID tokens are signed with, pinned: an asymmetric one verified with the provider's
   * JWKS (default `RS256`), or `HS256`/`HS384`/`HS512` with the client secret. Never `none`.
   */
  idTokenSigningAlg?: AsymmetricJwsAlgorithm | SymmetricJwsAlgorithm;
  /** Default `openid`. Add `offline_access` for refresh tokens. */
  scope?: string;
  /** An API (RFC 8707 resource indicator) the access token should be for. */
  resource?: string;
  /** Extra authorization request parameters, e.g. `{ audience: '…' }` for Auth0. */
  authorizationParams?: Record<string, string>;
  /** Named policies for `requireStepUp('name')`. */
  policies?: Record<string, StepUpPolicy>;
  ladder?: AcrLadder;
  /** Seconds of clock difference tolerated on token times and `max_age`. Default 30, at most 300. */
  clockSkew?: number;
  /** Seconds since the epoch. */
  clock?: () => number;
  /** Paths of the mounted routes. Defaults `/auth/login`, `/auth/callback`, `/auth/logout`. */
  routes?: { login?: string; callback?: string; logout?: string };
  /** Where the provider sends the person after logout; must be registered there. Default `/`. */
  postLogoutRedirectPath?: string;
  /** How long a session lasts from sign-in, in seconds. Default 12 hours. */
  sessionTtl?: number;
  /** How long a login attempt may take, in seconds. Default 10 minutes. */
  transactionTtl?: number;
  /** Cookie name prefix. Default `stepup`. */
  cookieName?: string;
  /** Server-side session storage; by default the session lives in an encrypted cookie. */
  sessionStore?: SessionStore;
  /**
   * Where completed logins' `state` values are kept to refuse a replayed callback; share one between
   * app nodes. Default in memory, per process. See {@link UsedStateStore}.
   */
  usedStateStore?: UsedStateStore;
  /** Audiences besides the client that an ID token may list. Default none. */
  trustedAudiences?: string[];
  /** ID tokens longer than this are refused before parsing. Default 16384 characters. */
  maxTokenLength?: number;
  /** Allows a plain-http issuer (and a plain-http `baseUrl` off localhost): development and tests only. */
  allowInsecureRequests?: boolean;
  fetch?: typeof fetch;
  /** Called with every protocol failure, for logs; the error's `detail` is meant for it. */
  onError?: (error: StepupRpError, request: Request) => void;
  /**
   * The app's own page for a sign-in or step-up that ends at the callback without a session — the
   * loop guard's 403 among them — instead of the built-in one. See {@link ErrorPage}.
   */
  errorPage?: ErrorPage;
}

/** The options after checking, with defaults filled in. */
export interface CheckedRpOptions {
  issuer: string;
  clientId: string;
  clientSecret: string | undefined;
  tokenEndpointAuthMethod: 'client_secret_basic' | 'client_secret_post' | 'none' | 'private_key_jwt';
  clientAuth: { key: CryptoKey; kid?: string; alg: ClientAssertionAlgorithm } | undefined;
  requestObject: { key: CryptoKey; kid?: string; alg: ClientAssertionAlgorithm } | undefined;
  dpop: { alg: DpopAlgorithm } | undefined;
  baseUrl: URL;
  secure: boolean;
  sessionSecret: Uint8Array;
  idTokenSigningAlg: AsymmetricJwsAlgorithm | SymmetricJwsAlgorithm;
  scope: string;
  resource: string | undefined;
  authorizationParams: Record<string, string>;
  policies: ReadonlyMap<string, ResolvedPolicy>;
  ladder: AcrLadder;
  clockSkew: number;
  clock: () => number;
  routes: { login: string; callback: string; logout: string };
  redirectUri: string;
  postLogoutRedirectUri: string;
  sessionTtl: number;
  transactionTtl: number;
  cookieName: string;
  sessionStore: SessionStore | undefined;
  usedStateStore: UsedStateStore;
  trustedAudiences: readonly string[];
  maxTokenLength: number;
  allowInsecureRequests: boolean;
  fetch: typeof fetch;
  onError: (error: StepupRpError, request: Request) => void;
  errorPage: ErrorPage | undefined;
}

/** Parameters this package sets itself; `authorizationParams` may not override them. */
const RESERVED_PARAMS = [
  'client_id',
  'redirect_uri',
  'response_type',
  'scope',
  'state',
  'nonce',
  'code_challenge',
  'code_challenge_method',
  'acr_values',
  'max_age',
  'prompt',
  'resource',
  'request',
  'request_uri',
];
const LOOPBACK = ['localhost', '127.0.0.1', '[::1]'];
const PATH = /^\/[\w\-./~]*$/;

function fail(setting: string, problem: string): never {
  throw new TypeError(`@stepup/rp: ${setting} ${problem}`);
}

function integerIn(setting: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    fail(setting, `must be an integer from ${min} to ${max}`);
  }
  return value;
}

function checkSigningKey(
  setting: string,
  value: { key?: unknown; kid?: unknown; alg?: ClientAssertionAlgorithm },
): { key: CryptoKey; kid?: string; alg: ClientAssertionAlgorithm } {
  const key = value?.key;
  if (!(key instanceof CryptoKey) || key.type !== 'private') {
    fail(`${setting}.key`, 'must be a private CryptoKey (jose importPKCS8, importJWK or generateKeyPair)');
  }
  const alg = value.alg ?? algorithmOfKey(key);
  if (alg === undefined || algorithmOfKey(key) !== alg) {
    fail(`${setting}.alg`, 'must match the key: ES256, ES384, PS256, PS384, RS256 or EdDSA');
  }
  if (value.kid !== undefined && (typeof value.kid !== 'string' || value.kid === '')) {
    fail(`${setting}.kid`, 'must be a non-empty string when set');
  }
  return { key, alg, ...(value.kid === undefined ? {} : { kid: value.kid as string }) };
}

function checkPath(setting: string, value: unknown): string {
  if (typeof value !== 'string' || !PATH.test(value) || value.includes('//'))
    fail(setting, 'must be an absolute path like /auth/login');
  return value;
}

/** Validates the options once and fills in the defaults (they live here and nowhere else). */
export function checkRpOptions(options: StepupRpOptions): CheckedRpOptions {
  if (typeof options !== 'object' || options === null)
    throw new TypeError('@stepup/rp: options are required');
  const allowInsecureRequests = options.allowInsecureRequests === true;
  const issuerUrl = typeof options.issuer === 'string' ? URL.parse(options.issuer) : null;
  if (issuerUrl === null) fail('issuer', 'must be an absolute URL');
  if (issuerUrl.protocol !== 'https:' && !(issuerUrl.protocol === 'http:' && allowInsecureRequests)) {
    fail('issuer', 'must be https (allowInsecureRequests permits http, for development only)');
  }
  if (typeof options.clientId !== 'string' || options.clientId === '')
    fail('clientId', 'must be a non-empty string');
  const clientSecret = options.clientSecret;
  if (clientSecret !== undefined && (typeof clientSecret !== 'string' || clientSecret === '')) {
    fail('clientSecret', 'must be a non-empty string when set');
  }
  const clientAuth =
    options.clientAuth === undefined ? undefined : checkSigningKey('clientAuth', options.clientAuth);
  if (clientAuth !== undefined) {
    if (options.clientAuth?.method !== 'private_key_jwt')
      fail('clientAuth.method', 'must be private_key_jwt');
    if (clientSecret !== undefined) fail('clientAuth', 'replaces clientSecret: set one of them');
    if (options.tokenEndpointAuthMethod !== undefined)
      fail('tokenEndpointAuthMethod', 'must be unset with clientAuth');
  }
  const tokenEndpointAuthMethod =
    clientAuth !== undefined
      ? 'private_key_jwt'
      : (options.tokenEndpointAuthMethod ?? (clientSecret ? 'client_secret_basic' : 'none'));
  if (
    !['client_secret_basic', 'client_secret_post', 'none', 'private_key_jwt'].includes(
      tokenEndpointAuthMethod,
    )
  ) {
    fail('tokenEndpointAuthMethod', 'must be client_secret_basic, client_secret_post or none');
  }
  if (tokenEndpointAuthMethod === 'private_key_jwt' && clientAuth === undefined) {
    fail('tokenEndpointAuthMethod', 'private_key_jwt is set with clientAuth: { method, key }');
  }
  if (clientAuth === undefined && (tokenEndpointAuthMethod === 'none') !== (clientSecret === undefined)) {
    fail('tokenEndpointAuthMethod', 'needs clientSecret exactly when it is not none');
  }
  const requestObject =
    options.requestObject === undefined ? undefined : checkSigningKey('requestObject', options.requestObject);
  let dpop: { alg: DpopAlgorithm } | undefined;
  if (options.dpop !== undefined) {
    const alg = options.dpop?.alg ?? 'ES256';
    if (!['ES256', 'EdDSA', 'PS256'].includes(alg)) fail('dpop.alg', 'must be ES256, EdDSA or PS256');
    if (options.sessionStore === undefined) {
      fail(
        'dpop',
        'needs a sessionStore: the session keeps the DPoP private key, which must not go to the browser',
      );
    }
    dpop = { alg };
  }

  const baseUrl = typeof options.baseUrl === 'string' ? URL.parse(options.baseUrl) : null;
  if (baseUrl === null || baseUrl.pathname !== '/' || baseUrl.search || baseUrl.hash) {
    fail('baseUrl', 'must be an origin such as https://app.example.com (no path, query or fragment)');
  }
  const secure = baseUrl.protocol === 'https:';
  if (
    !secure &&
    !(baseUrl.protocol === 'http:' && (LOOPBACK.includes(baseUrl.hostname) || allowInsecureRequests))
  ) {
    fail('baseUrl', 'must be https (plain http only on localhost, or with allowInsecureRequests)');
  }

  const secret =
    typeof options.sessionSecret === 'string'
      ? new TextEncoder().encode(options.sessionSecret)
      : options.sessionSecret;
  if (!(secret instanceof Uint8Array) || secret.byteLength < 32) {
    fail('sessionSecret', 'must be at least 32 bytes (e.g. `openssl rand -base64 32`)');
  }

  const idTokenSigningAlg = options.idTokenSigningAlg ?? 'RS256';
  if (!isAsymmetricAlgorithm(idTokenSigningAlg) && !isSymmetricAlgorithm(idTokenSigningAlg)) {
    fail('idTokenSigningAlg', 'must be an asymmetric JWS algorithm or HS256/HS384/HS512 (never none)');
  }
  if (isSymmetricAlgorithm(idTokenSigningAlg)) {
    // RFC 7518 3.2: an HMAC key at least as long as the hash output.
    const bytes = Number(idTokenSigningAlg.slice(2)) / 8;
    if (clientSecret === undefined || new TextEncoder().encode(clientSecret).byteLength < bytes) {
      fail('idTokenSigningAlg', `${idTokenSigningAlg} needs a clientSecret of at least ${bytes} bytes`);
    }
  }

  const scope = options.scope ?? 'openid';
  if (typeof scope !== 'string' || !scope.split(' ').includes('openid')) fail('scope', 'must include openid');
  if (
    options.resource !== undefined &&
    (typeof options.resource !== 'string' || URL.parse(options.resource) === null)
  ) {
    fail('resource', 'must be an absolute URI (RFC 8707)');
  }
  const authorizationParams = { ...(options.authorizationParams ?? {}) };
  for (const [name, value] of Object.entries(authorizationParams)) {
    if (RESERVED_PARAMS.includes(name)) fail(`authorizationParams.${name}`, 'is set by @stepup/rp itself');
    if (typeof value !== 'string') fail(`authorizationParams.${name}`, 'must be a string');
  }

  const ladder = options.ladder ?? DEFAULT_ACR_LADDER;
  const routes = {
    login: checkPath('routes.login', options.routes?.login ?? '/auth/login'),
    callback: checkPath('routes.callback', options.routes?.callback ?? '/auth/callback'),
    logout: checkPath('routes.logout', options.routes?.logout ?? '/auth/logout'),
  };
  const postLogoutRedirectPath = checkPath('postLogoutRedirectPath', options.postLogoutRedirectPath ?? '/');
  const cookieName = options.cookieName ?? 'stepup';
  if (typeof cookieName !== 'string' || !/^[A-Za-z0-9_-]{1,32}$/.test(cookieName)) {
    fail('cookieName', 'must be 1 to 32 letters, digits, _ or -');
  }
  const trustedAudiences = options.trustedAudiences ?? [];
  if (!Array.isArray(trustedAudiences) || !trustedAudiences.every((value) => typeof value === 'string')) {
    fail('trustedAudiences', 'must be an array of strings');
  }
  const clock = options.clock ?? (() => Math.floor(Date.now() / 1000));
  if (typeof clock !== 'function') fail('clock', 'must be a function returning seconds since the epoch');
  const usedStateStore = options.usedStateStore ?? createMemoryUsedStateStore({ clock });
  if (
    typeof usedStateStore !== 'object' ||
    usedStateStore === null ||
    typeof usedStateStore.consume !== 'function'
  ) {
    fail('usedStateStore', 'must have a consume(state, expiresAt) method');
  }
  if (options.errorPage !== undefined && typeof options.errorPage !== 'function') {
    fail('errorPage', 'must be a function returning an HTML string or a Response');
  }

  return {
    issuer: options.issuer,
    clientId: options.clientId,
    clientSecret,
    tokenEndpointAuthMethod,
    clientAuth,
    requestObject,
    dpop,
    baseUrl,
    secure,
    sessionSecret: secret,
    idTokenSigningAlg,
    scope,
    resource: options.resource,
    authorizationParams,
    policies: resolveNamedPolicies(options.policies, ladder),
    ladder,
    clockSkew: integerIn('clockSkew', options.clockSkew ?? 30, 0, 300),
    clock,
    routes,
    redirectUri: `${baseUrl.origin}${routes.callback}`,
    postLogoutRedirectUri: `${baseUrl.origin}${postLogoutRedirectPath}`,
    sessionTtl: integerIn('sessionTtl', options.sessionTtl ?? 12 * 3600, 60, 400 * 24 * 3600),
    transactionTtl: integerIn('transactionTtl', options.transactionTtl ?? 600, 30, 3600),
    cookieName,
    sessionStore: options.sessionStore,
    usedStateStore,
    trustedAudiences: [...trustedAudiences],
    maxTokenLength: integerIn('maxTokenLength', options.maxTokenLength ?? 16_384, 1024, 1_048_576),
    allowInsecureRequests,
    fetch: options.fetch ?? fetch,
    onError: options.onError ?? (() => {}),
    errorPage: options.errorPage,
  };
}

import * as oidc from 'openid-client';
import { privateKeyJwt } from './client-auth/private-key-jwt.ts';
import type { CheckedRpOptions } from './config/rp-options.ts';
import { StepupRpError } from './errors.ts';
import type { IdTokenExpectations, IdTokenKey } from './id-token/validate-id-token.ts';
import { isSymmetricAlgorithm } from './jwt/jws-algorithms.ts';
import { RemoteKeySet } from './jwt/remote-key-set.ts';
import { Sealer } from './session/sealed-value.ts';
import { SessionCookie } from './session/session-cookie.ts';
import { TransactionCookies } from './transaction/login-transaction.ts';
import type { UsedStateStore } from './transaction/used-state-store.ts';

/** Everything the routes and guards share, assembled once by `createStepupRp`. */
export interface RpContext {
  options: CheckedRpOptions;
  /** The provider's metadata, as discovered at start-up. */
  server: oidc.ServerMetadata;
  /** openid-client's configuration for building URLs; token requests each get their own (see `protocolClient`). */
  client: oidc.Configuration;
  idTokenKey: IdTokenKey;
  sessions: SessionCookie;
  transactions: TransactionCookies;
  usedStates: UsedStateStore;
}

function clientAuthentication(options: CheckedRpOptions): oidc.ClientAuth {
  if (options.clientAuth !== undefined)
    return privateKeyJwt(options.clientAuth, options.clientId, options.clock);
  if (options.clientSecret === undefined) return oidc.None();
  return options.tokenEndpointAuthMethod === 'client_secret_post'
    ? oidc.ClientSecretPost(options.clientSecret)
    : oidc.ClientSecretBasic(options.clientSecret);
}

function clientMetadata(options: CheckedRpOptions): Partial<oidc.ClientMetadata> {
  return {
    id_token_signed_response_alg: options.idTokenSigningAlg,
    [oidc.clockTolerance]: options.clockSkew,
    // openid-client judges times by its own clock: align it with the injected one.
    [oidc.clockSkew]: options.clock() - Math.floor(Date.now() / 1000),
  };
}

/**
 * An openid-client configuration for one token request. `inspect` sees the token endpoint's JSON
 * before openid-client processes it, so this package's own ID token validation runs first and its
 * error codes are the ones reported; openid-client's checks follow as a second line.
 */
export function protocolClient(
  context: RpContext,
  inspect: (body: Record<string, unknown>) => Promise<void>,
): oidc.Configuration {
  const { options, server } = context;
  const config = new oidc.Configuration(
    server,
    options.clientId,
    clientMetadata(options),
    clientAuthentication(options),
  );
  if (options.allowInsecureRequests) oidc.allowInsecureRequests(config);
  const tokenEndpoint =
    server.token_endpoint === undefined ? undefined : URL.parse(server.token_endpoint)?.href;
  config[oidc.customFetch] = async (url, init) => {
    const response = await options.fetch(url, init as RequestInit);
    if (tokenEndpoint !== undefined && URL.parse(url)?.href === tokenEndpoint && response.ok) {
      let body: unknown;
      try {
        body = await response.clone().json();
      } catch {
        body = undefined;
      }
      if (typeof body === 'object' && body !== null && !Array.isArray(body)) {
        await inspect(body as Record<string, unknown>);
      }
    }
    return response;
  };
  return config;
}

/**
 * What every ID token from the provider must meet, judged by the clock at the time of the call; a login
 * adds its `nonce` and `max_age`.
 */
export function idTokenExpectations(context: RpContext): IdTokenExpectations {
  const { options } = context;
  return {
    issuer: context.server.issuer,
    clientId: options.clientId,
    trustedAudiences: options.trustedAudiences,
    key: context.idTokenKey,
    now: options.clock(),
    skew: options.clockSkew,
    maxTokenLength: options.maxTokenLength,
  };
}

/** openid-client wraps what a custom fetch throws; this package's own errors are found in the causes. */
export function unwrapProtocolError(error: unknown, fallback: StepupRpError['code']): StepupRpError {
  for (let current: unknown = error, depth = 0; current instanceof Error && depth < 5; depth++) {
    if (current instanceof StepupRpError) return current;
    current = current.cause;
  }
  const refusedClient = clientAuthenticationRefusal(error);
  if (refusedClient !== undefined) {
    // RFC 6749 5.2: the app's own credentials, not the person's sign-in, are what failed.
    return new StepupRpError(
      'client_authentication_failed',
      'The provider did not accept this app’s client credentials (invalid_client): its client secret is wrong or missing.',
      {
        detail: `invalid_client: ${refusedClient || 'client authentication failed'} (check clientSecret, and the client's token_endpoint_auth_method at the provider)`,
        cause: error,
      },
    );
  }
  if (error instanceof oidc.ResponseBodyError) {
    return new StepupRpError(fallback, 'The provider refused the request.', {
      detail: `${error.error}: ${error.error_description ?? ''}`,
      cause: error,
    });
  }
  const detail =
    error instanceof Error
      ? `${error.name} ${(error as { code?: string }).code ?? ''}: ${error.message}`
      : String(error);
  return new StepupRpError(fallback, 'The provider answer could not be used.', { detail, cause: error });
}

/**
 * The provider's `error_description` (or '') when it answered `invalid_client`: in the JSON body, or,
 * when the client used HTTP Basic, in a `WWW-Authenticate` challenge (RFC 6749 5.2).
 */
function clientAuthenticationRefusal(error: unknown): string | undefined {
  if (error instanceof oidc.ResponseBodyError && error.error === 'invalid_client') {
    return error.error_description ?? '';
  }
  if (error instanceof oidc.WWWAuthenticateChallengeError) {
    const challenge = error.cause.find((entry) => entry.parameters.error === 'invalid_client');
    if (challenge !== undefined) return challenge.parameters.error_description ?? '';
  }
  return undefined;
}

/** Discovers the provider and assembles the shared context. */
export async function createRpContext(options: CheckedRpOptions): Promise<RpContext> {
  let client: oidc.Configuration;
  try {
    client = await oidc.discovery(
      new URL(options.issuer),
      options.clientId,
      clientMetadata(options),
      clientAuthentication(options),
      {
        execute: options.allowInsecureRequests ? [oidc.allowInsecureRequests] : [],
        [oidc.customFetch]: (url, init) => options.fetch(url, init as RequestInit),
        timeout: 10,
      },
    );
  } catch (cause) {
    throw new StepupRpError('discovery_failed', 'The provider metadata could not be loaded.', {
      detail: `${options.issuer}: ${cause instanceof Error ? cause.message : String(cause)}`,
      cause,
    });
  }
  const server = client.serverMetadata();
  // RFC 9126 5: a provider that requires PAR must say where to push.
  if (
    server.require_pushed_authorization_requests === true &&
    server.pushed_authorization_request_endpoint === undefined
  ) {
    throw new StepupRpError('discovery_failed', 'The provider requires PAR but has no PAR endpoint.');
  }
  const supported = server.id_token_signing_alg_values_supported;
  if (Array.isArray(supported) && !supported.includes(options.idTokenSigningAlg)) {
    throw new TypeError(
      `@stepup/rp: idTokenSigningAlg ${options.idTokenSigningAlg} is not one the provider supports (${supported.join(', ')})`,
    );
  }

  let idTokenKey: IdTokenKey;
  if (isSymmetricAlgorithm(options.idTokenSigningAlg)) {
    idTokenKey = { alg: options.idTokenSigningAlg, secret: new TextEncoder().encode(options.clientSecret) };
  } else {
    const jwksUri = server.jwks_uri === undefined ? null : URL.parse(server.jwks_uri);
    if (jwksUri === null)
      throw new StepupRpError('discovery_failed', 'The provider metadata has no jwks_uri.');
    const keySet = new RemoteKeySet(jwksUri, { fetch: options.fetch, clock: options.clock });
    await keySet.load();
    idTokenKey = { alg: options.idTokenSigningAlg, keySet };
  }

  return {
    options,
    server,
    client,
    idTokenKey,
    sessions: new SessionCookie({
      sealer: new Sealer(options.sessionSecret, 'session'),
      ...(options.sessionStore ? { store: options.sessionStore } : {}),
      name: options.cookieName,
      secure: options.secure,
      clock: options.clock,
    }),
    transactions: new TransactionCookies({
      sealer: new Sealer(options.sessionSecret, 'transaction'),
      cookieName: options.cookieName,
      callbackPath: options.routes.callback,
      secure: options.secure,
      ttl: options.transactionTtl,
      clock: options.clock,
    }),
    usedStates: options.usedStateStore,
  };
}

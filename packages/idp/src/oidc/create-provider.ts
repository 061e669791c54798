import { type AcrLadder, acrTimeClaimName, type MethodName } from '@stepup/core';
import Provider, {
  type Configuration,
  errors,
  interactionPolicy,
  type KoaContextWithOIDC,
} from 'oidc-provider';
import type { Logger } from 'pino';
import { accountClientMetadata } from '../account/account-client.ts';
import { createFindAccount } from '../accounts/find-account.ts';
import type { LoginActions } from '../actions/login-actions.ts';
import { isClientApiScopes, legacyClientScopes } from '../admin/client-api-scopes.ts';
import {
  ALLOWED_SCOPES_METADATA,
  DASHBOARD_CLIENT_ID,
  managementApiIdentifier,
} from '../admin/management-api-identity.ts';
import {
  isPreviousClientSecret,
  PREVIOUS_SECRET_METADATA,
} from '../client-secrets/previous-client-secret.ts';
import type { StepupConfig } from '../config/config-schema.ts';
import { pinProviderOriginToIssuer } from '../http/issuer-origin.ts';
import { useRequestClientAddress } from '../http/trusted-proxies.ts';
import { renderErrorPage } from '../interaction/views/error-page.ts';
import { renderLogoutConfirmPage, renderLogoutSuccessPage } from '../interaction/views/logout-pages.ts';
import type { AuthEventLogger } from '../log/auth-events.ts';
import type { RememberedBrowsers } from '../remember-browser/remembered-browsers.ts';
import type { Store } from '../store/store.ts';
import { ClientSecretThrottle } from '../throttle/client-secret-throttle.ts';
import { createExtraTokenClaims } from './access-token-claims.ts';
import { addAcrTimeToIdTokens } from './acr-time-claim.ts';
import { assertClaimsParameter } from './assert-claims-parameter.ts';
import type { AuthorizationDetailTypesRegistry } from './authorization-detail-types-registry.ts';
import { withAuthorizationDetailTypesShown } from './authorization-detail-types-view.ts';
import { carryLoginFacts } from './carried-login-facts.ts';
import { SECRET_DIGEST_METADATA, withClientSecretsShown } from './client-secret-view.ts';
import {
  assertClientAssertionAlgorithm,
  CLIENT_PROFILE_METADATA,
  clientProfileOf,
  enforceClientSecurityProfile,
  FAPI2_MAX_CODE_TTL_SECONDS,
  fapiProfileOf,
} from './client-security-profile.ts';
import { createLoginCompletion } from './complete-login.ts';
import { CustomTokenClaims } from './custom-token-claims.ts';
import { describeProviderError } from './describe-provider-error.ts';
import { addAuthorizationDetailsToIdTokens } from './id-token-authorization-details.ts';
import { addCustomClaimsToIdTokens } from './id-token-custom-claims.ts';
import type { ProviderKeys } from './provider-keys.ts';
import { PROVIDER_ROUTES } from './provider-routes.ts';
import { runRefreshTokenActions } from './refresh-token-actions.ts';
import { allowRefreshTokenRetries } from './refresh-token-retries.ts';
import { refreshTokenReuseOf } from './refresh-token-reuse.ts';
import { assertRequestObjectClaims } from './request-object-claims.ts';
import { createResourceIndicators } from './resource-indicators.ts';
import {
  richAuthorizationRequestsFeature,
  useAuthorizationDetailTypes,
} from './rich-authorization-requests.ts';
import { shareReplayDetection } from './shared-replay-detection.ts';
import { createStepUpCheck } from './step-up-check.ts';
import { verifyClientSecrets } from './verify-client-secret.ts';

export interface ProviderDependencies {
  /** The operator's `authorization_details` types, kept across provider instances (key rotation). */
  authorizationDetailTypes: AuthorizationDetailTypesRegistry;
  /** The post-login Actions, run by the step-up check for logins that show no page. */
  loginActions?: LoginActions;
  enrolledMethods?: (accountId: string) => Promise<MethodName[]>;
  /** "Remember this browser", for logins that show no page. */
  rememberedBrowsers?: RememberedBrowsers;
  config: StepupConfig;
  ladder: AcrLadder;
  store: Store;
  keys: ProviderKeys;
  logger: Logger;
  logAuthEvent: AuthEventLogger;
  clock: () => number;
  /** oidc-provider's outgoing requests (a client's jwks_uri); omitted: its own, which refuses private addresses. */
  outboundFetch?: typeof fetch;
}

/** Login-prompt checks oidc-provider ships that the step-up check replaces (it compares by rank). */
const REPLACED_CHECKS = ['max_age', 'essential_acrs', 'essential_acr'];

function createPolicy(deps: ProviderDependencies, customClaims: CustomTokenClaims) {
  const policy = interactionPolicy.base();
  const login = policy.get('login');
  if (!login) throw new Error('oidc-provider policy has no login prompt');
  for (const reason of REPLACED_CHECKS) login.checks.remove(reason);
  // The person approves authorization_details in the step-up that shows them, not on a consent page.
  policy.get('consent')?.checks.remove('rar_prompt');
  login.checks.add(
    createStepUpCheck({
      ladder: deps.ladder,
      authSessions: deps.store.authSessions,
      sessionTtl: deps.config.ttl.session,
      clock: deps.clock,
      logAuthEvent: deps.logAuthEvent,
      ...(deps.loginActions ? { loginActions: deps.loginActions } : {}),
      ...(deps.enrolledMethods ? { enrolledMethods: deps.enrolledMethods } : {}),
      completeLogin: createLoginCompletion({ customClaims, userMetadata: deps.store.userMetadata }),
      ...(deps.rememberedBrowsers ? { rememberedBrowsers: deps.rememberedBrowsers } : {}),
    }),
  );
  return policy;
}

export function createProvider(deps: ProviderDependencies): Provider {
  const { config, store, keys, ladder } = deps;
  const customClaims = new CustomTokenClaims({
    repository: store.customClaims,
    clock: deps.clock,
    grantTtl: config.ttl.refreshToken,
    logger: deps.logger,
  });
  const { loginActions } = deps;
  const { authorizationDetailTypes } = deps;
  const configuration: Configuration = {
    // Client secrets rest hashed or sealed; oidc-provider sees them as verify-client-secret.ts checks them.
    adapter: allowRefreshTokenRetries(
      withAuthorizationDetailTypesShown(
        withClientSecretsShown(store.oidcAdapter, keys.secretBox),
        authorizationDetailTypes,
      ),
      {
        reuseIntervalSeconds: config.refreshTokenReuseIntervalSeconds,
        clock: deps.clock,
      },
    ),
    // The account page signs people in and steps them up through this provider (account/account-client.ts).
    clients: [accountClientMetadata(config.issuer)],
    findAccount: createFindAccount(store.userManagement),
    acrValues: ladder.levels.map((level) => level.acr),
    // acr, amr and auth_time ride with the openid scope: every ID token says how the person signed in.
    claims: {
      sid: null,
      openid: ['sub', 'acr', 'amr', 'auth_time'],
      profile: ['name', 'preferred_username'],
      email: ['email', 'email_verified'],
    },
    // The API scopes a client may be granted (see createResourceIndicators); oidc-provider keeps
    // its own `scope` metadata for the OIDC scopes.
    extraClientMetadata: {
      properties: [
        ALLOWED_SCOPES_METADATA,
        PREVIOUS_SECRET_METADATA,
        SECRET_DIGEST_METADATA,
        CLIENT_PROFILE_METADATA,
      ],
      validator: (_ctx, key, value, metadata) => {
        if (key === CLIENT_PROFILE_METADATA) {
          enforceClientSecurityProfile(metadata, config.requestSecurity);
          return;
        }
        if (key === PREVIOUS_SECRET_METADATA && value !== undefined && !isPreviousClientSecret(value)) {
          throw new errors.InvalidClientMetadata(
            `${PREVIOUS_SECRET_METADATA} must be a secret's digest and its expiry`,
          );
        }
        if (key === SECRET_DIGEST_METADATA && value !== undefined && typeof value !== 'string') {
          throw new errors.InvalidClientMetadata(`${SECRET_DIGEST_METADATA} must be a digest`);
        }
        if (key !== ALLOWED_SCOPES_METADATA || value === undefined) return;
        // A flat list from before per-API grants grants nothing (see clientApiScopes), but the
        // client itself keeps working: refusing it here would break its sign-ins too. The provider
        // warns about it at start (warnLegacyClientScopes).
        if (legacyClientScopes({ [key]: value })) return;
        if (!isClientApiScopes(value)) {
          throw new errors.InvalidClientMetadata(
            `${ALLOWED_SCOPES_METADATA} must map each API (resource indicator) to an array of scopes`,
          );
        }
      },
    },
    clientDefaults: {
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      id_token_signed_response_alg: 'RS256',
      token_endpoint_auth_method: 'client_secret_basic',
    },
    // A fapi2 client's client assertion: PS256, ES256 or EdDSA only (client-security-profile.ts).
    assertJwtClientAuthClaimsAndHeader: assertClientAssertionAlgorithm,
    enabledJWA: {
      // PS256 and ES256 first for private_key_jwt; HS256 for client_secret_jwt (its secret rests sealed).
      clientAuthSigningAlgValues: ['PS256', 'ES256', 'EdDSA', 'RS256', 'HS256'],
      requestObjectSigningAlgValues: ['PS256', 'ES256', 'EdDSA', 'RS256', 'HS256'],
      dPoPSigningAlgValues: ['ES256', 'PS256', 'EdDSA'],
      idTokenSigningAlgValues: ['RS256', 'ES256', 'EdDSA', 'HS256'],
      userinfoSigningAlgValues: ['RS256', 'ES256', 'EdDSA', 'HS256'],
    },
    jwks: keys.signingJwks as Configuration['jwks'],
    cookies: {
      keys: keys.cookieKeys,
      long: { signed: true, httpOnly: true, sameSite: 'lax' },
      short: { signed: true, httpOnly: true, sameSite: 'lax' },
    },
    features: {
      devInteractions: { enabled: false },
      // RFC 9126: the request goes to the provider from the client's server, not through the browser.
      // Required per client (`require_pushed_authorization_requests`) or for every client
      // (`requestSecurity.requirePushedAuthorizationRequests`, applied by enforceClientSecurityProfile).
      pushedAuthorizationRequests: {
        enabled: true,
        requirePushedAuthorizationRequests: false,
        allowUnregisteredRedirectUris: false,
      },
      // RFC 9101: signed request objects, by value (`request`) or pushed; `request_uri` fetching is off.
      requestObjects: {
        enabled: true,
        requireSignedRequestObject: false,
        assertJwtClaimsAndHeader: assertRequestObjectClaims,
      },
      // RFC 9449: sender-constrained tokens; nonces derived from a secret every node shares, and each
      // proof's jti used once across nodes (shared-replay-detection.ts).
      dPoP: {
        enabled: true,
        nonceSecret: keys.dpopNonceSecret,
        requireNonce: () => config.requestSecurity.requireDpopNonce,
        allowReplay: false,
      },
      // oidc-provider's own FAPI 2.0 checks (PKCE, redirect_uri, assertion audience, request object
      // lifetime) for fapi2 clients; the profile's other rules are in client-security-profile.ts.
      fapi: { enabled: true, profile: fapiProfileOf },
      claimsParameter: { enabled: true, assertClaimsParameter },
      revocation: { enabled: true },
      // RFC 9396: the operator's authorization_details types (rich-authorization-requests.ts).
      richAuthorizationRequests: richAuthorizationRequestsFeature(),
      resourceIndicators: createResourceIndicators(store.resourceServers, {
        restrictedResource: managementApiIdentifier(config.issuer),
      }),
      // Machine clients of the management API (and other APIs): scopes limited per client.
      clientCredentials: { enabled: true },
      userinfo: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, form) => {
          ctx.type = 'html';
          ctx.body = renderLogoutConfirmPage({ form, ...clientNameOf(ctx) });
        },
        postLogoutSuccessSource: async (ctx) => {
          ctx.type = 'html';
          ctx.body = renderLogoutSuccessPage(clientNameOf(ctx));
        },
      },
    },
    pkce: {
      // RFC 9700 2.1.1: public clients must use PKCE (S256 is the only method oidc-provider offers).
      // FAPI 2.0 Security Profile 5.3.2.2-5: every fapi2 client too.
      required: (_ctx, client) => client.clientAuthMethod === 'none' || clientProfileOf(client) === 'fapi2',
    },
    // Authorization code flow only (RFC 9700 2.1.2: no implicit or hybrid responses).
    responseTypes: ['code'],
    // Called for every refresh once oidc-provider has validated the refresh token, before anything
    // is consumed or issued: the post-login Actions run there, and a refusal throws invalid_grant.
    rotateRefreshToken: async (ctx) => {
      if (loginActions) {
        await runRefreshTokenActions(ctx, {
          loginActions,
          enrolledMethods: deps.enrolledMethods ?? (async () => []),
          customClaims,
          userMetadata: store.userMetadata,
          ladder,
          clock: deps.clock,
          logAuthEvent: deps.logAuthEvent,
        });
      }
      // FAPI 2.0 Security Profile 5.3.2.1: no rotation for fapi2 clients, whose refresh tokens only
      // work with their private_key_jwt (and DPoP); every other client's are rotated with reuse
      // detection (RFC 9700 4.14.2).
      return clientProfileOf(ctx.oidc.client) !== 'fapi2';
    },
    loadExistingGrant: grantRequestedScopes,
    extraTokenClaims: createExtraTokenClaims(customClaims, [acrTimeClaimName(config.issuer)]),
    interactions: {
      policy: createPolicy(deps, customClaims),
      url: (_ctx, interaction) => `/interaction/${interaction.uid}`,
    },
    ttl: {
      // An API's own lifetime for its JWT access tokens; the configured one for the userinfo token.
      AccessToken: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? config.ttl.accessToken,
      ClientCredentials: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? config.ttl.accessToken,
      AuthorizationCode: (_ctx, _code, client) =>
        clientProfileOf(client) === 'fapi2'
          ? Math.min(config.ttl.authorizationCode, FAPI2_MAX_CODE_TTL_SECONDS)
          : config.ttl.authorizationCode,
      IdToken: config.ttl.idToken,
      Interaction: config.ttl.interaction,
      Session: config.ttl.session,
      Grant: config.ttl.refreshToken,
      RefreshToken: config.ttl.refreshToken,
    },
    routes: PROVIDER_ROUTES,
    ...(deps.outboundFetch ? { fetch: deps.outboundFetch } : {}),
    // The provider-wide floor is applied per client (enforceClientSecurityProfile, so the provider's
    // own clients keep theirs); discovery still says it, so clients know before their first request.
    discovery: {
      ...(config.requestSecurity.requirePushedAuthorizationRequests
        ? { require_pushed_authorization_requests: true }
        : {}),
      ...(config.requestSecurity.requireSignedRequestObjects ? { require_signed_request_object: true } : {}),
    },
    renderError: async (ctx, out) => {
      ctx.type = 'html';
      ctx.body = renderErrorPage({
        ...describeProviderError(out),
        reference: ctx.get('x-request-id') || undefined,
      });
    },
    // The dashboard redeems its code from the browser, on the provider's own origin (public client,
    // PKCE); every other client calls the token endpoint from its server, so no other origin is allowed.
    clientBasedCORS: (_ctx, origin, client) =>
      client.clientId === DASHBOARD_CLIENT_ID && origin === new URL(config.issuer).origin,
  };

  const provider = new Provider(config.issuer, configuration);
  // Koa reads no X-Forwarded-* header (its `proxy` stays false): the scheme and host are the issuer's,
  // the client address comes from Fastify (http/trusted-proxies.ts).
  pinProviderOriginToIssuer(provider, config.issuer);
  useRequestClientAddress(provider);
  useAuthorizationDetailTypes(provider, authorizationDetailTypes);
  carryLoginFacts(provider);
  addCustomClaimsToIdTokens(provider, customClaims);
  // After the custom claims: the time the level was reached is the provider's, never an Action's.
  addAcrTimeToIdTokens(provider);
  addAuthorizationDetailsToIdTokens(provider);
  shareReplayDetection(provider, store.attempts, deps.clock);
  // Hashed secrets, a rotated secret's grace period (POST /api/v1/clients/{id}/secret), and the
  // throttle on wrong secrets per client id.
  verifyClientSecrets(provider, {
    throttle: new ClientSecretThrottle(store.attempts, config),
    clock: deps.clock,
  });
  const log = deps.logger.child({ component: 'oidc' });
  provider.on('server_error', (_ctx, error) => log.error({ err: error }, 'oidc-provider server error'));
  provider.on('grant.revoked', (_ctx, grantId: string) => {
    log.info({ grantId }, 'grant revoked');
    store.customClaims
      .remove(grantId)
      .catch((error: unknown) =>
        log.error({ err: error, grantId }, 'could not delete the custom claims of a revoked grant'),
      );
  });
  const logProtocolError =
    (event: string) => (_ctx: unknown, error: { error?: string; error_description?: string }) =>
      log.info({ event, error: error.error, detail: error.error_description }, event);
  provider.on('authorization.error', logProtocolError('authorization.error'));
  provider.on('grant.error', logProtocolError('grant.error'));
  provider.on('grant.error', (ctx: KoaContextWithOIDC, error: unknown) => {
    const reuse = refreshTokenReuseOf(ctx, error);
    if (reuse) deps.logAuthEvent(reuse);
  });
  provider.on('end_session.error', logProtocolError('end_session.error'));
  provider.on('userinfo.error', logProtocolError('userinfo.error'));
  return provider;
}

/**
 * Clients are registered by the operator and first-party, so the person is not asked to consent:
 * the grant covers what the request asks for (OIDC scopes and claims). Consent screens for
 * third-party clients are a later concern.
 */
async function grantRequestedScopes(ctx: KoaContextWithOIDC) {
  const { oidc } = ctx;
  const accountId = oidc.session?.accountId;
  const client = oidc.client;
  if (!accountId || !client) return undefined;
  const grantId = oidc.result?.consent?.grantId ?? oidc.session?.grantIdFor(client.clientId);
  const existing = grantId ? await oidc.provider.Grant.find(grantId) : undefined;
  const grant =
    existing && existing.accountId === accountId
      ? existing
      : new oidc.provider.Grant({ accountId, clientId: client.clientId });
  const scopes = [...(oidc.requestParamOIDCScopes ?? [])];
  if (scopes.length) grant.addOIDCScope(scopes.join(' '));
  const claims = [...(oidc.requestParamClaims ?? [])];
  if (claims.length) grant.addOIDCClaims(claims);
  // RFC 8707: the requested scopes that a requested API defines are granted for that API.
  for (const [identifier, server] of Object.entries(oidc.resourceServers ?? {})) {
    const apiScopes = [...(oidc.requestParamScopes ?? [])].filter((scope) => server.scopes.has(scope));
    if (apiScopes.length) grant.addResourceScope(identifier, apiScopes.join(' '));
  }
  await grant.save();
  return grant;
}

function clientNameOf(ctx: KoaContextWithOIDC): { clientName?: string } {
  const name = ctx.oidc.client?.clientName;
  return typeof name === 'string' ? { clientName: name } : {};
}

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ACR_MULTI_FACTOR, ACR_ONE_FACTOR } from '@stepup/core';
import { exportJWK, generateKeyPair } from 'jose';
import Provider, { errors, type KoaContextWithOIDC } from 'oidc-provider';

/** The transaction type registered at the provider, as the salary app uses it. */
export const PAYOUT_ACCOUNT_CHANGE = 'payout_account_change';

/** The resource (RFC 8707) the access tokens are for; also their audience. */
export const TRANSACTION_API = 'urn:rar-app:api';

/** What the provider's interaction does: who signs in, with which acr, and when it says it happened. */
export interface ApprovalBehaviour {
  accountId: string;
  acr: string;
  /** `auth_time` to report, in seconds since the epoch; default now. */
  authTime?: () => number;
}

export interface RichAuthorizationProvider {
  issuer: string;
  provider: Provider;
  behaviour: ApprovalBehaviour;
  /** Every `authorization_details` the provider granted, in order. */
  granted: unknown[];
  close(): Promise<void>;
}

function readAuthorizationDetails(ctx: KoaContextWithOIDC): unknown {
  const raw = ctx.oidc.params?.authorization_details;
  return typeof raw === 'string' ? JSON.parse(raw) : undefined;
}

/**
 * A bare oidc-provider — nobody's step-up logic, only its own RFC 9396 support — with
 * `features.richAuthorizationRequests` on, the `payout_account_change` type registered through its
 * `validate` hook, and the granted details put into the ID token (through the account's claims) and
 * the token response (oidc-provider's own). Its interaction needs no screen: it signs in
 * `behaviour.accountId` with `behaviour.acr` and consents to what was asked, so a test drives the
 * whole flow with plain HTTP. One client, `rar-app`, redirecting to `${appOrigin}/auth/callback`.
 */
export async function startRichAuthorizationProvider(appOrigin: string): Promise<RichAuthorizationProvider> {
  let handle: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.end();
  const server: Server = createServer((req, res) => handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://localhost:${(server.address() as AddressInfo).port}`;
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const behaviour: ApprovalBehaviour = { accountId: 'alice', acr: ACR_MULTI_FACTOR };
  const granted: unknown[] = [];

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: 'rar-app',
        client_secret: 'rar-app-secret-0123456789abcdef0123456789',
        redirect_uris: [`${appOrigin}/auth/callback`],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        authorization_details_types: [PAYOUT_ACCOUNT_CHANGE],
      },
    ],
    findAccount: async (_ctx, id, token) => ({
      accountId: id,
      async claims() {
        // The approved details, for the ID token: oidc-provider keeps them on the authorization code.
        const rar = (token as { rar?: unknown } | undefined)?.rar;
        return {
          sub: id,
          name: `Account ${id}`,
          ...(rar === undefined ? {} : { authorization_details: rar }),
        };
      },
    }),
    claims: { openid: ['sub', 'amr', 'authorization_details'], profile: ['name'] },
    conformIdTokenClaims: false,
    // The authentication the access token comes from (RFC 9470 section 6.2), as the ID token says it.
    extraTokenClaims(ctx) {
      const code = ctx.oidc.entities.AuthorizationCode;
      return code === undefined ? undefined : { acr: code.acr, amr: code.amr, auth_time: code.authTime };
    },
    acrValues: [ACR_ONE_FACTOR, ACR_MULTI_FACTOR],
    jwks: { keys: [{ ...(await exportJWK(privateKey)), alg: 'RS256', use: 'sig', kid: 'rar-1' }] },
    cookies: { keys: ['rar-provider-cookie-key'] },
    features: {
      devInteractions: { enabled: false },
      // No PAR: the details then travel in the browser's URL, where the tests edit them in flight to
      // show the SDK's callback check refuses what was not asked for. (With PAR the SDK pushes them.)
      pushedAuthorizationRequests: { enabled: false },
      // oidc-provider issues RFC 9396 details only in access tokens for a resource (RFC 8707).
      resourceIndicators: {
        enabled: true,
        defaultResource: () => TRANSACTION_API,
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({
          scope: 'payout',
          audience: TRANSACTION_API,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'RS256' } },
        }),
      },
      richAuthorizationRequests: {
        enabled: true,
        types: {
          [PAYOUT_ACCOUNT_CHANGE]: {
            validate(_ctx, detail) {
              const { type, iban, holder, ...rest } = detail as Record<string, unknown>;
              if (typeof iban !== 'string' || typeof holder !== 'string' || Object.keys(rest).length > 0) {
                throw new errors.InvalidAuthorizationDetails(`invalid ${String(type)} details`);
              }
            },
          },
        },
        authorizationDetailsForGrantSource: (ctx) => {
          const details = readAuthorizationDetails(ctx);
          if (details !== undefined) granted.push(details);
          return details as never;
        },
        authorizationDetailsForAccessToken: (_ctx, _token, source) =>
          (source as { rar?: unknown } | undefined)?.rar as never,
        authorizationDetailsForIntrospection: (_ctx, token) => (token as { rar?: unknown }).rar as never,
      },
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  });

  const callback = provider.callback();
  handle = (req, res) => {
    if (!req.url?.startsWith('/interaction/')) return void callback(req, res);
    void finishInteraction(provider, behaviour, req, res).catch((error: unknown) => {
      res.statusCode = 500;
      res.end(String(error));
    });
  };

  return {
    issuer,
    provider,
    behaviour,
    granted,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Signs in and consents at once: the login with the configured acr, the consent to all that was asked. */
async function finishInteraction(
  provider: Provider,
  behaviour: ApprovalBehaviour,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const interaction = await provider.interactionDetails(req, res);
  if (interaction.prompt.name === 'login') {
    const login = {
      accountId: behaviour.accountId,
      acr: behaviour.acr,
      amr: ['pwd', 'otp', 'mfa'],
      ...(behaviour.authTime === undefined ? {} : { ts: behaviour.authTime() }),
    };
    await provider.interactionFinished(req, res, { login }, { mergeWithLastSubmission: false });
    return;
  }
  const { details } = interaction.prompt;
  const grant = new provider.Grant({
    accountId: behaviour.accountId,
    clientId: String(interaction.params.client_id),
  });
  if (Array.isArray(details.missingOIDCScope)) grant.addOIDCScope(details.missingOIDCScope.join(' '));
  if (Array.isArray(details.missingOIDCClaims)) grant.addOIDCClaims(details.missingOIDCClaims);
  const resourceScopes = details.missingResourceScopes;
  if (typeof resourceScopes === 'object' && resourceScopes !== null) {
    for (const [resource, scopes] of Object.entries(resourceScopes as Record<string, string[]>)) {
      grant.addResourceScope(resource, scopes.join(' '));
    }
  }
  if (Array.isArray(details.rar)) for (const detail of details.rar) grant.addRar(detail);
  const grantId = await grant.save();
  await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
}

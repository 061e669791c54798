import { type Configuration, errors, type KoaContextWithOIDC } from 'oidc-provider';
import { clientScopesFor } from '../admin/client-api-scopes.ts';
import { ALLOWED_SCOPES_METADATA } from '../admin/management-api-identity.ts';
import type { ResourceServersRepository } from '../store/resource-servers.ts';
import { loadedClientMetadata } from './loaded-client-metadata.ts';

type ResourceIndicatorsFeature = NonNullable<NonNullable<Configuration['features']>['resourceIndicators']>;

/**
 * RFC 8707 resource indicators over the registered APIs. A client asks for an API with `resource`
 * at the authorization request; the access token it then gets is a JWT (RFC 9068) for that API only,
 * signed with the algorithm the API was registered with. Unknown resources are `invalid_target`.
 *
 * Every registered client may ask for every registered API: clients are first-party (see
 * `grantRequestedScopes`); which scopes a token carries is still limited to the API's scopes, and
 * for a client with an allow-list of scopes for that API (`stepup_allowed_scopes`, kept per API) to
 * those: a scope granted for one API is never one of another's. oidc-provider checks a client's
 * `scope` metadata only against its own OIDC scopes, never an API's, so this is where a
 * client_credentials client is kept to its scopes. The `restrictedResource` (the management API)
 * serves only clients granted some of its scopes: others get `invalid_target`.
 */
export function createResourceIndicators(
  resourceServers: ResourceServersRepository,
  options: { restrictedResource?: string } = {},
): ResourceIndicatorsFeature {
  return {
    enabled: true,
    // No resource asked for: an opaque token for the userinfo endpoint, as before. Several granted
    // resources and none named at the token endpoint: left unresolved, so it is `invalid_target`.
    defaultResource: (_ctx, _client, oneOf) => (oneOf?.length === 1 ? oneOf[0] : oneOf) as string,
    getResourceServerInfo: async (_ctx, identifier, client) => {
      const record = await resourceServers.find(identifier);
      if (!record) throw new errors.InvalidTarget('the requested resource is not a registered API');
      const metadata = loadedClientMetadata(client);
      const granted = clientScopesFor(metadata, identifier);
      let scopes = record.scopes;
      if (Object.hasOwn(metadata, ALLOWED_SCOPES_METADATA) || identifier === options.restrictedResource) {
        scopes = scopes.filter((scope) => granted.includes(scope));
      }
      if (identifier === options.restrictedResource && scopes.length === 0) {
        throw new errors.InvalidTarget('this client may not use the management API');
      }
      return {
        scope: scopes.join(' '),
        audience: record.identifier,
        accessTokenTTL: record.accessTokenTtl,
        accessTokenFormat: 'jwt',
        jwt: { sign: { alg: record.signingAlg } },
      };
    },
    // The code (or refresh token) was granted for the resource of the authorization request: the
    // access token is for that API even when the token request does not repeat `resource`.
    useGrantedResource: () => true,
  };
}

/**
 * RFC 9470 section 6.1: an access token says how its user authenticated, so the API can ask for
 * more. `acr`, `amr` and `auth_time` are copied from the authorization code or the refresh token the
 * access token is issued from — the record of the authentication itself, never recomputed, so a
 * refresh never upgrades (ARCHITECTURE.md invariant 4). Tokens without a user get nothing.
 */
export async function addAuthenticationClaims(
  ctx: KoaContextWithOIDC,
): Promise<{ acr?: string; amr?: string[]; auth_time?: number } | undefined> {
  const { entities } = ctx.oidc;
  const source = entities.RefreshToken ?? entities.AuthorizationCode;
  if (!source) return undefined;
  const claims: { acr?: string; amr?: string[]; auth_time?: number } = {};
  if (typeof source.acr === 'string') claims.acr = source.acr;
  if (Array.isArray(source.amr)) claims.amr = [...source.amr];
  if (typeof source.authTime === 'number') claims.auth_time = source.authTime;
  return claims;
}

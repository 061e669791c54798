import type { AccessToken, ClientCredentials, KoaContextWithOIDC } from 'oidc-provider';
import type { CustomTokenClaims } from './custom-token-claims.ts';
import { addAuthenticationClaims } from './resource-indicators.ts';

/**
 * oidc-provider's `extraTokenClaims`: every access token of a user says how they authenticated
 * (`addAuthenticationClaims`), and the RFC 9068 JWTs issued for registered APIs also carry the
 * post-login Actions' `api.accessToken.setCustomClaim` claims.
 *
 * The opaque access token (no `resource`: it is for the userinfo endpoint) carries none: only the
 * provider reads it, introspection is off, and userinfo answers with the user's own claims.
 * Custom claims go under the authentication claims, and oidc-provider's own (`sub`, `aud`,
 * `client_id`, `scope`, …) go over everything; registered names were dropped before, and
 * `providerClaims` (names only the provider sets, such as its acr_time) are dropped here.
 */
export function createExtraTokenClaims(customClaims: CustomTokenClaims, providerClaims: readonly string[]) {
  return async (ctx: KoaContextWithOIDC, token: AccessToken | ClientCredentials) => {
    const authentication = await addAuthenticationClaims(ctx);
    if (!authentication) return undefined;
    const isApiJwt = token.kind === 'AccessToken' && token.resourceServer?.accessTokenFormat === 'jwt';
    if (!isApiJwt) return authentication;
    const accessToken = { ...(await customClaims.forTokenRequest(ctx)).accessToken };
    for (const name of providerClaims) delete accessToken[name];
    return { ...accessToken, ...authentication };
  };
}

import type { KoaContextWithOIDC } from 'oidc-provider';
import type { AccessTokenScopeChanges } from '../actions/post-login-outcome.ts';

/**
 * Applies `api.accessToken.addScope` / `removeScope` to the authorization about to issue its code.
 * The access token's scope is what the grant holds for the API, filtered by the code's scope (the
 * request's `scope`); so an added scope is granted for each requested API that offers it to this
 * client — `resourceServer.scopes` comes from `getResourceServerInfo`, already limited to the
 * client's allow-list — and joins the request's scope; a removed one leaves the request's scope.
 * OIDC scopes (`openid`, `email`, …) are not touched. The engine refused any scope beyond the
 * client's before the login got here; the filter here keeps that true whatever it is given.
 */
export async function applyAccessTokenScopes(
  ctx: KoaContextWithOIDC,
  changes: AccessTokenScopeChanges,
): Promise<void> {
  const { oidc } = ctx;
  const grant = oidc.entities.Grant;
  const servers = Object.values(oidc.resourceServers ?? {});
  if ((changes.add.length === 0 && changes.remove.length === 0) || !grant || servers.length === 0) return;
  const scope = new Set(typeof oidc.params?.scope === 'string' ? oidc.params.scope.split(' ') : []);
  for (const server of servers) {
    const added = changes.add.filter((name) => server.scopes.has(name));
    if (added.length > 0) grant.addResourceScope(server.identifier(), added.join(' '));
    for (const name of added) scope.add(name);
    for (const name of changes.remove) if (server.scopes.has(name)) scope.delete(name);
  }
  if (oidc.params) oidc.params.scope = [...scope].join(' ');
  await grant.save();
}

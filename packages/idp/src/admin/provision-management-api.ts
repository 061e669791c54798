import type { StepupConfig } from '../config/config-schema.ts';
import type { Store } from '../store/store.ts';
import {
  ALLOWED_SCOPES_METADATA,
  DASHBOARD_CLIENT_ID,
  MANAGEMENT_SCOPES,
  MANAGEMENT_TOKEN_TTL_SECONDS,
  managementApiIdentifier,
} from './management-api-identity.ts';

/**
 * Registers, at every start, what the management API needs: itself as an API (resource server)
 * with its scopes, and the dashboard as a public client (code + PKCE) that may ask for all of them —
 * a person's token is still refused unless they hold the admin role (see `authorizeManagementCall`).
 * Both are rewritten each start, so an operator's edits cannot weaken them.
 */
export async function provisionManagementApi(store: Store, config: StepupConfig): Promise<void> {
  const issuer = config.issuer.replace(/\/$/, '');
  await store.resourceServers.upsert({
    identifier: managementApiIdentifier(issuer),
    scopes: [...MANAGEMENT_SCOPES],
    accessTokenTtl: MANAGEMENT_TOKEN_TTL_SECONDS,
    signingAlg: 'RS256',
  });
  await store.clients.upsert(
    {
      client_id: DASHBOARD_CLIENT_ID,
      client_name: 'Stepup dashboard',
      token_endpoint_auth_method: 'none',
      redirect_uris: [`${issuer}/dashboard/callback`],
      post_logout_redirect_uris: [`${issuer}/dashboard/`],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      id_token_signed_response_alg: 'RS256',
      [ALLOWED_SCOPES_METADATA]: { [managementApiIdentifier(issuer)]: [...MANAGEMENT_SCOPES] },
    },
    { builtIn: true },
  );
}

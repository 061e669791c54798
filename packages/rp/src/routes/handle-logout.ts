import * as oidc from 'openid-client';
import type { RpContext } from '../rp-context.ts';

/**
 * The logout route (GET or POST): ends the application session, then — when the provider has an
 * `end_session_endpoint` — sends the browser there (OIDC RP-Initiated Logout 1.0) with
 * `id_token_hint`, `client_id` and the registered `post_logout_redirect_uri`.
 */
export async function handleLogout(context: RpContext, request: Request): Promise<Response> {
  const { options } = context;
  const session = await context.sessions.read(request);
  const cookies = await context.sessions.clear(request);
  let location = options.postLogoutRedirectUri;
  if (context.server.end_session_endpoint !== undefined) {
    location = oidc.buildEndSessionUrl(context.client, {
      client_id: options.clientId,
      post_logout_redirect_uri: options.postLogoutRedirectUri,
      ...(session ? { id_token_hint: session.idToken } : {}),
    }).href;
  }
  const response = new Response(null, { status: 303, headers: { location, 'cache-control': 'no-store' } });
  for (const cookie of cookies) response.headers.append('set-cookie', cookie);
  return response;
}

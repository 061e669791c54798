import * as oidc from 'openid-client';
import { StepupRpError } from '../errors.ts';
import { renderLogoutConfirmationPage } from '../pages/logout-confirmation-page.ts';
import { renderSignInErrorPage } from '../pages/sign-in-error-page.ts';
import type { RpContext } from '../rp-context.ts';
import { isSameOriginRequest } from './is-same-origin-request.ts';

/**
 * The logout route. GET shows a confirmation form; POST — from this application's own pages only
 * (see {@link isSameOriginRequest}) — ends the application session, then, when the provider has an
 * `end_session_endpoint`, sends the browser there (OIDC RP-Initiated Logout 1.0) with
 * `id_token_hint`, `client_id` and the registered `post_logout_redirect_uri`.
 */
export async function handleLogout(context: RpContext, request: Request): Promise<Response> {
  const { options } = context;
  const homeUrl = new URL('/', options.baseUrl).href;
  if (request.method === 'GET') return renderLogoutConfirmationPage(options.routes.logout, homeUrl);
  if (!isSameOriginRequest(request, options.baseUrl.origin)) {
    const error = new StepupRpError('cross_site_logout', 'The sign-out did not come from this application.', {
      detail: `origin ${request.headers.get('origin')}, sec-fetch-site ${request.headers.get('sec-fetch-site')}`,
    });
    options.onError(error, request);
    return renderSignInErrorPage({
      status: error.status,
      title: 'You are still signed in',
      message: 'Another site asked to sign you out. To sign out, use the button on the sign-out page.',
      code: error.code,
      retryUrl: new URL(options.routes.logout, options.baseUrl).href,
      homeUrl,
    });
  }
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

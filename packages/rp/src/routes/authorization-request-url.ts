import * as oidc from 'openid-client';
import { type RpContext, unwrapProtocolError } from '../rp-context.ts';

/**
 * The URL the browser is sent to for `params`. The step-up parameters are kept out of it when the
 * provider allows: signed into a request object (RFC 9101) when the app has a `requestObject` key,
 * and pushed (RFC 9126) whenever the provider advertises a PAR endpoint — then the URL holds only
 * `client_id` and `request_uri`. Without either, the parameters travel in the URL as in OAuth 2.0.
 * Throws `authorization_request_failed` when the provider refuses the pushed request.
 */
export async function authorizationRequestUrl(
  context: RpContext,
  params: Record<string, string>,
): Promise<URL> {
  const { client, server, options } = context;
  const pushed = server.pushed_authorization_request_endpoint !== undefined;
  try {
    if (options.requestObject !== undefined) {
      const { key, kid } = options.requestObject;
      const signed = await oidc.buildAuthorizationUrlWithJAR(
        client,
        params,
        kid === undefined ? key : { key, kid },
      );
      return pushed ? await oidc.buildAuthorizationUrlWithPAR(client, signed.searchParams) : signed;
    }
    return pushed
      ? await oidc.buildAuthorizationUrlWithPAR(client, params)
      : oidc.buildAuthorizationUrl(client, params);
  } catch (error) {
    throw unwrapProtocolError(error, 'authorization_request_failed');
  }
}

import * as oidc from 'openid-client';
import { importSessionDpopKey } from '../dpop/session-dpop-key.ts';
import { StepupRpError } from '../errors.ts';
import { type RpContext, unwrapProtocolError } from '../rp-context.ts';

/**
 * Calls an API with the session's access token: as `Authorization: DPoP` with a fresh proof from the
 * session's key when the token is DPoP-bound (retrying once with the API's nonce on `use_dpop_nonce`,
 * RFC 9449 9), as `Bearer` otherwise. The API's answer is returned as it is, whatever its status.
 * Throws `session_missing` without a session or access token.
 */
export async function fetchProtectedResource(
  context: RpContext,
  request: Request,
  url: string | URL,
  init: { method?: string; headers?: HeadersInit; body?: string | Uint8Array | URLSearchParams } = {},
): Promise<Response> {
  const session = await context.sessions.read(request);
  if (!session?.accessToken) {
    throw new StepupRpError('session_missing', 'There is no session with an access token.');
  }
  const dpop =
    session.dpopKey === undefined
      ? undefined
      : { DPoP: oidc.getDPoPHandle(context.client, await importSessionDpopKey(session.dpopKey)) };
  try {
    return await oidc.fetchProtectedResource(
      context.client,
      session.accessToken,
      new URL(url),
      init.method ?? 'GET',
      init.body as oidc.FetchBody,
      new Headers(init.headers),
      dpop,
    );
  } catch (error) {
    throw unwrapProtocolError(error, 'resource_request_failed');
  }
}

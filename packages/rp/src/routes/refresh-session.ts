import * as oidc from 'openid-client';
import { importSessionDpopKey } from '../dpop/session-dpop-key.ts';
import { StepupRpError } from '../errors.ts';
import { validateIdToken } from '../id-token/validate-id-token.ts';
import { idTokenExpectations, protocolClient, type RpContext, unwrapProtocolError } from '../rp-context.ts';
import type { RpSession } from '../session/rp-session.ts';

/**
 * The session after a refresh, with the `Set-Cookie` values that store it.
 *
 * @example
 * ```ts
 * const { session, setCookies } = await rp.refresh(request);
 * ```
 */
export interface RefreshedSession {
  session: RpSession;
  setCookies: string[];
}

/**
 * Uses the session's refresh token for new tokens. A new ID token, when sent, is validated (same
 * issuer, audience, signature and `sub`; OIDC Core 12.2) but the authentication context is kept
 * from the callback: a refresh never upgrades it, and a provider that drops `amr` on refresh (Auth0
 * documents it) does not make the session lose its step-up. Throws `session_missing` without a
 * session or refresh token, `subject_mismatch` when the new ID token names someone else.
 */
export async function refreshSession(context: RpContext, request: Request): Promise<RefreshedSession> {
  const { options } = context;
  const session = await context.sessions.read(request);
  if (!session?.refreshToken) {
    throw new StepupRpError('session_missing', 'There is no session with a refresh token.');
  }
  let newIdToken: string | undefined;
  const client = protocolClient(context, async (body) => {
    if (typeof body.id_token !== 'string') return;
    const validated = await validateIdToken(body.id_token, idTokenExpectations(context));
    if (validated.sub !== session.sub) {
      throw new StepupRpError('subject_mismatch', 'The refreshed tokens are for someone else.', {
        detail: `sub ${validated.sub}, session sub ${session.sub}`,
      });
    }
    newIdToken = body.id_token;
  });
  let tokens: oidc.TokenEndpointResponse;
  try {
    // A DPoP-bound refresh token is usable only with proofs from the session's key (RFC 9449 5).
    const dpop =
      session.dpopKey === undefined
        ? undefined
        : { DPoP: oidc.getDPoPHandle(client, await importSessionDpopKey(session.dpopKey)) };
    tokens = await oidc.refreshTokenGrant(client, session.refreshToken, undefined, dpop);
  } catch (error) {
    throw unwrapProtocolError(error, 'token_request_failed');
  }
  const now = options.clock();
  const refreshed: RpSession = {
    ...session,
    idToken: newIdToken ?? session.idToken,
    accessToken: tokens.access_token,
    refreshToken: tokens.refresh_token ?? session.refreshToken,
  };
  if (typeof tokens.expires_in === 'number')
    refreshed.accessTokenExpiresAt = now + Math.floor(tokens.expires_in);
  else delete refreshed.accessTokenExpiresAt;
  if (tokens.scope !== undefined) refreshed.scope = tokens.scope;
  return { session: refreshed, setCookies: await context.sessions.write(request, refreshed) };
}

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import { PROVIDER_ROUTES } from '../oidc/provider-routes.ts';
import { ACCOUNT_CLIENT_ID, accountCallbackUrl } from './account-client.ts';
import { type AccountNotice, isAccountNotice } from './account-notices.ts';

const STATE_COOKIE = 'stepup_account_state';
const STATE_TTL_SECONDS = 15 * 60;

/**
 * Sends the browser to this provider's authorization endpoint as the account page's client: a plain
 * sign-in, or with `stepUp` the multi-factor acr and a short `max_age`, so the login interaction asks
 * for whatever is missing or too old. `notice` is shown on the account page afterwards.
 */
export function startAccountSignIn(
  request: FastifyRequest,
  reply: FastifyReply,
  options: { issuer: string; stepUp?: { acr: string; maxAge: number }; notice?: AccountNotice },
): void {
  const state = randomBytes(24).toString('base64url');
  // Required by oidc-provider for a public client; the code is never redeemed (account-client.ts).
  const verifier = randomBytes(32).toString('base64url');
  const url = new URL(`${options.issuer}${PROVIDER_ROUTES.authorization}`);
  url.search = new URLSearchParams({
    client_id: ACCOUNT_CLIENT_ID,
    response_type: 'code',
    scope: 'openid',
    redirect_uri: accountCallbackUrl(options.issuer),
    state,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    ...(options.stepUp ? { acr_values: options.stepUp.acr, max_age: String(options.stepUp.maxAge) } : {}),
  }).toString();
  reply.setCookie(STATE_COOKIE, options.notice ? `${state}.${options.notice}` : state, {
    signed: true,
    httpOnly: true,
    sameSite: 'lax',
    secure: request.protocol === 'https',
    path: '/account',
    maxAge: STATE_TTL_SECONDS,
  });
  reply.code(303).header('location', url.href).send();
}

/** How the return from the authorization endpoint ended. */
export type AccountSignInResult =
  | { outcome: 'signed-in'; notice?: AccountNotice }
  | { outcome: 'refused'; error: string }
  | { outcome: 'foreign' };

/**
 * Handles the return to `/account/callback`: the state must be the one this browser was sent with
 * (else `foreign`: a login CSRF attempt, or an old tab), and the code is deleted unused.
 */
export async function finishAccountSignIn(
  request: FastifyRequest<{ Querystring: Record<string, string | undefined> }>,
  reply: FastifyReply,
  provider: Provider,
): Promise<AccountSignInResult> {
  const raw = request.cookies[STATE_COOKIE];
  reply.clearCookie(STATE_COOKIE, { path: '/account' });
  const unsigned = raw ? request.unsignCookie(raw) : undefined;
  const [expected = '', notice] = unsigned?.valid && unsigned.value ? unsigned.value.split('.') : [];
  const given = request.query.state ?? '';
  if (
    !expected ||
    expected.length !== given.length ||
    !timingSafeEqual(Buffer.from(expected), Buffer.from(given))
  ) {
    return { outcome: 'foreign' };
  }
  const { code, error } = request.query;
  if (code) {
    const issued = await provider.AuthorizationCode.find(code);
    if (issued?.clientId === ACCOUNT_CLIENT_ID) await issued.destroy();
    return { outcome: 'signed-in', ...(isAccountNotice(notice) ? { notice } : {}) };
  }
  return { outcome: 'refused', error: error ?? 'unknown_error' };
}

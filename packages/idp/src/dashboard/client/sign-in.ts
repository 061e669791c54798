import type { DashboardSettings } from './dashboard-settings.ts';
import type { OperatorSession } from './operator-session.ts';
import { codeChallengeOf, randomToken } from './pkce.ts';

/** sessionStorage key of the authorization request in flight: it must survive the redirect. */
const AUTHORIZATION_KEY = 'stepup-dashboard:authorization';

interface AuthorizationInFlight {
  state: string;
  nonce: string;
  codeVerifier: string;
  /** The dashboard route to show after signing in (`#/actions/x`). */
  returnTo: string;
  /** Whether this sign-in asked for a fresh authentication (`max_age`). */
  fresh: boolean;
}

/** Why a sign-in could not complete; `code` is the OAuth error or one of ours. */
export class SignInError extends Error {
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

/**
 * Sends the browser to the provider's authorization endpoint: code flow with PKCE S256 (RFC 7636), a
 * fresh `state` and `nonce`, the multi-factor acr, and the management API as the RFC 8707 resource.
 * `maxAge` (from an `insufficient_user_authentication` challenge) asks for a fresh authentication.
 * The verifier, state and nonce stay in this tab's sessionStorage until the callback uses them.
 */
export async function redirectToSignIn(
  settings: DashboardSettings,
  options: { returnTo: string; maxAge?: number },
): Promise<never> {
  const inFlight: AuthorizationInFlight = {
    state: randomToken(),
    nonce: randomToken(),
    codeVerifier: randomToken(),
    returnTo: options.returnTo,
    fresh: options.maxAge !== undefined,
  };
  sessionStorage.setItem(AUTHORIZATION_KEY, JSON.stringify(inFlight));
  const url = new URL(settings.authorizationEndpoint);
  url.search = new URLSearchParams({
    client_id: settings.clientId,
    response_type: 'code',
    redirect_uri: settings.redirectUri,
    scope: ['openid', ...settings.scopes].join(' '),
    resource: settings.apiBase,
    acr_values: settings.acr,
    state: inFlight.state,
    nonce: inFlight.nonce,
    code_challenge: await codeChallengeOf(inFlight.codeVerifier),
    code_challenge_method: 'S256',
    ...(options.maxAge === undefined ? {} : { max_age: String(options.maxAge) }),
  }).toString();
  window.location.assign(url.href);
  // The page is being replaced; nothing after this runs.
  return new Promise<never>(() => {});
}

function takeAuthorizationInFlight(): AuthorizationInFlight | undefined {
  const stored = sessionStorage.getItem(AUTHORIZATION_KEY);
  sessionStorage.removeItem(AUTHORIZATION_KEY);
  return stored ? (JSON.parse(stored) as AuthorizationInFlight) : undefined;
}

function decodeJwtPayload(jwt: string): Record<string, unknown> {
  const payload = jwt.split('.')[1] ?? '';
  const binary = atob(payload.replaceAll('-', '+').replaceAll('_', '/'));
  const bytes = Uint8Array.from(binary, (char) => char.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
}

/**
 * Completes the sign-in at `/dashboard/callback`: checks `state` and `iss` (RFC 9207), redeems the code
 * with the PKCE verifier, and checks the ID token's `iss`, `aud` and `nonce`. The ID token comes straight
 * from the provider's token endpoint on this origin (OIDC Core 3.1.3.7: TLS stands in for the signature
 * here); the dashboard uses it only to know who is signed in — the API checks the access token itself.
 */
export async function completeSignIn(
  settings: DashboardSettings,
  callbackUrl: URL,
): Promise<{ session: OperatorSession; returnTo: string; fresh: boolean }> {
  const params = callbackUrl.searchParams;
  const inFlight = takeAuthorizationInFlight();
  if (!inFlight || params.get('state') !== inFlight.state) {
    throw new SignInError('invalid_state', 'This sign-in was not started here, or it was already used.');
  }
  const issuer = params.get('iss');
  if (issuer !== null && issuer !== settings.issuer) {
    throw new SignInError('invalid_issuer', 'The answer came from another provider.');
  }
  const error = params.get('error');
  if (error) throw new SignInError(error, params.get('error_description') ?? 'The sign-in did not complete.');
  const code = params.get('code');
  if (!code) throw new SignInError('invalid_response', 'The provider sent no authorization code.');

  const response = await fetch(settings.tokenEndpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: settings.clientId,
      code,
      redirect_uri: settings.redirectUri,
      code_verifier: inFlight.codeVerifier,
      resource: settings.apiBase,
    }),
  });
  const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (!response.ok) {
    throw new SignInError(
      typeof body.error === 'string' ? body.error : 'token_request_failed',
      typeof body.error_description === 'string' ? body.error_description : 'The provider refused the code.',
    );
  }
  const { access_token, id_token, expires_in, token_type } = body;
  if (
    typeof access_token !== 'string' ||
    typeof id_token !== 'string' ||
    typeof expires_in !== 'number' ||
    typeof token_type !== 'string' ||
    token_type.toLowerCase() !== 'bearer'
  ) {
    throw new SignInError('invalid_response', 'The provider’s token response is incomplete.');
  }
  const claims = decodeJwtPayload(id_token);
  const audience = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (
    claims.iss !== settings.issuer ||
    !audience.includes(settings.clientId) ||
    claims.nonce !== inFlight.nonce
  ) {
    throw new SignInError('invalid_id_token', 'The ID token is not for this sign-in.');
  }
  if (typeof claims.sub !== 'string')
    throw new SignInError('invalid_id_token', 'The ID token names no user.');
  return {
    session: {
      accessToken: access_token,
      // A little early, so a token is never sent in its last seconds.
      expiresAt: Date.now() + Math.max(0, expires_in - 10) * 1000,
      idToken: id_token,
      userId: claims.sub,
      authTime: typeof claims.auth_time === 'number' ? claims.auth_time : null,
    },
    returnTo: inFlight.returnTo,
    fresh: inFlight.fresh,
  };
}

/** Ends the provider's session too (RP-initiated logout), then comes back to the dashboard. */
export function redirectToSignOut(settings: DashboardSettings, idToken: string): void {
  const url = new URL(settings.endSessionEndpoint);
  url.search = new URLSearchParams({
    client_id: settings.clientId,
    id_token_hint: idToken,
    post_logout_redirect_uri: settings.postLogoutRedirectUri,
  }).toString();
  window.location.assign(url.href);
}

import * as oidc from 'openid-client';
import { StepupRpError } from '../errors.ts';
import { respondWithErrorPage } from '../pages/sign-in-error.ts';
import type { ResolvedPolicy } from '../policy/step-up-policy.ts';
import type { RpContext } from '../rp-context.ts';
import { type LoginTransaction, newRandomValue } from '../transaction/login-transaction.ts';
import { authorizationRequestUrl } from './authorization-request-url.ts';

/** How a login is started: where to come back to, for which policy, and whether to force a new login. */
export interface LoginRequest {
  returnTo: string;
  policy?: ResolvedPolicy;
  /** Ask for a new authentication (`prompt=login`): when the session is too old, or `max_age=0`. */
  forceLogin?: boolean;
  /** Canonical `authorization_details` (RFC 9396) for a transaction-bound step-up; forces a new login. */
  authorizationDetails?: string;
  /** The resource indicator (RFC 8707) of this request, in place of the SDK-wide `resource` option. */
  resource?: string;
}

/**
 * Starts a login: a new transaction (state, nonce, PKCE verifier) in its own cookie, and a 302 to
 * the provider's authorization endpoint with `acr_values` and `max_age` from the policy — pushed
 * and/or signed when the provider and the options allow (see `authorizationRequestUrl`). PKCE (S256)
 * is used by every client, confidential or not (RFC 9700 2.1.1). A pushed request the provider
 * refuses ends in the error page (`authorization_request_failed`), reported to `onError`.
 */
export async function startLogin(
  context: RpContext,
  login: LoginRequest,
  request: Request,
): Promise<Response> {
  const { options } = context;
  const verifier = oidc.randomPKCECodeVerifier();
  const transaction: LoginTransaction = {
    state: newRandomValue(),
    nonce: newRandomValue(),
    codeVerifier: verifier,
    returnTo: login.returnTo,
    createdAt: options.clock(),
  };
  const params: Record<string, string> = {
    ...options.authorizationParams,
    redirect_uri: options.redirectUri,
    scope: options.scope,
    response_type: 'code',
    state: transaction.state,
    nonce: transaction.nonce,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
  };
  const resource = login.resource ?? options.resource;
  if (resource !== undefined) params.resource = resource;
  const { policy } = login;
  if (policy) {
    transaction.policy = policy;
    if (policy.acrValues.length > 0) params.acr_values = policy.acrValues.join(' ');
    if (policy.maxAge !== undefined) {
      params.max_age = String(policy.maxAge);
      transaction.maxAge = policy.maxAge;
    }
  }
  if (login.authorizationDetails !== undefined) {
    params.authorization_details = login.authorizationDetails;
    transaction.authorizationDetails = login.authorizationDetails;
  }
  if (login.forceLogin || policy?.maxAge === 0 || login.authorizationDetails !== undefined) {
    params.prompt = 'login';
  }
  let location: URL;
  try {
    location = await authorizationRequestUrl(context, params);
  } catch (error) {
    if (!(error instanceof StepupRpError)) throw error;
    options.onError(error, request);
    return respondWithErrorPage(
      options.errorPage,
      {
        error,
        status: error.status,
        title: 'Sign-in could not start',
        message: 'The provider did not accept the sign-in request. Please try again later.',
        stepUp: policy !== undefined,
        homeUrl: new URL('/', options.baseUrl).href,
        request,
      },
      [],
    );
  }
  return new Response(null, {
    status: 302,
    headers: [
      ['location', location.href],
      ['cache-control', 'no-store'],
      ['set-cookie', await context.transactions.create(transaction)],
    ],
  });
}

/** The URL of this application's login route for `returnTo` and `policy` (named, or spelled out). */
export function loginRouteUrl(context: RpContext, returnTo: string, policy?: ResolvedPolicy): string {
  const { options } = context;
  const url = new URL(options.routes.login, options.baseUrl);
  url.searchParams.set('returnTo', returnTo);
  if (policy?.name !== undefined) {
    url.searchParams.set('policy', policy.name);
  } else if (policy) {
    if (policy.acr.length > 0) url.searchParams.set('acr', policy.acr.join(' '));
    if (policy.amr.length > 0) url.searchParams.set('amr', policy.amr.join(' '));
    if (policy.maxAge !== undefined) url.searchParams.set('max_age', String(policy.maxAge));
    url.searchParams.set('acr_values', policy.acrValues.join(' '));
  }
  return url.href;
}

import { acrTimeClaimName } from '@stepup/core';
import * as oidc from 'openid-client';
import { checkTransactionApproval } from '../authorization-details/check-transaction-approval.ts';
import { generateSessionDpopKey } from '../dpop/session-dpop-key.ts';
import { StepupRpError } from '../errors.ts';
import { type ValidatedIdToken, validateIdToken } from '../id-token/validate-id-token.ts';
import { respondWithErrorPage, type SignInErrorDetails } from '../pages/sign-in-error.ts';
import { describeContext, describePolicy } from '../policy/describe-policy.ts';
import { type AuthenticationContext, evaluatePolicy } from '../policy/evaluate-policy.ts';
import { idTokenExpectations, protocolClient, type RpContext, unwrapProtocolError } from '../rp-context.ts';
import type { RpSession } from '../session/rp-session.ts';
import type { LoginTransaction } from '../transaction/login-transaction.ts';
import { loginRouteUrl } from './start-login.ts';

/** Claims that are about the token, not the person; not copied into `session.claims`. */
const TOKEN_CLAIMS = [
  'iss',
  'aud',
  'exp',
  'iat',
  'nbf',
  'nonce',
  'azp',
  'at_hash',
  'c_hash',
  'sid',
  'acr',
  'amr',
  'auth_time',
  'jti',
  'authorization_details',
];

function withCookies(response: Response, cookies: readonly (string | undefined)[]): Response {
  for (const cookie of cookies) if (cookie !== undefined) response.headers.append('set-cookie', cookie);
  return response;
}

/**
 * Reports `error` and answers with the failure page (the app's `errorPage`, or the built-in one).
 * `page` holds what the caller knows beyond the error; the session is the one from before.
 */
async function failure(
  context: RpContext,
  request: Request,
  error: StepupRpError,
  clear: string | undefined,
  page: Partial<Omit<SignInErrorDetails, 'error' | 'request' | 'homeUrl'>> = {},
): Promise<Response> {
  context.options.onError(error, request);
  // The page is told about the session when it can be read; a failing store does not hide the failure.
  const session =
    'session' in page ? page.session : await context.sessions.read(request).catch(() => undefined);
  const details: SignInErrorDetails = {
    error,
    status: error.status,
    title: 'Sign-in did not complete',
    message: error.message,
    stepUp: false,
    ...page,
    homeUrl: new URL('/', context.options.baseUrl).href,
    request,
  };
  if (session === undefined) delete details.session;
  else details.session = session;
  return respondWithErrorPage(context.options.errorPage, details, [clear]);
}

/**
 * Silent authentication at some providers (Auth0) answers without `amr`. When the new ID token is the
 * same authentication as the session's — same `sub`, same `auth_time` — what the session already
 * proved is kept for the claims the new token leaves out. Nothing is ever added beyond that.
 */
function mergeContext(validated: ValidatedIdToken, previous: RpSession | undefined): AuthenticationContext {
  const context: AuthenticationContext = {};
  if (validated.acr !== undefined) context.acr = validated.acr;
  if (validated.amr !== undefined) context.amr = validated.amr;
  if (validated.auth_time !== undefined) context.auth_time = validated.auth_time;
  if (validated.acr_time !== undefined) context.acr_time = validated.acr_time;
  const sameAuthentication =
    previous !== undefined &&
    previous.sub === validated.sub &&
    previous.auth_time !== undefined &&
    previous.auth_time === validated.auth_time;
  if (sameAuthentication) {
    if (context.acr === undefined && previous.acr !== undefined) context.acr = previous.acr;
    if (context.amr === undefined && previous.amr !== undefined) context.amr = previous.amr;
  }
  return context;
}

async function redeem(context: RpContext, request: Request, transaction: LoginTransaction) {
  const { options } = context;
  let validated: ValidatedIdToken | undefined;
  let idToken = '';
  const client = protocolClient(context, async (body) => {
    if (typeof body.id_token !== 'string') {
      throw new StepupRpError('id_token_missing', 'The provider sent no ID token.');
    }
    idToken = body.id_token;
    validated = await validateIdToken(body.id_token, {
      ...idTokenExpectations(context),
      nonce: transaction.nonce,
      ...(transaction.maxAge === undefined ? {} : { maxAge: transaction.maxAge }),
    });
  });
  // openid-client derives redirect_uri from this URL: the registered one, with the callback's query.
  const current = new URL(options.redirectUri);
  current.search = new URL(request.url).search;
  // A new session, a new DPoP key: the tokens are bound to it from the code exchange on (RFC 9449 5).
  const dpop = options.dpop === undefined ? undefined : await generateSessionDpopKey(options.dpop.alg);
  let tokens: oidc.TokenEndpointResponse;
  try {
    tokens = await oidc.authorizationCodeGrant(
      client,
      current,
      {
        pkceCodeVerifier: transaction.codeVerifier,
        expectedState: transaction.state,
        expectedNonce: transaction.nonce,
        idTokenExpected: true,
        ...(transaction.maxAge === undefined ? {} : { maxAge: transaction.maxAge }),
      },
      undefined,
      // openid-client retries once with the provider's nonce on use_dpop_nonce (RFC 9449 8).
      dpop === undefined ? undefined : { DPoP: oidc.getDPoPHandle(client, dpop.keyPair) },
    );
  } catch (error) {
    throw unwrapProtocolError(error, 'token_request_failed');
  }
  if (validated === undefined) throw new StepupRpError('id_token_missing', 'The provider sent no ID token.');
  // RFC 9449 5: a provider that ignores the proof answers token_type Bearer; the app asked for binding.
  if (dpop !== undefined && tokens.token_type !== 'dpop') {
    throw new StepupRpError('token_request_failed', 'The provider did not bind the tokens to the DPoP key.', {
      detail: `token_type ${tokens.token_type}`,
    });
  }
  return { validated, idToken, tokens, ...(dpop === undefined ? {} : { dpopKey: dpop.jwk }) };
}

/**
 * The callback route: checks the transaction (its own cookie, named by `state`, used once), redeems
 * the code with PKCE, validates the ID token (invariant 5), checks the policy the login was started
 * for, and only then replaces the session and returns to `returnTo`. A step-up that came back still
 * short of the policy — the provider ignored `acr_values`, or the person cancelled — ends in a 403
 * page saying what was required and what was received: never another redirect (the loop guard).
 */
export async function handleCallback(context: RpContext, request: Request): Promise<Response> {
  const { options } = context;
  const query = new URL(request.url).searchParams;
  const state = query.get('state') ?? '';
  const transaction = await context.transactions.read(request, state);
  const clear = context.transactions.delete(state);
  if (!transaction) {
    return failure(
      context,
      request,
      new StepupRpError(
        'transaction_missing',
        'This sign-in has expired or was started elsewhere. Please start again.',
        {
          detail: state === '' ? 'no state' : 'no intact transaction cookie for this state',
        },
      ),
      clear,
    );
  }
  let firstUse: boolean;
  try {
    firstUse = await context.usedStates.consume(state, transaction.createdAt + context.transactions.ttl);
  } catch (cause) {
    // Fail closed: without the replay check, no session.
    const unavailable = new StepupRpError('state_store_unavailable', 'The sign-in could not be checked.', {
      detail: `usedStateStore.consume: ${cause instanceof Error ? cause.message : String(cause)}`,
      cause,
    });
    return failure(context, request, unavailable, clear);
  }
  if (!firstUse) {
    return failure(
      context,
      request,
      new StepupRpError('transaction_replayed', 'This sign-in was already completed.'),
      clear,
    );
  }
  const { policy } = transaction;
  const known = {
    stepUp: policy !== undefined,
    retryUrl: loginRouteUrl(context, transaction.returnTo, policy),
  };
  const error = query.get('error');
  if (error !== null) {
    const description = query.get('error_description') ?? '';
    const stepUpError = new StepupRpError(
      'authorization_error',
      'The provider did not complete the sign-in.',
      {
        detail: `${error}: ${description}`,
      },
    );
    return failure(context, request, stepUpError, clear, {
      ...known,
      status: 403,
      title: policy ? 'The extra verification did not complete' : 'Sign-in did not complete',
      message: `The provider answered "${error}"${description ? `: ${description}` : ''}.`,
      required: policy ? describePolicy(policy) : ['a completed sign-in'],
      received: [`error: ${error}`],
      providerError: error,
      ...(description === '' ? {} : { providerErrorDescription: description }),
    });
  }

  let redeemed: Awaited<ReturnType<typeof redeem>>;
  try {
    redeemed = await redeem(context, request, transaction);
  } catch (caught) {
    const rpError =
      caught instanceof StepupRpError ? caught : unwrapProtocolError(caught, 'token_request_failed');
    return failure(context, request, rpError, clear, { stepUp: known.stepUp });
  }
  const { validated, idToken, tokens, dpopKey } = redeemed;
  const previous = await context.sessions.read(request);
  const authentication = mergeContext(validated, previous);

  if (policy) {
    const verdict = evaluatePolicy(authentication, policy, {
      ladder: options.ladder,
      now: options.clock(),
      skew: options.clockSkew,
    });
    if (!verdict.satisfied) {
      const unmet = new StepupRpError('step_up_unmet', 'The sign-in did not meet the route policy.', {
        detail: `unmet ${verdict.unmet.join(', ')} for sub ${validated.sub}`,
      });
      // The session is left as it was: neither upgraded nor replaced by the weaker sign-in.
      return failure(context, request, unmet, clear, {
        ...known,
        title: 'The extra verification was not enough',
        message:
          'This page needs a stronger or more recent sign-in than the provider confirmed. ' +
          'You were not sent back again automatically, so this cannot loop.',
        required: describePolicy(policy),
        received: describeContext(authentication, options.clock()),
        session: previous,
      });
    }
  }

  if (transaction.authorizationDetails !== undefined) {
    try {
      checkTransactionApproval({
        requested: transaction.authorizationDetails,
        idTokenDetails: validated.claims.authorization_details,
        tokenResponseDetails: tokens.authorization_details,
        authTime: validated.auth_time,
        startedAt: transaction.createdAt,
        now: options.clock(),
        skew: options.clockSkew,
      });
    } catch (caught) {
      if (!(caught instanceof StepupRpError)) throw caught;
      // Nothing is saved and nothing is retried: the app's action never runs on this approval.
      return failure(context, request, caught, clear, {
        ...known,
        retryUrl: new URL(transaction.returnTo, options.baseUrl).href,
        title: 'The approval does not match this request',
        message:
          'The provider confirmed something other than what this app asked you to approve, or an approval ' +
          'that is not a fresh one. Nothing was changed. You were not sent back again automatically.',
        session: previous,
      });
    }
  }

  const claims: Record<string, unknown> = {};
  // The time of reaching the level is in the session as `acr_time`, validated.
  const acrTimeClaim = acrTimeClaimName(idTokenExpectations(context).issuer);
  for (const [name, value] of Object.entries(validated.claims)) {
    if (!TOKEN_CLAIMS.includes(name) && name !== 'sub' && name !== acrTimeClaim) claims[name] = value;
  }
  const createdAt = options.clock();
  const session: RpSession = {
    sub: validated.sub,
    ...(validated.sid === undefined ? {} : { sid: validated.sid }),
    ...authentication,
    claims,
    idToken,
    accessToken: tokens.access_token,
    ...(typeof tokens.expires_in === 'number'
      ? { accessTokenExpiresAt: createdAt + Math.floor(tokens.expires_in) }
      : {}),
    ...(tokens.refresh_token === undefined ? {} : { refreshToken: tokens.refresh_token }),
    ...(tokens.scope === undefined ? {} : { scope: tokens.scope }),
    ...(dpopKey === undefined ? {} : { dpopKey }),
    createdAt,
    expiresAt: createdAt + options.sessionTtl,
    ...(transaction.authorizationDetails === undefined || validated.auth_time === undefined
      ? {}
      : {
          transactionApproval: {
            id: transaction.state,
            authorizationDetails: transaction.authorizationDetails,
            approvedAt: validated.auth_time,
          },
        }),
  };
  const response = new Response(null, {
    status: 303,
    headers: { location: new URL(transaction.returnTo, options.baseUrl).href, 'cache-control': 'no-store' },
  });
  return withCookies(response, [clear, ...(await context.sessions.write(request, session))]);
}

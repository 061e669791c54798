import { StepupRpError } from '../errors.ts';
import { describePolicy } from '../policy/describe-policy.ts';
import { evaluatePolicy } from '../policy/evaluate-policy.ts';
import type { ResolvedPolicy } from '../policy/step-up-policy.ts';
import { toSameOriginPath } from '../routes/return-to.ts';
import { loginRouteUrl, startLogin } from '../routes/start-login.ts';
import type { RpContext } from '../rp-context.ts';
import type { RpSession } from '../session/rp-session.ts';

/**
 * The outcome of a route guard: the session, or the response to send instead (a redirect to the
 * provider for a GET, a 401 JSON body for anything else).
 *
 * @example
 * ```ts
 * const outcome: GuardOutcome = await rp.requireStepUp('salary')(request);
 * if (!outcome.allowed) return outcome.response;
 * ```
 */
export type GuardOutcome = { allowed: true; session: RpSession } | { allowed: false; response: Response };

/**
 * A route guard over web-standard requests; adapters wrap it for Express and Hono.
 *
 * @example
 * ```ts
 * const guard: RouteGuard = rp.requireAuth();
 * const outcome = await guard(request);
 * ```
 */
export type RouteGuard = (request: Request) => Promise<GuardOutcome>;

/** Where to come back to: the request's own path for a GET; for other methods, the page it came from. */
export function returnPathOf(context: RpContext, request: Request): string {
  const origin = context.options.baseUrl.origin;
  const url = new URL(request.url);
  if (request.method === 'GET' || request.method === 'HEAD') {
    return toSameOriginPath(`${url.pathname}${url.search}`, origin) ?? '/';
  }
  const referer = request.headers.get('referer');
  const from = referer === null ? null : URL.parse(referer);
  return from?.origin === origin ? (toSameOriginPath(`${from.pathname}${from.search}`, origin) ?? '/') : '/';
}

/**
 * Builds the guard for `policy` (or for any signed-in session when there is none). A GET without a
 * satisfying session is redirected to the provider — with `acr_values`, `max_age`, and `prompt=login`
 * when only a fresher authentication will do — and comes back to the same URL. Any other method gets
 * a 401 with a JSON body holding the URL to start the step-up, instead of a redirect that would lose
 * the request body.
 */
export function createRouteGuard(context: RpContext, policy: ResolvedPolicy | undefined): RouteGuard {
  const { options } = context;
  return async (request) => {
    const session = await context.sessions.read(request);
    let forceLogin = false;
    if (session) {
      if (policy === undefined) return { allowed: true, session };
      const verdict = evaluatePolicy(session, policy, {
        ladder: options.ladder,
        now: options.clock(),
        skew: options.clockSkew,
      });
      if (verdict.satisfied) return { allowed: true, session };
      forceLogin = verdict.unmet.includes('max_age');
    }
    const returnTo = returnPathOf(context, request);
    if (request.method === 'GET' || request.method === 'HEAD') {
      return {
        allowed: false,
        response: await startLogin(context, { returnTo, ...(policy ? { policy } : {}), forceLogin }, request),
      };
    }
    const error = session
      ? new StepupRpError('step_up_unmet', 'This action needs a stronger or more recent sign-in.', {
          status: 401,
        })
      : new StepupRpError('session_missing', 'This action needs a signed-in session.');
    options.onError(error, request);
    const body = session
      ? {
          error: 'step_up_required',
          error_description: error.message,
          step_up_url: loginRouteUrl(context, returnTo, policy),
          required: policy ? describePolicy(policy) : [],
        }
      : {
          error: 'login_required',
          error_description: error.message,
          login_url: loginRouteUrl(context, returnTo, policy),
        };
    return {
      allowed: false,
      response: Response.json(body, { status: 401, headers: { 'cache-control': 'no-store' } }),
    };
  };
}

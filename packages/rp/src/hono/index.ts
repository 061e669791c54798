/**
 * `@stepup/rp/hono`: Hono middleware over the web-standard core (Hono already speaks `Request`).
 *
 * @packageDocumentation
 */
import type { MiddlewareHandler } from 'hono';
import type { AccessTokenClaims } from '../bearer/access-token-claims.ts';
import {
  checkTransactionToken,
  type TransactionTokenRequirement,
} from '../bearer/check-transaction-token.ts';
import type { BearerGuard, BearerRequirement } from '../bearer/create-bearer-guard.ts';
import type { StepupRp } from '../create-stepup-rp.ts';
import type { RouteGuard } from '../guards/route-guard.ts';
import type { TransactionDetailsOf, TransactionOptions } from '../guards/transaction-guard.ts';
import { isUnsupportedMethod, methodNotAllowed } from '../guards/unsupported-method.ts';
import type { StepUpPolicy } from '../policy/step-up-policy.ts';
import type { RpSession } from '../session/rp-session.ts';

/**
 * The context variables the middleware set; declare them on your app.
 *
 * @example
 * ```ts
 * const app = new Hono<{ Variables: StepupVariables }>();
 * app.get('/me', auth.requireAuth(), (c) => c.json({ sub: c.get('stepupSession').sub }));
 * ```
 */
export interface StepupVariables {
  stepupSession: RpSession;
  stepupToken: AccessTokenClaims;
}

type StepupEnv = { Variables: StepupVariables };

function guardMiddleware(guard: RouteGuard): MiddlewareHandler<StepupEnv> {
  return async (c, next) => {
    if (isUnsupportedMethod(c.req.method)) return methodNotAllowed();
    const outcome = await guard(c.req.raw);
    if (!outcome.allowed) return outcome.response;
    c.set('stepupSession', outcome.session);
    await next();
  };
}

/**
 * Hono middleware for one {@link StepupRp}: the routes, and guards that set `stepupSession`.
 *
 * @example
 * ```ts
 * const auth = createHonoAuth(rp);
 * app.use(auth.routes());
 * app.get('/salary', auth.requireStepUp('salary'), (c) => c.text(`hello ${c.get('stepupSession').sub}`));
 * ```
 */
export function createHonoAuth(rp: StepupRp): {
  routes(): MiddlewareHandler<StepupEnv>;
  requireAuth(): MiddlewareHandler<StepupEnv>;
  requireStepUp(policy: string | StepUpPolicy): MiddlewareHandler<StepupEnv>;
  requireTransaction(
    type: string,
    details: TransactionDetailsOf<Request>,
    options?: TransactionOptions,
  ): MiddlewareHandler<StepupEnv>;
} {
  return {
    routes() {
      return async (c, next) => {
        const response = await rp.handle(c.req.raw);
        if (response !== undefined) return response;
        await next();
      };
    },
    requireAuth: () => guardMiddleware(rp.requireAuth()),
    requireStepUp: (policy) => guardMiddleware(rp.requireStepUp(policy)),
    // The details usually come from the request: read them per request, from the web-standard one.
    requireTransaction: (type, details, options) => async (c, next) => {
      const resolved = typeof details === 'function' ? await details(c.req.raw) : details;
      return guardMiddleware(rp.requireTransaction(type, resolved, options))(c, next);
    },
  };
}

/**
 * Hono middleware for an API: verifies the bearer token and sets `stepupToken`; refuses with the
 * RFC 6750 / RFC 9470 answer otherwise.
 *
 * @example
 * ```ts
 * app.get('/api/salary', requireBearerToken(guard, { policy: 'salary' }), (c) => c.json({ sub: c.get('stepupToken').sub }));
 * ```
 */
export function requireBearerToken(
  guard: BearerGuard,
  requirement: BearerRequirement = {},
): MiddlewareHandler<StepupEnv> {
  return async (c, next) => {
    const result = await guard.check(c.req.raw, requirement);
    if (!result.ok) return result.response;
    c.set('stepupToken', result.token);
    await next();
  };
}

/**
 * Hono middleware for an API action that needs its own approval: the bearer token must approve
 * exactly the requirement's `authorization_details`, recently, once (see `checkTransactionToken`).
 * Its claims go to `c.get('stepupToken')`; anything else gets the RFC 9470 challenge.
 *
 * @example
 * ```ts
 * app.post('/api/payout', requireTransactionToken(guard, async (request) => ({
 *   type: 'payout_account_change', details: await request.clone().json(), usedApprovals,
 * })), (c) => c.body(null, 204));
 * ```
 */
export function requireTransactionToken(
  guard: BearerGuard,
  requirementOf: (request: Request) => TransactionTokenRequirement | Promise<TransactionTokenRequirement>,
): MiddlewareHandler<StepupEnv> {
  return async (c, next) => {
    const result = await checkTransactionToken(guard, c.req.raw, await requirementOf(c.req.raw));
    if (!result.ok) return result.response;
    c.set('stepupToken', result.token);
    await next();
  };
}

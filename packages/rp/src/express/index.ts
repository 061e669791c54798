/**
 * `@stepup/rp/express`: Express 5 middleware over the web-standard core.
 *
 * @packageDocumentation
 */
import type {
  Request as ExpressRequest,
  Response as ExpressResponse,
  NextFunction,
  RequestHandler,
} from 'express';
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
 * What the middleware leave in `res.locals.stepup`.
 *
 * @example
 * ```ts
 * const { session } = res.locals.stepup as StepupLocals;
 * ```
 */
export interface StepupLocals {
  session?: RpSession;
  token?: AccessTokenClaims;
}

/**
 * The web-standard `Request` for an Express request. The URL is built on the configured origin,
 * never on the `Host` header; the body is not read (the routes and guards do not need it).
 *
 * @example
 * ```ts
 * const request = toFetchRequest(req, rp.baseUrl);
 * ```
 */
export function toFetchRequest(req: ExpressRequest, baseUrl: URL): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item);
  }
  return new Request(new URL(req.originalUrl, baseUrl), { method: req.method, headers });
}

/**
 * Sends a web-standard `Response` through Express, keeping every `Set-Cookie`.
 *
 * @example
 * ```ts
 * await sendFetchResponse(res, Response.json({ ok: true }));
 * ```
 */
export async function sendFetchResponse(res: ExpressResponse, response: Response): Promise<void> {
  res.status(response.status);
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') res.setHeader(name, value);
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) res.setHeader('set-cookie', cookies);
  res.end(Buffer.from(await response.arrayBuffer()));
}

function locals(res: ExpressResponse): StepupLocals {
  res.locals.stepup ??= {};
  return res.locals.stepup as StepupLocals;
}

function guardMiddleware(rp: StepupRp, guard: RouteGuard): RequestHandler {
  return async (req: ExpressRequest, res: ExpressResponse, next: NextFunction) => {
    if (isUnsupportedMethod(req.method)) return sendFetchResponse(res, methodNotAllowed());
    const outcome = await guard(toFetchRequest(req, rp.baseUrl));
    if (!outcome.allowed) return sendFetchResponse(res, outcome.response);
    locals(res).session = outcome.session;
    next();
  };
}

/**
 * Express middleware for one {@link StepupRp}: the routes, and guards that put the session in
 * `res.locals.stepup.session` (read it with {@link getSession}).
 *
 * @example
 * ```ts
 * const auth = createExpressAuth(rp);
 * app.use(auth.routes());
 * app.get('/profile', auth.requireAuth(), (req, res) => res.json(getSession(res)));
 * app.get('/salary', auth.requireStepUp('salary'), (req, res) => res.send('…'));
 * app.get('/payout/confirm', auth.requireTransaction('payout_account_change', (req) => ({ iban: req.query.iban })), save);
 * ```
 */
export function createExpressAuth(rp: StepupRp): {
  routes(): RequestHandler;
  requireAuth(): RequestHandler;
  requireStepUp(policy: string | StepUpPolicy): RequestHandler;
  requireTransaction(
    type: string,
    details: TransactionDetailsOf<ExpressRequest>,
    options?: TransactionOptions,
  ): RequestHandler;
} {
  return {
    routes() {
      return async (req, res, next) => {
        // No route answers TRACE or CONNECT; the app's own handlers (or its 404) do.
        if (isUnsupportedMethod(req.method)) return next();
        const response = await rp.handle(toFetchRequest(req, rp.baseUrl));
        if (response === undefined) return next();
        return sendFetchResponse(res, response);
      };
    },
    requireAuth: () => guardMiddleware(rp, rp.requireAuth()),
    requireStepUp: (policy) => guardMiddleware(rp, rp.requireStepUp(policy)),
    // The details usually come from the request (a query or a parsed body): read them per request.
    requireTransaction: (type, details, options) => async (req, res, next) => {
      const guard = rp.requireTransaction(
        type,
        typeof details === 'function' ? await details(req) : details,
        options,
      );
      return guardMiddleware(rp, guard)(req, res, next);
    },
  };
}

/**
 * The session a guard let through; throws a `TypeError` when no guard ran for this route.
 *
 * @example
 * ```ts
 * app.get('/me', auth.requireAuth(), (req, res) => res.json({ sub: getSession(res).sub }));
 * ```
 */
export function getSession(res: ExpressResponse): RpSession {
  const session = (res.locals.stepup as StepupLocals | undefined)?.session;
  if (!session) throw new TypeError('getSession: no @stepup/rp guard ran for this route');
  return session;
}

/**
 * Express middleware for an API: verifies the bearer token for `requirement` and puts its claims in
 * `res.locals.stepup.token`; refuses with the RFC 6750 / RFC 9470 answer otherwise.
 *
 * @example
 * ```ts
 * app.get('/api/salary', requireBearerToken(guard, { scopes: ['payroll:read'], policy: 'salary' }), (req, res) =>
 *   res.json({ for: res.locals.stepup.token.sub }),
 * );
 * ```
 */
export function requireBearerToken(guard: BearerGuard, requirement: BearerRequirement = {}): RequestHandler {
  return async (req, res, next) => {
    const headers = new Headers();
    const authorization = req.headers.authorization;
    if (authorization !== undefined) headers.set('authorization', authorization);
    const result = await guard.check(new Request('http://localhost/', { headers }), requirement);
    if (!result.ok) return sendFetchResponse(res, result.response);
    locals(res).token = result.token;
    next();
  };
}

/**
 * Express middleware for an API action that needs its own approval: the bearer token must approve
 * exactly the requirement's `authorization_details`, recently, once (see `checkTransactionToken`).
 * Its claims go to `res.locals.stepup.token`; anything else gets the RFC 9470 challenge.
 *
 * @example
 * ```ts
 * app.post('/api/payout', express.json(), requireTransactionToken(guard, (req) => ({
 *   type: 'payout_account_change', details: { iban: req.body.iban, holder: req.body.holder }, usedApprovals,
 * })), (req, res) => res.status(204).end());
 * ```
 */
export function requireTransactionToken(
  guard: BearerGuard,
  requirementOf: (req: ExpressRequest) => TransactionTokenRequirement | Promise<TransactionTokenRequirement>,
): RequestHandler {
  return async (req, res, next) => {
    const headers = new Headers();
    const authorization = req.headers.authorization;
    if (authorization !== undefined) headers.set('authorization', authorization);
    const request = new Request('http://localhost/', { headers });
    const result = await checkTransactionToken(guard, request, await requirementOf(req));
    if (!result.ok) return sendFetchResponse(res, result.response);
    locals(res).token = result.token;
    next();
  };
}

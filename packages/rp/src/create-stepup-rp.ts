import type { StepUpParameters } from './client/read-step-up-challenge.ts';
import { checkRpOptions, type StepupRpOptions } from './config/rp-options.ts';
import { createRouteGuard, type RouteGuard } from './guards/route-guard.ts';
import {
  createTransactionGuard,
  resolveTransactionOptions,
  type TransactionOptions,
} from './guards/transaction-guard.ts';
import { type StepUpPolicy, selectPolicy } from './policy/step-up-policy.ts';
import { fetchProtectedResource } from './routes/fetch-protected-resource.ts';
import { handleCallback } from './routes/handle-callback.ts';
import { handleLogin } from './routes/handle-login.ts';
import { handleLogout } from './routes/handle-logout.ts';
import { type RefreshedSession, refreshSession } from './routes/refresh-session.ts';
import { toSameOriginPath } from './routes/return-to.ts';
import { createRpContext } from './rp-context.ts';
import type { RpSession } from './session/rp-session.ts';

/**
 * The SDK for one web application, over web-standard `Request` and `Response`: its routes, its
 * guards and its session. Framework adapters (`@stepup/rp/express`, `@stepup/rp/hono`) wrap it.
 *
 * @example
 * ```ts
 * // A Next.js route handler (app/auth/[...stepup]/route.ts):
 * export const GET = async (request: Request) => (await rp.handle(request)) ?? new Response(null, { status: 404 });
 * export const POST = GET;
 * ```
 */
export interface StepupRp {
  /** The application's origin, as configured. */
  readonly baseUrl: URL;
  /** The configured route paths. */
  readonly routes: Readonly<{ login: string; callback: string; logout: string }>;
  /** Answers the login, callback and logout routes; undefined for any other request. */
  handle(request: Request): Promise<Response | undefined>;
  /** The session of a request, if any; nothing is checked beyond its integrity and expiry. */
  getSession(request: Request): Promise<RpSession | undefined>;
  /** A guard letting through any signed-in session. */
  requireAuth(): RouteGuard;
  /** A guard letting through sessions that satisfy `policy` (a configured name or a policy object). */
  requireStepUp(policy: string | StepUpPolicy): RouteGuard;
  /**
   * A guard letting a request through only with a fresh, unused approval of exactly these
   * `authorization_details` (`[{ type, ...details }]`, RFC 9396); otherwise a step-up showing them.
   * The approval is used up by the request it lets through. `policy` is what the approving
   * authentication must meet (default: multi-factor); `approvalMaxAge` (default 300 seconds) how long
   * after it the approval may be used; `resource` the RFC 8707 resource indicator of this
   * transaction's authorization request, in place of the SDK-wide one.
   */
  requireTransaction(
    type: string,
    details: Record<string, unknown>,
    options?: TransactionOptions,
  ): RouteGuard;
  /** The URL of the login route, e.g. with the parameters of an RFC 9470 challenge. */
  loginUrl(options?: { returnTo?: string; policy?: string } & StepUpParameters): string;
  /** New tokens from the refresh token; the authentication context is never changed by it. */
  refresh(request: Request): Promise<RefreshedSession>;
  /**
   * Calls an API with the session's access token — with a DPoP proof from the session's key when the
   * token is DPoP-bound. Throws `session_missing` without a session or access token.
   *
   * @example
   * ```ts
   * const response = await rp.fetchProtectedResource(request, 'https://api.example.com/salaries');
   * ```
   */
  fetchProtectedResource(
    request: Request,
    url: string | URL,
    init?: { method?: string; headers?: HeadersInit; body?: string | Uint8Array | URLSearchParams },
  ): Promise<Response>;
}

/**
 * Creates the SDK: checks the options (a `TypeError` names a bad one), discovers the provider and
 * loads its keys. Rejects with a `StepupRpError` (`discovery_failed`, `jwks_unavailable`) when the
 * provider cannot be reached.
 *
 * @example
 * ```ts
 * const rp = await createStepupRp({
 *   issuer: 'https://idp.example.com',
 *   clientId: 'salary',
 *   clientSecret: process.env.CLIENT_SECRET,
 *   baseUrl: 'https://salary.example.com',
 *   sessionSecret: process.env.SESSION_SECRET ?? '',
 *   policies: { salary: { amr: ['mfa'] } },
 * });
 * const outcome = await rp.requireStepUp('salary')(request);
 * if (!outcome.allowed) return outcome.response;
 * ```
 */
export async function createStepupRp(options: StepupRpOptions): Promise<StepupRp> {
  const checked = checkRpOptions(options);
  const context = await createRpContext(checked);
  const { routes, ladder, policies } = checked;
  const authGuard = createRouteGuard(context, undefined);

  return {
    baseUrl: checked.baseUrl,
    routes,
    async handle(request) {
      const { pathname } = new URL(request.url);
      const method = request.method;
      if (pathname === routes.login && method === 'GET') return handleLogin(context, request);
      if (pathname === routes.callback && method === 'GET') return handleCallback(context, request);
      if (pathname === routes.logout && (method === 'GET' || method === 'POST'))
        return handleLogout(context, request);
      return undefined;
    },
    getSession: (request) => context.sessions.read(request),
    requireAuth: () => authGuard,
    requireStepUp(policy) {
      return createRouteGuard(context, selectPolicy(policy, policies, ladder));
    },
    requireTransaction(type, details, transactionOptions = {}) {
      const guardOptions = resolveTransactionOptions(transactionOptions, (policy) =>
        selectPolicy(policy, policies, ladder),
      );
      return createTransactionGuard(context, type, details, guardOptions);
    },
    loginUrl(parameters = {}) {
      const url = new URL(routes.login, checked.baseUrl);
      url.searchParams.set(
        'returnTo',
        toSameOriginPath(parameters.returnTo ?? '/', checked.baseUrl.origin) ?? '/',
      );
      if (parameters.policy !== undefined) {
        selectPolicy(parameters.policy, policies, ladder);
        url.searchParams.set('policy', parameters.policy);
      }
      if (parameters.acr_values !== undefined) url.searchParams.set('acr_values', parameters.acr_values);
      if (parameters.max_age !== undefined) url.searchParams.set('max_age', String(parameters.max_age));
      return url.href;
    },
    refresh: (request) => refreshSession(context, request),
    fetchProtectedResource: (request, url, init) => fetchProtectedResource(context, request, url, init),
  };
}

import type { StepupRpError } from '../errors.ts';
import type { RpSession } from '../session/rp-session.ts';
import { renderSignInErrorPage } from './sign-in-error-page.ts';

/**
 * Everything known about a sign-in or step-up that ended at the callback without a new session: what
 * an app's {@link ErrorPage} needs to say why and what to do. The session is unchanged by the failure.
 *
 * @example
 * ```ts
 * const errorPage: ErrorPage = (details: SignInErrorDetails) =>
 *   details.error.code === 'step_up_unmet'
 *     ? `<h1>A second step is needed</h1><p>Required: ${details.required?.join(', ')}</p>`
 *     : `<h1>Sign-in did not complete</h1><p>${details.message}</p>`;
 * ```
 */
export interface SignInErrorDetails {
  /**
   * The failure: its stable `code` says which (`step_up_unmet` is the loop guard, `authorization_error`
   * the provider answering an error, `transaction_missing`/`transaction_replayed` a stale or reused
   * callback, the token codes a refused ID token). Its `detail` is for logs only, never for the page.
   */
  error: StepupRpError;
  /** The status the page is sent with: 403 for the loop guard and for provider errors, else the error's. */
  status: number;
  /** The default page's title and message, in English: safe to show, or write your own. */
  title: string;
  message: string;
  /** What the route's policy required, in words; set for the loop guard and for provider errors. */
  required?: string[];
  /** What the sign-in proved (loop guard) or what the provider answered, in words. */
  received?: string[];
  /** True when the sign-in was started by a step-up guard (a policy), false for a plain sign-in or an unknown transaction. */
  stepUp: boolean;
  /** The provider's `error` and `error_description` from the callback URL, when it sent them (escape before showing). */
  providerError?: string;
  providerErrorDescription?: string;
  /** Starts the same sign-in again (same policy, same return path); set when the transaction was known. */
  retryUrl?: string;
  /** The application's start page. */
  homeUrl: string;
  /** The session from before this callback, if the person has one: a failure neither replaces nor upgrades it. */
  session?: RpSession;
  /** The callback request. */
  request: Request;
}

/**
 * Renders the page for a failed sign-in or step-up, instead of the built-in one. Return HTML (sent
 * with `details.status`, `text/html` and `cache-control: no-store`) or a whole `Response` (sent as it
 * is). Either way `@stepup/rp` adds its cookies (the cleared login transaction). A redirect is refused
 * with a `TypeError`: the loop guard's answer is a page, never another trip to the provider.
 *
 * @example
 * ```ts
 * const rp = await createStepupRp({
 *   ...options,
 *   errorPage: (details) => renderMyProblemPage(details.error.code, details.session !== undefined),
 * });
 * ```
 */
export type ErrorPage = (details: SignInErrorDetails) => string | Response | Promise<string | Response>;

/** The app's page for `details` through `errorPage`, or the built-in one; `cookies` are added to it. */
export async function respondWithErrorPage(
  errorPage: ErrorPage | undefined,
  details: SignInErrorDetails,
  cookies: readonly (string | undefined)[],
): Promise<Response> {
  let response: Response;
  if (errorPage === undefined) {
    response = renderSignInErrorPage({ ...details, code: details.error.code });
  } else {
    const page = await errorPage(details);
    if (typeof page === 'string') {
      response = new Response(page, {
        status: details.status,
        headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' },
      });
    } else if (page instanceof Response) {
      if (page.status >= 300 && page.status < 400) {
        throw new TypeError('@stepup/rp: errorPage must not redirect (the loop guard answers with a page)');
      }
      // A copy: the app's Response may have immutable headers (Response.json, a fetch answer).
      response = new Response(page.body, page);
    } else {
      throw new TypeError('@stepup/rp: errorPage must return an HTML string or a Response');
    }
  }
  for (const cookie of cookies) if (cookie !== undefined) response.headers.append('set-cookie', cookie);
  return response;
}

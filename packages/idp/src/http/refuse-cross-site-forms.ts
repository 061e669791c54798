import type { FastifyInstance, FastifyRequest } from 'fastify';
import { renderErrorPage } from '../interaction/views/error-page.ts';

/** The login pages and the account page: browser forms that a cookie authenticates. */
const COOKIE_FORM_PREFIXES = ['/interaction/', '/account'];
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Defence in depth behind the forms' CSRF tokens: a state-changing request to the login or account
 * pages that the browser says was sent by another site (or a sibling subdomain) is refused with 403
 * before any route runs. Fetch Metadata (`Sec-Fetch-Site`) is the browser's own statement; `Origin`
 * is checked too for browsers without it. The provider's pages send `Referrer-Policy: no-referrer`,
 * under which browsers send `Origin: null` on their own form posts (Fetch, "append a request
 * `Origin` header"), so `null` passes and the token alone decides then.
 */
export function refuseCrossSiteForms(app: FastifyInstance, issuer: string): void {
  const ownOrigin = new URL(issuer).origin;
  app.addHook('onRequest', async (request, reply) => {
    if (SAFE_METHODS.has(request.method) || !isCookieForm(request)) return;
    if (!isSentByAnotherSite(request, ownOrigin)) return;
    return reply
      .code(403)
      .type('text/html; charset=utf-8')
      .send(
        renderErrorPage({
          title: 'This form came from another site',
          message: 'Your browser sent this form from a page that is not ours. Nothing was changed.',
          hint: 'Open the sign-in or account page directly and try again.',
        }),
      );
  });
}

function isCookieForm(request: FastifyRequest): boolean {
  const route = request.routeOptions.url ?? '';
  return COOKIE_FORM_PREFIXES.some((prefix) => route.startsWith(prefix));
}

function isSentByAnotherSite(request: FastifyRequest, ownOrigin: string): boolean {
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return true;
  const origin = request.headers.origin;
  return origin !== undefined && origin !== 'null' && origin !== ownOrigin;
}

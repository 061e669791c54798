import type { RequestHandler } from 'express';

/**
 * Headers for every answer. The CSP allows this origin's stylesheet and images and nothing else: no
 * script at all, nothing inline. Forms may post here and, through the logout redirect, to the
 * provider (browsers apply `form-action` to a form's redirects too).
 */
export function securityHeaders(providerOrigin: string): RequestHandler {
  const csp = [
    "default-src 'none'",
    "style-src 'self'",
    "img-src 'self'",
    `form-action 'self' ${providerOrigin}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');
  return (_req, res, next) => {
    res.setHeader('content-security-policy', csp);
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('referrer-policy', 'same-origin');
    res.setHeader('cross-origin-opener-policy', 'same-origin');
    res.setHeader('x-frame-options', 'DENY');
    next();
  };
}

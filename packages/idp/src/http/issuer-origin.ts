import type { FastifyInstance } from 'fastify';
import type Provider from 'oidc-provider';

/**
 * Every request is taken to have come to the configured issuer: its scheme and host are the
 * issuer's, whatever `Host`, `X-Forwarded-Host`, `X-Forwarded-Proto` or an absolute-form request
 * target say. Absolute URLs (discovery, redirects, the `iss` of an authorization response) and the
 * `Secure` flag of cookies are then the issuer's own, so a forged header cannot point a browser or a
 * relying party elsewhere, nor downgrade a cookie behind a proxy that terminates TLS. What proxies
 * legitimately tell, the client address, is read from `X-Forwarded-For` (http/trusted-proxies.ts).
 */
export function pinRequestOriginToIssuer(app: FastifyInstance, issuer: string): void {
  const { protocol, host, hostname } = issuerOrigin(issuer);
  app.addHook('onRequest', async (request) => {
    // Fastify's getters read the socket and the forwarded headers; own properties shadow them.
    Object.defineProperties(request, {
      protocol: { value: protocol },
      host: { value: host },
      hostname: { value: hostname },
    });
  });
}

/** The same for oidc-provider (Koa), which builds its absolute URLs from `ctx.href`. */
export function pinProviderOriginToIssuer(provider: Provider, issuer: string): void {
  const { protocol, host, hostname, origin } = issuerOrigin(issuer);
  provider.use(async (ctx, next) => {
    // Koa's `href` returns an absolute-form target as it came; only its path and query are kept.
    const target = new URL(ctx.request.originalUrl, origin);
    Object.defineProperties(ctx.request, {
      protocol: { value: protocol },
      host: { value: host },
      hostname: { value: hostname },
      href: { value: `${origin}${target.pathname}${target.search}` },
    });
    await next();
  });
}

function issuerOrigin(issuer: string) {
  const url = new URL(issuer);
  return { protocol: url.protocol.slice(0, -1), host: url.host, hostname: url.hostname, origin: url.origin };
}

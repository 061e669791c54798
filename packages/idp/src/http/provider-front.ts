import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { runWithRequestIp } from '../log/request-ip-context.ts';
import { isProviderPath } from '../oidc/provider-routes.ts';
import type { SecurityHeaders } from './security-headers.ts';

/** Fastify's default: an idle keep-alive connection stays open 72 s (longer than most load balancers'). */
const KEEP_ALIVE_TIMEOUT_MS = 72_000;

export interface ProviderFrontOptions {
  /** Serves one request on oidc-provider (`ProviderMount.handle`). */
  serveProvider: (request: IncomingMessage, response: ServerResponse) => void;
  clientAddress: (request: IncomingMessage) => string;
  headers: SecurityHeaders;
}

/**
 * The HTTP server in front of the app (Fastify's `serverFactory`): oidc-provider's paths go straight
 * to oidc-provider, every other path to Fastify. oidc-provider is a complete Koa application that
 * reads its own cookies and bodies, so Fastify had nothing to do for its paths but routing them to a
 * middleware; skipping it takes Fastify's routing, hooks, per-request logger and request and reply
 * objects off every protocol request, the busiest path. What those requests did get from Fastify,
 * they get here: the security headers every response carries, and the client address by the same
 * `trustProxy` rules, kept as the request's IP while it is served (log/request-ip-context.ts), which
 * oidc-provider then uses (`useRequestClientAddress`).
 */
export function createProviderFront(
  fastifyHandler: (request: IncomingMessage, response: ServerResponse) => void,
  options: () => ProviderFrontOptions | undefined,
): Server {
  const server = createServer((request, response) => {
    const front = options();
    const pathname = pathnameOf(request.url);
    if (!front || pathname === undefined || !isProviderPath(pathname)) {
      fastifyHandler(request, response);
      return;
    }
    for (const [name, value] of front.headers) response.setHeader(name, value);
    runWithRequestIp(front.clientAddress(request), () => front.serveProvider(request, response));
  });
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  return server;
}

/**
 * The path of a request target, or undefined for a target that is no URL (`http://[`): Node's HTTP
 * parser lets such targets through, and a throw here would end the process.
 */
function pathnameOf(target = '/'): string | undefined {
  return URL.canParse(target, 'http://localhost') ? new URL(target, 'http://localhost').pathname : undefined;
}

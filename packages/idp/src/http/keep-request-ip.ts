import type { FastifyInstance } from 'fastify';
import { runWithRequestIp } from '../log/request-ip-context.ts';

/**
 * Makes each request's client IP (`request.ip`, which honours `trustProxy`) the current one while
 * Fastify serves it. Twice: from `onRequest`, for the hooks that run before the body is read; and
 * again from `preHandler`, because a parsed body resumes the request from the socket's own context
 * rather than the one `onRequest` set. oidc-provider's paths get theirs from provider-front.ts.
 */
export function keepRequestIp(app: FastifyInstance): void {
  app.addHook('onRequest', (request, _reply, done) => runWithRequestIp(request.ip, done));
  app.addHook('preHandler', (request, _reply, done) => runWithRequestIp(request.ip, done));
}

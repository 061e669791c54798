import type { FastifyInstance } from 'fastify';
import { runWithRequestIp } from '../log/request-ip-context.ts';

/**
 * Makes each request's client IP (`request.ip`, which honours `trustProxy`) the current one while it
 * is served. Twice: from `onRequest`, so the middleware that hands protocol requests to oidc-provider
 * runs inside it; and again from `preHandler`, because a parsed body resumes the request from the
 * socket's own context rather than the one `onRequest` set.
 */
export function keepRequestIp(app: FastifyInstance): void {
  app.addHook('onRequest', (request, _reply, done) => runWithRequestIp(request.ip, done));
  app.addHook('preHandler', (request, _reply, done) => runWithRequestIp(request.ip, done));
}

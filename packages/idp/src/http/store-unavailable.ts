import type { FastifyError, FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { renderErrorPage } from '../interaction/views/error-page.ts';
import type { ProviderMount } from '../oidc/provider-mount.ts';
import { isStoreUnavailable } from '../store/errors.ts';

/** What a client is told to wait before retrying (RFC 9110 section 10.2.3). */
export const RETRY_AFTER_SECONDS = 5;

/**
 * The JSON answer while the store is unavailable. `temporarily_unavailable` is OAuth's own code for
 * a passing outage (RFC 6749 section 4.1.2.1).
 */
export const STORE_UNAVAILABLE_BODY = {
  error: 'temporarily_unavailable',
  error_description: 'storage unavailable, retry',
} as const;

function storeUnavailablePage(reference: string | undefined): string {
  return renderErrorPage({
    title: 'Temporarily unavailable',
    message: 'The sign-in service cannot reach its storage right now.',
    hint: 'Wait a few seconds, then try again.',
    reference,
  });
}

function wantsHtml(accept: string | undefined): boolean {
  return accept?.includes('text/html') ?? false;
}

/**
 * Answers 503 with `Retry-After` — an HTML page to browsers, `STORE_UNAVAILABLE_BODY` to the rest —
 * when the store is unavailable: from Fastify's routes, and from oidc-provider's endpoints, which
 * would otherwise answer 500 `server_error` (each instance the mount serves). Other errors keep their
 * usual handling.
 */
export function answerStoreUnavailable(
  app: FastifyInstance,
  providers: Pick<ProviderMount, 'prepareEach'>,
  logger: Logger,
): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    // Anything else goes on to Fastify's default handler.
    if (!isStoreUnavailable(error)) throw error;
    logger.warn({ err: error, reference: request.id }, 'store unavailable; answered 503');
    reply.code(503).header('retry-after', String(RETRY_AFTER_SECONDS));
    if (wantsHtml(request.headers.accept))
      return reply.type('text/html; charset=utf-8').send(storeUnavailablePage(request.id));
    return reply.send(STORE_UNAVAILABLE_BODY);
  });

  // oidc-provider turns an error it does not know into a 500 and then emits `server_error` with the
  // error: remember those requests, and rewrite their answer once the endpoint has finished.
  const failedOnStore = new WeakSet<object>();
  providers.prepareEach((provider) => {
    provider.on('server_error', (ctx: object, error: unknown) => {
      if (isStoreUnavailable(error)) failedOnStore.add(ctx);
    });
    provider.use(async (ctx, next) => {
      await next();
      // A redirect already carries `server_error` back to the application; leave it as it is.
      if (!failedOnStore.has(ctx) || ctx.status !== 500) return;
      logger.warn({ path: ctx.path }, 'store unavailable; answered 503');
      ctx.status = 503;
      ctx.set('retry-after', String(RETRY_AFTER_SECONDS));
      if (ctx.response.is('html')) ctx.body = storeUnavailablePage(undefined);
      else ctx.body = STORE_UNAVAILABLE_BODY;
    });
  });
}

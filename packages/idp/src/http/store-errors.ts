import type { FastifyError, FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { renderErrorPage } from '../interaction/views/error-page.ts';
import type { ProviderMount } from '../oidc/provider-mount.ts';
import { isStoreInputError, isStoreUnavailable } from '../store/errors.ts';

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

/**
 * The JSON answer to input the store can not hold (U+0000 in a field): OAuth's `invalid_request`,
 * since no valid request carries such a character.
 */
export const STORE_INPUT_BODY = {
  error: 'invalid_request',
  error_description: 'the request contains a character that is not allowed (U+0000); remove it and retry',
} as const;

function storeInputPage(reference: string | undefined): string {
  return renderErrorPage({
    title: 'Request not accepted',
    message: 'Something you sent contains a character that is not allowed.',
    hint: 'Go back, check what you typed, and try again.',
    reference,
  });
}

function wantsHtml(accept: string | undefined): boolean {
  return accept?.includes('text/html') ?? false;
}

/**
 * Answers the store's own failures instead of a 500, from Fastify's routes and from oidc-provider's
 * endpoints, which would otherwise answer `server_error` (each instance the mount serves): 503 with
 * `Retry-After` while the store is unavailable, 400 for input it can not hold — an HTML page to
 * browsers, `STORE_UNAVAILABLE_BODY` / `STORE_INPUT_BODY` to the rest. Other errors keep their usual
 * handling.
 */
export function answerStoreErrors(
  app: FastifyInstance,
  providers: Pick<ProviderMount, 'prepareEach'>,
  logger: Logger,
): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (isStoreInputError(error)) {
      logger.info({ err: error, reference: request.id }, 'input the store can not hold; answered 400');
      reply.code(400);
      if (wantsHtml(request.headers.accept))
        return reply.type('text/html; charset=utf-8').send(storeInputPage(request.id));
      return reply.send(STORE_INPUT_BODY);
    }
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
  const failedOnStore = new WeakMap<object, 'unavailable' | 'input'>();
  providers.prepareEach((provider) => {
    provider.on('server_error', (ctx: object, error: unknown) => {
      if (isStoreUnavailable(error)) failedOnStore.set(ctx, 'unavailable');
      else if (isStoreInputError(error)) failedOnStore.set(ctx, 'input');
    });
    provider.use(async (ctx, next) => {
      await next();
      const failure = failedOnStore.get(ctx);
      // A redirect already carries `server_error` back to the application; leave it as it is.
      if (failure === undefined || ctx.status !== 500) return;
      const html = ctx.response.is('html');
      if (failure === 'input') {
        logger.info({ path: ctx.path }, 'input the store can not hold; answered 400');
        ctx.status = 400;
        ctx.body = html ? storeInputPage(undefined) : STORE_INPUT_BODY;
        return;
      }
      logger.warn({ path: ctx.path }, 'store unavailable; answered 503');
      ctx.status = 503;
      ctx.set('retry-after', String(RETRY_AFTER_SECONDS));
      ctx.body = html ? storeUnavailablePage(undefined) : STORE_UNAVAILABLE_BODY;
    });
  });
}

import { readFileSync } from 'node:fs';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type Provider from 'oidc-provider';
import type { Logger } from 'pino';
import { registerAccountRoutes } from '../account/account-routes.ts';
import type { BackgroundMail } from '../accounts/background-mail.ts';
import type { ActionSandbox } from '../actions/sandbox/action-sandbox.ts';
import { registerDashboardRoutes } from '../dashboard/dashboard-routes.ts';
import type { InteractionKit } from '../interaction/interaction-kit.ts';
import {
  type InteractionRouteDependencies,
  registerInteractionRoutes,
} from '../interaction/interaction-routes.ts';
import { ProviderMount } from '../oidc/provider-mount.ts';
import { registerPasswordResetRoutes } from '../password-reset/password-reset-routes.ts';
import { clientAddressOf } from './client-address.ts';
import { pinRequestOriginToIssuer } from './issuer-origin.ts';
import { useLimitedJsonParser } from './json-body-parser.ts';
import { keepRequestIp } from './keep-request-ip.ts';
import { createProviderFront, type ProviderFrontOptions } from './provider-front.ts';
import { refuseCrossSiteForms } from './refuse-cross-site-forms.ts';
import { securityHeaders } from './security-headers.ts';
import { serveStaticAsset } from './static-asset.ts';
import { answerStoreErrors } from './store-errors.ts';
import { trustProxyOption } from './trusted-proxies.ts';

const STYLESHEET = readFileSync(new URL('../interaction/assets/stepup.css', import.meta.url));

/** One route Fastify serves, as registered (the `url` keeps its `:param` placeholders). */
export interface ServedRoute {
  method: string;
  url: string;
}

export interface ServerDependencies extends InteractionRouteDependencies {
  /** The reset links and password-changed notices, sent without holding up the page. */
  accountMail: BackgroundMail;
  provider: Provider;
  logger: Logger;
  cookieKeys: string[];
  /** Shared with the login flow, so the admin API's test runs use the same workers. */
  actionSandbox?: ActionSandbox;
}

/**
 * The HTTP front of the provider: Fastify serves the login pages and hands every oidc-provider path
 * to oidc-provider without Fastify (provider-front.ts). Security headers apply to both.
 */
export async function createServer(deps: ServerDependencies): Promise<{
  app: FastifyInstance;
  interactionKit: InteractionKit;
  /** Where the oidc-provider instance serving the protocol endpoints is swapped (key rotation). */
  providerMount: ProviderMount;
  /** Every route registered on the app, the ones added later included (for sweeps over all of them). */
  routes: readonly ServedRoute[];
}> {
  const { config, provider } = deps;
  const https = new URL(config.issuer).protocol === 'https:';
  const trustProxy = trustProxyOption(config.trustProxy);
  // Set once the provider is mounted; until then (never, in practice: nothing listens yet) every
  // request goes to Fastify.
  let front: ProviderFrontOptions | undefined;
  const app = Fastify({
    // oidc-provider's paths never reach Fastify (provider-front.ts).
    serverFactory: (handler) => createProviderFront(handler, () => front),
    // Request logs stay off at info; errors still reach the log.
    loggerInstance: deps.logger.child({ component: 'http' }, { level: 'warn' }) as FastifyBaseLogger,
    trustProxy,
    bodyLimit: 64 * 1024,
  });
  useLimitedJsonParser(app);
  // Before every route: audit events take the IP from it.
  keepRequestIp(app);
  const routes: ServedRoute[] = [];
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routes.push({ method, url: route.url });
  });

  // Every response carries the security headers: Fastify's routes from here, oidc-provider's paths
  // from the front (provider-front.ts).
  const headers = securityHeaders({ https });
  const headerObject = Object.fromEntries(headers);
  app.addHook('onRequest', (_request, reply, done) => {
    reply.headers(headerObject);
    done();
  });
  await app.register(cookie, { secret: deps.cookieKeys });
  await app.register(formbody);
  // While the database is down (or restarting), requests fail fast with a 503 the client may retry.
  const providerMount = new ProviderMount(provider);
  answerStoreErrors(app, providerMount, deps.logger);
  front = {
    serveProvider: (request, response) => providerMount.handle(request, response),
    clientAddress: clientAddressOf(trustProxy),
    headers,
  };
  // Fastify's routes only: oidc-provider's paths are pinned on its own side (pinProviderOriginToIssuer),
  // and are not made to pay for Fastify's copy of the request's origin.
  pinRequestOriginToIssuer(app, config.issuer);

  app.addHook('onSend', async (_request, reply, payload) => {
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    return payload;
  });

  app.get('/assets/stepup.css', async (_request, reply) =>
    reply.header('cache-control', 'public, max-age=3600').type('text/css; charset=utf-8').send(STYLESHEET),
  );
  serveStaticAsset(
    app,
    '/assets/recovery-codes.js',
    new URL('../interaction/assets/recovery-codes.js', import.meta.url),
    {
      contentType: 'text/javascript; charset=utf-8',
    },
  );
  app.get('/healthz', async () => ({ status: 'ok' }));
  refuseCrossSiteForms(app, config.issuer);
  const interactionKit = registerInteractionRoutes(app, deps);
  registerAccountRoutes(app, deps);
  registerPasswordResetRoutes(app, deps);
  registerDashboardRoutes(app, { issuer: config.issuer });
  return { app, interactionKit, providerMount, routes };
}

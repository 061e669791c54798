import { readFileSync } from 'node:fs';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import helmet from '@fastify/helmet';
import middie from '@fastify/middie';
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
import { isProviderPath } from '../oidc/provider-routes.ts';
import { registerPasswordResetRoutes } from '../password-reset/password-reset-routes.ts';
import { pinRequestOriginToIssuer } from './issuer-origin.ts';
import { useLimitedJsonParser } from './json-body-parser.ts';
import { keepRequestIp } from './keep-request-ip.ts';
import { refuseCrossSiteForms } from './refuse-cross-site-forms.ts';
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
 * to oidc-provider before Fastify parses the body. Security headers apply to both.
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
  const app = Fastify({
    // Request logs stay off at info; errors still reach the log.
    loggerInstance: deps.logger.child({ component: 'http' }, { level: 'warn' }) as FastifyBaseLogger,
    trustProxy: trustProxyOption(config.trustProxy),
    bodyLimit: 64 * 1024,
  });
  useLimitedJsonParser(app);
  // Before the middleware (oidc-provider) and every route: audit events take the IP from it.
  keepRequestIp(app);
  const routes: ServedRoute[] = [];
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routes.push({ method, url: route.url });
  });

  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'none'"],
        styleSrc: ["'self'"],
        // Scripts only from /assets (WebAuthn pages; push waits on its stream), never inline; they
        // talk to this origin only.
        scriptSrc: ["'self'"],
        connectSrc: ["'self'"],
        // The authenticator app's web manifest (its service worker falls back to script-src).
        manifestSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        // No form-action: browsers apply it to the redirect back to the application after a form post.
      },
    },
    strictTransportSecurity: https ? { maxAge: 31536000, includeSubDomains: true } : false,
    referrerPolicy: { policy: 'no-referrer' },
    crossOriginEmbedderPolicy: false,
  });
  await app.register(cookie, { secret: deps.cookieKeys });
  await app.register(formbody);
  await app.register(middie);
  // While the database is down (or restarting), requests fail fast with a 503 the client may retry.
  const providerMount = new ProviderMount(provider);
  answerStoreErrors(app, providerMount, deps.logger);

  app.use((request, response, next) => {
    const pathname = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (isProviderPath(pathname)) {
      providerMount.handle(request, response);
      return;
    }
    next();
  });
  // After the mount: oidc-provider's paths are pinned on its own side (pinProviderOriginToIssuer),
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

import type { FastifyInstance } from 'fastify';
import { serveStaticAsset } from '../http/static-asset.ts';
import { renderPushAuthenticatorPage } from '../interaction/views/push-authenticator-page.ts';

const ASSETS = new URL('../interaction/assets/', import.meta.url);
const JAVASCRIPT = 'text/javascript; charset=utf-8';

/** The installable web app manifest (W3C Web Application Manifest). */
const MANIFEST = JSON.stringify({
  id: '/authenticator',
  name: 'Stepup authenticator',
  short_name: 'Stepup',
  description: 'Approve sign-in requests with number matching.',
  start_url: '/authenticator',
  scope: '/authenticator',
  display: 'standalone',
  background_color: '#f3f4f7',
  theme_color: '#2f4fd6',
  icons: [{ src: '/assets/authenticator-icon.svg', sizes: 'any', type: 'image/svg+xml', purpose: 'any' }],
});

/**
 * The authenticator app served by the provider: the page, its scripts, the manifest and the
 * service worker. The worker lives under /authenticator/ and may control /authenticator itself.
 */
export function registerAuthenticatorApp(app: FastifyInstance): void {
  const page = renderPushAuthenticatorPage();
  app.get('/authenticator', async (_request, reply) => reply.type('text/html; charset=utf-8').send(page));
  app.get('/authenticator/manifest.webmanifest', async (_request, reply) =>
    reply.header('cache-control', 'public, max-age=3600').type('application/manifest+json').send(MANIFEST),
  );
  serveStaticAsset(app, '/authenticator/sw.js', new URL('authenticator-sw.js', ASSETS), {
    contentType: JAVASCRIPT,
    // Browsers check for a new worker on navigation; a cached one would delay updates.
    cacheControl: 'no-cache',
    headers: { 'service-worker-allowed': '/authenticator' },
  });
  serveStaticAsset(app, '/assets/authenticator.js', new URL('authenticator.js', ASSETS), {
    contentType: JAVASCRIPT,
  });
  serveStaticAsset(app, '/assets/push-protocol.js', new URL('push-protocol.js', ASSETS), {
    contentType: JAVASCRIPT,
  });
  serveStaticAsset(app, '/assets/authenticator-icon.svg', new URL('authenticator-icon.svg', ASSETS), {
    contentType: 'image/svg+xml',
  });
}

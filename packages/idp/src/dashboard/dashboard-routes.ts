import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { type DashboardBundle, loadDashboardBundle } from './dashboard-bundle.ts';
import { allowStyleNonce } from './dashboard-content-security-policy.ts';
import { renderDashboardPage } from './dashboard-page.ts';
import { dashboardSettingsFor } from './dashboard-settings.ts';

/**
 * Serves the dashboard: the page at `/dashboard` (and its OAuth callback, `/dashboard/callback`, which
 * is the same page) and its content-hashed scripts and stylesheet. The bundle is loaded on the first
 * request and kept in memory; a failed load is retried on the next request.
 */
export function registerDashboardRoutes(app: FastifyInstance, deps: { issuer: string }): void {
  const settings = dashboardSettingsFor(deps.issuer);
  let bundle: Promise<DashboardBundle> | undefined;
  const loadBundle = () => {
    bundle ??= loadDashboardBundle().catch((error: unknown) => {
      bundle = undefined;
      throw error;
    });
    return bundle;
  };

  const servePage = async (_request: unknown, reply: FastifyReply) => {
    const { script, preloads, stylesheet } = await loadBundle();
    const styleNonce = randomBytes(18).toString('base64');
    const policy = reply.getHeader('content-security-policy');
    if (typeof policy !== 'string') throw new Error('the dashboard needs the provider’s CSP header');
    return reply
      .header('content-security-policy', allowStyleNonce(policy, styleNonce))
      .type('text/html; charset=utf-8')
      .send(
        renderDashboardPage({
          settings,
          scriptPath: script.path,
          preloadPaths: preloads,
          stylesheetPath: stylesheet.path,
          styleNonce,
        }),
      );
  };
  app.get('/dashboard', servePage);
  app.get('/dashboard/', servePage);
  app.get('/dashboard/callback', servePage);

  app.get('/dashboard/assets/:file', async (request, reply) => {
    const asset = (await loadBundle()).assets.get(request.url);
    if (!asset) return reply.code(404).type('text/plain; charset=utf-8').send('not found');
    return reply
      .header('cache-control', 'public, max-age=31536000, immutable')
      .type(asset.contentType)
      .send(asset.body);
  });
}

import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';

/**
 * Serves one file of the package at a fixed path, read once at start-up. Only files we ship: the
 * CSP allows scripts, styles and images from this origin, so nothing else may be served this way.
 */
export function serveStaticAsset(
  app: FastifyInstance,
  path: string,
  file: URL,
  options: { contentType: string; cacheControl?: string; headers?: Record<string, string> },
): void {
  const body = readFileSync(file);
  app.get(path, async (_request, reply) => {
    reply
      .header('cache-control', options.cacheControl ?? 'public, max-age=3600')
      .headers(options.headers ?? {})
      .type(options.contentType);
    return reply.send(body);
  });
}

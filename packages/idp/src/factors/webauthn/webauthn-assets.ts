import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';

/**
 * The browser half of WebAuthn: @simplewebauthn/browser's own UMD bundle, as published (its package
 * `exports` does not list the bundle, so it is found next to the package's entry point), and our page
 * script. Both are served from this origin, as `script-src 'self'` requires.
 */
function readAssets(): { library: Buffer; pageScript: Buffer } {
  const entry = createRequire(import.meta.url).resolve('@simplewebauthn/browser');
  const packageRoot = join(dirname(entry), '..');
  return {
    library: readFileSync(join(packageRoot, 'dist', 'bundle', 'index.umd.min.js')),
    pageScript: readFileSync(new URL('../../interaction/assets/webauthn.js', import.meta.url)),
  };
}

let assets: ReturnType<typeof readAssets> | undefined;

/** Serves `/assets/simplewebauthn-browser.js` and `/assets/webauthn.js` (see `WEBAUTHN_SCRIPTS`). */
export function registerWebAuthnAssets(app: FastifyInstance): void {
  assets ??= readAssets();
  const { library, pageScript } = assets;
  const script = (body: Buffer) => async (_request: unknown, reply: FastifyReply) =>
    reply.header('cache-control', 'public, max-age=3600').type('text/javascript; charset=utf-8').send(body);
  app.get('/assets/simplewebauthn-browser.js', script(library));
  app.get('/assets/webauthn.js', script(pageScript));
}

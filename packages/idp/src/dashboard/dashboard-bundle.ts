import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/** One file of the dashboard, named by its content so that browsers may keep it for good. */
export interface DashboardAsset {
  /** The path it is served at, e.g. `/dashboard/assets/dashboard-3f2a….js`. */
  path: string;
  contentType: string;
  body: Buffer;
}

/** The dashboard's script and stylesheet, built once per process. */
export interface DashboardBundle {
  script: DashboardAsset;
  stylesheet: DashboardAsset;
}

const ENTRY_POINT = fileURLToPath(new URL('./client/main.ts', import.meta.url));
const STYLESHEET = new URL('./assets/dashboard.css', import.meta.url);

function hashed(name: string, extension: string, contentType: string, body: Buffer): DashboardAsset {
  const hash = createHash('sha256').update(body).digest('base64url').slice(0, 16);
  return { path: `/dashboard/assets/${name}-${hash}.${extension}`, contentType, body };
}

/**
 * Bundles the dashboard's browser code (TypeScript under `client/`, CodeMirror included) with esbuild
 * into one minified ES module, in memory. Nothing is written to disk and nothing comes from a CDN, so
 * `npm start` needs no build step and the CSP's `script-src 'self'` covers it.
 */
export async function buildDashboardBundle(): Promise<DashboardBundle> {
  const result = await build({
    entryPoints: [ENTRY_POINT],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022'],
    minify: true,
    legalComments: 'none',
    write: false,
    logLevel: 'silent',
  });
  const [output] = result.outputFiles;
  if (!output) throw new Error('esbuild produced no dashboard bundle');
  return {
    script: hashed('dashboard', 'js', 'text/javascript; charset=utf-8', Buffer.from(output.contents)),
    stylesheet: hashed('dashboard', 'css', 'text/css; charset=utf-8', readFileSync(STYLESHEET)),
  };
}

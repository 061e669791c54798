import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/** One file of the dashboard, named by its content so that browsers may keep it for good. */
export interface DashboardAsset {
  /** The path it is served at, e.g. `/dashboard/assets/dashboard-3F2AB7QX.js`. */
  path: string;
  contentType: string;
  body: Buffer;
}

/** The dashboard's scripts and stylesheet, built once per process. */
export interface DashboardBundle {
  /** The entry module the page loads. */
  script: DashboardAsset;
  /** The paths of the chunks the entry imports statically, for `<link rel="modulepreload">`. */
  preloads: string[];
  stylesheet: DashboardAsset;
  /** Every file to serve, by path: the entry, its chunks (CodeMirror's among them), the stylesheet. */
  assets: ReadonlyMap<string, DashboardAsset>;
}

const CLIENT_DIRECTORY = fileURLToPath(new URL('./client/', import.meta.url));
const STYLESHEET = new URL('./assets/dashboard.css', import.meta.url);
const ASSETS_PATH = '/dashboard/assets/';
const SCRIPT_TYPE = 'text/javascript; charset=utf-8';
/** Where esbuild would write, relative to `CLIENT_DIRECTORY`; nothing is written (`write: false`). */
const OUT_DIRECTORY = 'out';

function hashedStylesheet(body: Buffer): DashboardAsset {
  const hash = createHash('sha256').update(body).digest('base64url').slice(0, 16);
  return { path: `${ASSETS_PATH}dashboard-${hash}.css`, contentType: 'text/css; charset=utf-8', body };
}

/**
 * Bundles the dashboard's browser code (TypeScript under `client/`) with esbuild into minified ES
 * modules, in memory. Code splitting keeps the first load small: the Action editor, CodeMirror with
 * it, is a chunk of its own that the Action page imports when it opens. esbuild names every file by
 * a hash of its content (and of the chunks it imports). Nothing is written to disk and nothing comes
 * from a CDN, so `npm start` needs no build step and the CSP's `script-src 'self'` covers it.
 */
export async function buildDashboardBundle(): Promise<DashboardBundle> {
  const result = await build({
    entryPoints: ['main.ts'],
    absWorkingDir: CLIENT_DIRECTORY,
    outdir: OUT_DIRECTORY,
    entryNames: 'dashboard-[hash]',
    chunkNames: 'chunk-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022'],
    minify: true,
    legalComments: 'none',
    metafile: true,
    write: false,
    logLevel: 'silent',
  });
  const assets = new Map<string, DashboardAsset>();
  for (const file of result.outputFiles) {
    const path = `${ASSETS_PATH}${basename(file.path)}`;
    assets.set(path, { path, contentType: SCRIPT_TYPE, body: Buffer.from(file.contents) });
  }
  const [entryOutput, entryMeta] =
    Object.entries(result.metafile.outputs).find(([, output]) => output.entryPoint !== undefined) ?? [];
  const script = entryOutput ? assets.get(`${ASSETS_PATH}${basename(entryOutput)}`) : undefined;
  if (!script || !entryMeta) throw new Error('esbuild produced no dashboard entry module');
  const preloads = entryMeta.imports
    .filter((imported) => imported.kind === 'import-statement')
    .map((imported) => `${ASSETS_PATH}${basename(imported.path)}`);
  const stylesheet = hashedStylesheet(readFileSync(STYLESHEET));
  assets.set(stylesheet.path, stylesheet);
  return { script, preloads, stylesheet, assets };
}

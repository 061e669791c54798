import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { DashboardAsset, DashboardBundle } from './dashboard-bundle.ts';

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
 * a hash of its content (and of the chunks it imports). Nothing comes from a CDN, so the CSP's
 * `script-src 'self'` covers it. The package build writes the result next to the compiled code
 * (see `write-dashboard-bundle.ts`); a checkout without that build bundles in memory at first use.
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

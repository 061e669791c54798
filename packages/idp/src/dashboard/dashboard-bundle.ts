import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';

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

/** What the package build writes beside `bundle/`: the bundle's shape, with file names for bodies. */
export interface DashboardBundleManifest {
  script: string;
  preloads: string[];
  stylesheet: string;
  assets: { path: string; contentType: string; file: string }[];
}

/** Where the package build puts the bundle, relative to this module once compiled. */
export const BUNDLE_DIRECTORY = new URL('./bundle/', import.meta.url);

/**
 * The dashboard's scripts and stylesheet: as the package build wrote them, or — in a checkout that
 * runs the TypeScript sources — bundled in memory by esbuild, a development dependency.
 */
export async function loadDashboardBundle(): Promise<DashboardBundle> {
  const manifest = readManifest();
  if (manifest === undefined) return (await import('./build-dashboard-bundle.ts')).buildDashboardBundle();
  const assets = new Map<string, DashboardAsset>();
  for (const { path, contentType, file } of manifest.assets) {
    assets.set(path, { path, contentType, body: await readFile(new URL(file, BUNDLE_DIRECTORY)) });
  }
  const asset = (path: string) => {
    const found = assets.get(path);
    if (found === undefined) throw new Error(`the dashboard bundle's manifest names a missing ${path}`);
    return found;
  };
  return {
    script: asset(manifest.script),
    preloads: manifest.preloads,
    stylesheet: asset(manifest.stylesheet),
    assets,
  };
}

function readManifest(): DashboardBundleManifest | undefined {
  try {
    return JSON.parse(
      readFileSync(new URL('manifest.json', BUNDLE_DIRECTORY), 'utf8'),
    ) as DashboardBundleManifest;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

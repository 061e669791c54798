// The part of the package build that tsc does not do: the files the compiled provider reads beside
// its modules (page scripts and stylesheets, the authenticator app), and the dashboard's bundle,
// built once here so that the installed package needs neither esbuild nor a build at start-up.
import { cp, mkdir, rm, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { buildDashboardBundle } from '../src/dashboard/build-dashboard-bundle.ts';
import type { DashboardBundleManifest } from '../src/dashboard/dashboard-bundle.ts';

const source = new URL('../src/', import.meta.url);
const dist = new URL('../dist/', import.meta.url);

await cp(new URL('interaction/assets/', source), new URL('interaction/assets/', dist), { recursive: true });

const bundleDirectory = new URL('dashboard/bundle/', dist);
await rm(bundleDirectory, { recursive: true, force: true });
await mkdir(bundleDirectory, { recursive: true });
const bundle = await buildDashboardBundle();
const manifest: DashboardBundleManifest = {
  script: bundle.script.path,
  preloads: bundle.preloads,
  stylesheet: bundle.stylesheet.path,
  assets: [],
};
for (const asset of bundle.assets.values()) {
  const file = basename(asset.path);
  await writeFile(new URL(file, bundleDirectory), asset.body);
  manifest.assets.push({ path: asset.path, contentType: asset.contentType, file });
}
await writeFile(new URL('manifest.json', bundleDirectory), `${JSON.stringify(manifest, null, 2)}\n`);
console.log(`dashboard bundle: ${manifest.assets.length} files`);

import { readFileSync } from 'node:fs';
import type { Express } from 'express';

const ASSETS = new URL('../assets/', import.meta.url);

/** The stylesheet and the icon, read once at start and served with a day of caching. */
export function serveAssets(app: Express): void {
  const files = [
    { path: '/assets/salary.css', file: 'salary.css', type: 'text/css; charset=utf-8' },
    { path: '/assets/favicon.svg', file: 'favicon.svg', type: 'image/svg+xml' },
  ];
  for (const { path, file, type } of files) {
    const body = readFileSync(new URL(file, ASSETS));
    app.get(path, (_req, res) => {
      res.setHeader('content-type', type);
      res.setHeader('cache-control', 'public, max-age=86400');
      res.end(body);
    });
  }
}

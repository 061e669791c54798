import type { Page } from './page.ts';

/** One route: a hash pattern such as `#/users/:id`, the page, and the navigation entry it belongs to. */
export interface Route {
  pattern: string;
  page: Page;
  section: string;
}

/** The route matching a location hash and its decoded parameters, or undefined. */
export function matchRoute(
  routes: readonly Route[],
  hash: string,
): { route: Route; params: Record<string, string> } | undefined {
  const path = (hash.replace(/^#/, '') || '/').split('?')[0] ?? '/';
  const parts = path.split('/').filter(Boolean);
  for (const route of routes) {
    const pattern = route.pattern.replace(/^#/, '').split('/').filter(Boolean);
    if (pattern.length !== parts.length) continue;
    const params: Record<string, string> = {};
    const matches = pattern.every((segment, index) => {
      const part = parts[index] ?? '';
      if (segment.startsWith(':')) {
        params[segment.slice(1)] = decodeURIComponent(part);
        return true;
      }
      return segment === part;
    });
    if (matches) return { route, params };
  }
  return undefined;
}

/** The hash of a route with its parameters encoded: `routeTo('#/users/:id', { id })`. */
export function routeTo(pattern: string, params: Record<string, string> = {}): string {
  return pattern.replace(/:([a-z]+)/gi, (_match, name: string) => encodeURIComponent(params[name] ?? ''));
}

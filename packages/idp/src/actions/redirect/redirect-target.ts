/** Longer targets are refused: browsers and proxies cut URLs near 8 KB, and a token rides in the query. */
export const MAX_REDIRECT_URL_LENGTH = 4096;
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * The URL `api.redirect.sendUserTo(url, { query })` sends the browser to, or why it is refused:
 * absolute `https` only (plain `http` only to a loopback host, for development), no user name or
 * password in it, and no `state` in the query — the provider sets that one. Anything else
 * (`javascript:`, `data:`, a relative path) can not be a place to send a person signing in.
 */
export function redirectTarget(
  url: string,
  query: Readonly<Record<string, string>>,
): { ok: true; url: string } | { ok: false; reason: string } {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return { ok: false, reason: 'the URL must be absolute' };
  }
  const loopback = LOOPBACK_HOSTS.has(target.hostname);
  if (target.protocol !== 'https:' && !(target.protocol === 'http:' && loopback)) {
    return { ok: false, reason: 'the URL must use https (http only to localhost)' };
  }
  if (target.username !== '' || target.password !== '') {
    return { ok: false, reason: 'the URL must not carry a user name or password' };
  }
  for (const [name, value] of Object.entries(query)) target.searchParams.set(name, value);
  if (target.searchParams.has('state')) {
    return { ok: false, reason: 'the state parameter is set by the provider, not by the Action' };
  }
  target.hash = '';
  if (target.href.length > MAX_REDIRECT_URL_LENGTH) {
    return { ok: false, reason: `the URL is longer than ${MAX_REDIRECT_URL_LENGTH} characters` };
  }
  return { ok: true, url: target.href };
}

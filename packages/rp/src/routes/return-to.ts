/**
 * `value` as a path on `origin` (path, query and fragment), or undefined when it would leave it.
 * Open redirects through `returnTo` are a classic, and most bypasses only become another host after
 * a normalisation step, so the check runs on the path as the browser will finally read it: dot
 * segments resolved (`/..//host`), percent-escapes decoded (`/%2F%2Fhost`, `/%5Chost`). Refused:
 * absolute URLs, scheme-relative `//host`, backslashes, control, format and non-ASCII space
 * characters (raw or escaped), and escapes that do not decode.
 */
export function toSameOriginPath(value: unknown, origin: string): string | undefined {
  if (typeof value !== 'string' || value.length === 0 || value.length > 2048) return undefined;
  if (!value.startsWith('/') || hasForbiddenCharacter(value)) return undefined;
  const url = URL.parse(value, origin);
  if (url === null || url.origin !== origin) return undefined;
  const decodedPath = decodePath(url.pathname);
  if (decodedPath === undefined || hasForbiddenCharacter(decodedPath)) return undefined;
  if (decodedPath.startsWith('//')) return undefined;
  return `${url.pathname}${url.search}${url.hash}`;
}

/** Backslashes, C0/C1 controls, format characters (bidi overrides) and any space but U+0020. */
function hasForbiddenCharacter(text: string): boolean {
  return /[\\\p{Cc}\p{Cf}\p{Zl}\p{Zp}]|(?! )\p{Zs}/u.test(text);
}

function decodePath(pathname: string): string | undefined {
  try {
    return decodeURIComponent(pathname);
  } catch {
    return undefined;
  }
}

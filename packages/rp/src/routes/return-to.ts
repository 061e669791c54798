/**
 * `value` as a path on `origin` (path, query and fragment), or undefined when it would leave it:
 * absolute URLs to other origins, scheme-relative `//host`, backslash tricks (`/\host`), control
 * characters. Open redirects through `returnTo` are a classic; only same-origin paths pass.
 */
export function toSameOriginPath(value: unknown, origin: string): string | undefined {
  if (typeof value !== 'string' || value.length === 0 || value.length > 2048) return undefined;
  if (!value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return undefined;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
  if (/[\x00-\x1f\x7f\\]/.test(value)) return undefined;
  const url = URL.parse(value, origin);
  if (url === null || url.origin !== origin) return undefined;
  return `${url.pathname}${url.search}${url.hash}`;
}

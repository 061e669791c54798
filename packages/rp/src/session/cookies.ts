/** Attributes of a cookie this package sets. */
export interface CookieAttributes {
  path: string;
  /** Seconds; 0 deletes the cookie. */
  maxAge: number;
  secure: boolean;
  sameSite: 'Lax' | 'Strict';
}

// RFC 6265 4.1.1: cookie-name is a token; cookie-octet excludes controls, space, `"`, `,`, `;` and `\`.
const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const COOKIE_VALUE = /^[\x21\x23-\x2B\x2D-\x3A\x3C-\x5B\x5D-\x7E]*$/;

/** The cookies of a request, by name; the first of several with one name wins, malformed pairs are skipped. */
export function readCookies(request: Request): Map<string, string> {
  const cookies = new Map<string, string>();
  const header = request.headers.get('cookie');
  if (!header) return cookies;
  for (const pair of header.split(';')) {
    const index = pair.indexOf('=');
    if (index <= 0) continue;
    const name = pair.slice(0, index).trim();
    const value = pair.slice(index + 1).trim();
    if (!COOKIE_NAME.test(name) || !COOKIE_VALUE.test(value) || cookies.has(name)) continue;
    cookies.set(name, value);
  }
  return cookies;
}

/** A `Set-Cookie` header value; always `HttpOnly`. Throws a `TypeError` for a name or value a cookie cannot hold. */
export function serializeCookie(name: string, value: string, attributes: CookieAttributes): string {
  if (!COOKIE_NAME.test(name)) throw new TypeError(`invalid cookie name ${JSON.stringify(name)}`);
  if (!COOKIE_VALUE.test(value)) throw new TypeError(`invalid value for cookie ${name}`);
  const parts = [`${name}=${value}`, `Path=${attributes.path}`, `Max-Age=${attributes.maxAge}`, 'HttpOnly'];
  if (attributes.maxAge === 0) parts.push('Expires=Thu, 01 Jan 1970 00:00:00 GMT');
  if (attributes.secure) parts.push('Secure');
  parts.push(`SameSite=${attributes.sameSite}`);
  return parts.join('; ');
}

import { type CookieAttributes, serializeCookie } from './cookies.ts';

/** Browsers keep about 4096 bytes per cookie, name and attributes included. */
const CHUNK_SIZE = 3800;
const MAX_CHUNKS = 10;

/**
 * The value of a cookie that may have been split: `name` itself, or `name.0`, `name.1`, … in order.
 * Undefined when absent or when the chunks are not contiguous.
 */
export function readChunkedCookie(cookies: ReadonlyMap<string, string>, name: string): string | undefined {
  const whole = cookies.get(name);
  if (whole !== undefined) return whole;
  let value = '';
  for (let index = 0; index < MAX_CHUNKS; index++) {
    const chunk = cookies.get(`${name}.${index}`);
    if (chunk === undefined) return index === 0 ? undefined : value;
    value += chunk;
  }
  return value;
}

/**
 * `Set-Cookie` values that store `value` under `name` — split into chunks when large — and delete the
 * cookies of an earlier, differently split value that the request still carries.
 */
export function writeChunkedCookie(
  cookies: ReadonlyMap<string, string>,
  name: string,
  value: string,
  attributes: CookieAttributes,
): string[] {
  const headers: string[] = [];
  const written = new Set<string>();
  if (value.length <= CHUNK_SIZE) {
    headers.push(serializeCookie(name, value, attributes));
    written.add(name);
  } else {
    const count = Math.ceil(value.length / CHUNK_SIZE);
    if (count > MAX_CHUNKS)
      throw new RangeError(`the session is too large for cookies (${value.length} characters)`);
    for (let index = 0; index < count; index++) {
      const chunkName = `${name}.${index}`;
      headers.push(
        serializeCookie(chunkName, value.slice(index * CHUNK_SIZE, (index + 1) * CHUNK_SIZE), attributes),
      );
      written.add(chunkName);
    }
  }
  for (const existing of chunkNames(cookies, name)) {
    if (!written.has(existing)) headers.push(serializeCookie(existing, '', { ...attributes, maxAge: 0 }));
  }
  return headers;
}

/** `Set-Cookie` values deleting `name` and all its chunks present in the request. */
export function deleteChunkedCookie(
  cookies: ReadonlyMap<string, string>,
  name: string,
  attributes: CookieAttributes,
): string[] {
  const names = chunkNames(cookies, name);
  if (names.length === 0) names.push(name);
  return names.map((existing) => serializeCookie(existing, '', { ...attributes, maxAge: 0 }));
}

function chunkNames(cookies: ReadonlyMap<string, string>, name: string): string[] {
  const chunk = new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.\\d+$`);
  return [...cookies.keys()].filter((existing) => existing === name || chunk.test(existing));
}

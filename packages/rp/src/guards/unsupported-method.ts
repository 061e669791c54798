/** Methods the Fetch standard forbids (a `Request` cannot carry them); TRACE echoes requests back. */
const FORBIDDEN_METHODS = new Set(['CONNECT', 'TRACE', 'TRACK']);

/** Whether `method` is one a web-standard `Request` cannot carry, so no route or guard handles it. */
export function isUnsupportedMethod(method: string): boolean {
  return FORBIDDEN_METHODS.has(method.toUpperCase());
}

/** The answer a guard gives to such a method: 405, never a 500 from a `Request` that cannot exist. */
export function methodNotAllowed(): Response {
  return new Response('Method Not Allowed\n', {
    status: 405,
    headers: {
      allow: 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS',
      'content-type': 'text/plain; charset=utf-8',
    },
  });
}

import type { FastifyInstance } from 'fastify';

/**
 * How deep a JSON body may nest objects and arrays. The deepest real body (an Action's
 * sample event with metadata) is far shallower; deeper input only exhausts the stack of whatever
 * walks it (a merge, `JSON.stringify`, the sandbox).
 */
export const MAX_JSON_DEPTH = 32;

/** True when `text` opens more than `maxDepth` objects or arrays at once (strings are skipped). */
export function jsonNestsDeeperThan(text: string, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    if (inString) {
      if (char === '\\') index++;
      else if (char === '"') inString = false;
    } else if (char === '"') inString = true;
    else if (char === '{' || char === '[') {
      if (++depth > maxDepth) return true;
    } else if (char === '}' || char === ']') depth--;
  }
  return false;
}

/**
 * A JSON body nested deeper than `MAX_JSON_DEPTH`: 400 with the stable code `body_too_deep`, in the
 * shape of Fastify's own body errors (`statusCode`, `code`) so its default handler answers it as such.
 */
export class BodyTooDeepError extends Error {
  readonly code = 'body_too_deep';
  readonly statusCode = 400;

  constructor() {
    super(`the JSON body nests deeper than ${MAX_JSON_DEPTH} levels`);
    this.name = 'BodyTooDeepError';
  }
}

/**
 * The JSON parser of the whole app, so every route that takes JSON (login steps, the account page,
 * push devices, WebAuthn, the management API) has the same limits: Fastify's own parser (which
 * refuses `__proto__` and `constructor` poisoning), after a depth check that answers 400
 * `body_too_deep`. The size limit is Fastify's `bodyLimit` (413 `FST_ERR_CTP_BODY_TOO_LARGE`; the
 * management API answers it as `body_too_large`). Call it on the root instance before any route or
 * plugin is registered: encapsulated plugins inherit it.
 */
export function useLimitedJsonParser(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (jsonNestsDeeperThan(text, MAX_JSON_DEPTH)) {
      done(new BodyTooDeepError(), undefined);
      return;
    }
    parse(request, text, done);
  });
}

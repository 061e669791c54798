import type { FastifyInstance } from 'fastify';
import { ApiError } from './api-error.ts';

/**
 * How deep a management API body may nest objects and arrays. The deepest real body (an Action's
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
 * The management API's JSON parser: Fastify's own (which refuses `__proto__` and `constructor`
 * poisoning), after a depth check that answers 400 `body_too_deep`. The size limit is Fastify's
 * `bodyLimit`, answered 413 `body_too_large` by the API's error handler.
 */
export function useLimitedJsonParser(api: FastifyInstance): void {
  const parse = api.getDefaultJsonParser('error', 'error');
  api.removeContentTypeParser('application/json');
  api.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (jsonNestsDeeperThan(text, MAX_JSON_DEPTH)) {
      done(
        new ApiError('body_too_deep', `the JSON body nests deeper than ${MAX_JSON_DEPTH} levels`),
        undefined,
      );
      return;
    }
    parse(request, text, done);
  });
}

import assert from 'node:assert/strict';
import { request } from 'node:http';
import { test } from 'node:test';

/**
 * Sends `method` to `url` with node:http, which (unlike fetch) sends any method, TRACE and CONNECT
 * included; resolves the status code.
 */
function sendRawRequest(url: string, method: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { method }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}

/**
 * The same table for every framework adapter, against an app that mounts the routes, a guard on
 * `/private` and a handler there: methods no route answers reach the app's own 404, a guard answers
 * 405 to a method a `Request` cannot carry, never a 500.
 */
export function testUnroutableMethods(appUrl: () => string): void {
  const cases: [string, string, number][] = [
    ['TRACE', '/auth/login', 404],
    ['TRACE', '/auth/logout', 404],
    ['TRACE', '/anything', 404],
    ['PUT', '/auth/logout', 404],
    ['PROPFIND', '/auth/callback', 404],
    ['TRACE', '/private', 405],
    ['GET', '/private', 302],
  ];
  for (const [method, path, status] of cases) {
    test(`${method} ${path} answers ${status}`, async () => {
      assert.equal(await sendRawRequest(`${appUrl()}${path}`, method), status);
    });
  }
}

import { request } from 'node:http';

/**
 * Sends `method` to `url` with node:http, which (unlike fetch) sends any method, TRACE and CONNECT
 * included; resolves the status code.
 */
export function sendRawRequest(url: string, method: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { method }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}

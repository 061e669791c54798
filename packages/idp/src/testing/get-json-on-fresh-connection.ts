import { get } from 'node:http';

/**
 * GETs a JSON document over a connection of its own, never a pooled one: for tests that stop a
 * server and start another on the same port, where fetch's keep-alive pool may still hold a socket
 * the first server closed.
 */
export function getJsonOnFreshConnection(url: URL): Promise<unknown> {
  return new Promise((resolve, reject) => {
    get(url, { agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        if (response.statusCode !== 200) {
          reject(new Error(`GET ${url} answered ${response.statusCode}`));
          return;
        }
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      });
      response.on('error', reject);
    }).on('error', reject);
  });
}

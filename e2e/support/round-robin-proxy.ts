import { once } from 'node:events';
import http from 'node:http';

/** A load balancer reduced to round robin, in front of provider nodes on loopback. */
export interface RoundRobinProxy {
  url: string;
  port: number;
  /** For each request, in arrival order: the index of the node that served it and its path. */
  served: { node: number; path: string }[];
  close(): Promise<void>;
}

/**
 * Sends each request to the next node in turn; a node that refuses the connection (it is down) is
 * skipped, as a load balancer's health check would take it out: nothing was sent to it, so the
 * retry is safe. Streams in both directions, so event streams pass through as they come.
 */
export async function startRoundRobinProxy(
  port: number,
  nodePorts: () => number[],
): Promise<RoundRobinProxy> {
  const served: RoundRobinProxy['served'] = [];
  let turn = 0;
  const server = http.createServer((request, response) => {
    const ports = nodePorts();
    const body: Buffer[] = [];
    request.on('data', (chunk: Buffer) => body.push(chunk));
    request.on('end', () => {
      const first = turn++ % ports.length;
      const attempt = (tries: number) => {
        const node = (first + tries) % ports.length;
        const upstream = http.request(
          {
            host: '127.0.0.1',
            port: ports[node],
            method: request.method,
            path: request.url,
            headers: request.headers,
            agent: false,
          },
          (answer) => {
            served.push({ node, path: request.url ?? '' });
            response.writeHead(answer.statusCode ?? 502, answer.rawHeaders);
            answer.pipe(response);
          },
        );
        upstream.on('error', (error: NodeJS.ErrnoException) => {
          if (error.code === 'ECONNREFUSED' && tries + 1 < ports.length) return attempt(tries + 1);
          if (!response.headersSent) response.writeHead(502).end(`proxy: ${error.message}`);
          else response.destroy();
        });
        response.on('close', () => upstream.destroy());
        upstream.end(Buffer.concat(body));
      };
      attempt(0);
    });
  });
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://localhost:${port}`,
    port,
    served,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

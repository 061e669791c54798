import { request } from 'node:http';

/** An answer as it came over the wire, every `Set-Cookie` line kept apart. */
export interface RawHttpAnswer {
  status: number;
  location: string | undefined;
  setCookies: string[];
  /** Every header value, joined, for searching the whole answer. */
  headerText: string;
  body: string;
}

/**
 * One HTTP/1.1 request to 127.0.0.1:`port` with exactly the given headers, `Host` included, and the
 * request target as written (an absolute-form `http://other.example/path` too). `fetch` cannot do
 * this: it always writes `Host` from the URL.
 */
export function sendRawHttpRequest(
  port: number,
  init: { method?: string; target: string; headers?: Record<string, string>; form?: Record<string, string> },
): Promise<RawHttpAnswer> {
  const body = init.form ? new URLSearchParams(init.form).toString() : undefined;
  const headers: Record<string, string> = { host: `localhost:${port}`, ...init.headers };
  if (body !== undefined) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    headers['content-length'] = String(Buffer.byteLength(body));
  }
  return new Promise((resolve, reject) => {
    const outgoing = request(
      { host: '127.0.0.1', port, method: init.method ?? (body ? 'POST' : 'GET'), path: init.target, headers },
      (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('error', reject);
        incoming.on('end', () => {
          const setCookie = incoming.headers['set-cookie'] ?? [];
          resolve({
            status: incoming.statusCode ?? 0,
            location: incoming.headers.location,
            setCookies: setCookie,
            headerText: Object.values(incoming.headers).flat().join('\n'),
            body: Buffer.concat(chunks).toString('utf8'),
          });
        });
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

import { connect, createServer, type Server, type Socket } from 'node:net';

/** A TCP proxy whose outage a test switches on and off. */
export interface OutageProxy {
  /** `target` with its host and port replaced by the proxy's. */
  url: string;
  /** Cuts every connection and refuses new ones, as a server that went down. */
  stop(): Promise<void>;
  /** Accepts connections again, on the same port. */
  start(): Promise<void>;
  /**
   * Keeps every connection open but passes nothing on, either way, and accepts new ones that lead
   * nowhere: a server that hangs (frozen, or cut off by the network) instead of going away.
   */
  freeze(): void;
  /** Ends the hang: drops the connections held meanwhile, and forwards new ones again. */
  thaw(): void;
}

/**
 * Starts a proxy on 127.0.0.1 in front of the server of `target` (a URL such as `postgres://…`): an
 * outage of that server as the provider sees it, without stopping the real one other tests use.
 */
export async function startOutageProxy(target: string): Promise<OutageProxy> {
  const upstream = new URL(target);
  const upstreamPort = Number(upstream.port || defaultPort(upstream.protocol));
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;
  let frozen = false;

  const hold = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };

  const start = async () => {
    const listening = createServer((incoming) => {
      if (frozen) {
        hold(incoming);
        incoming.pause();
        return;
      }
      const outgoing = connect(upstreamPort, upstream.hostname);
      for (const socket of [incoming, outgoing]) {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
        socket.on('error', () => {
          incoming.destroy();
          outgoing.destroy();
        });
      }
      incoming.pipe(outgoing).pipe(incoming);
    });
    await new Promise<void>((resolve) => listening.listen(port, '127.0.0.1', resolve));
    const address = listening.address();
    if (address !== null && typeof address === 'object') port = address.port;
    server = listening;
  };
  await start();

  const url = new URL(target);
  url.host = `127.0.0.1:${port}`;
  return {
    url: url.href,
    start,
    async stop() {
      const stopping = server;
      server = undefined;
      for (const socket of sockets) socket.destroy();
      if (stopping) await new Promise<void>((resolve) => stopping.close(() => resolve()));
    },
    freeze() {
      frozen = true;
      for (const socket of sockets) {
        socket.unpipe();
        socket.pause();
      }
    },
    thaw() {
      frozen = false;
      for (const socket of sockets) socket.destroy();
    },
  };
}

function defaultPort(protocol: string): number {
  if (protocol === 'postgres:' || protocol === 'postgresql:') return 5432;
  if (protocol === 'redis:' || protocol === 'rediss:') return 6379;
  throw new TypeError(`no default port known for ${protocol}; put the port in the URL`);
}

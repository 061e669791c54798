import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** Comment lines keep proxies and load balancers from closing an idle stream. */
const HEARTBEAT_MS = 15_000;
/** How long an EventSource waits before reconnecting after the stream ends. */
const RETRY_MS = 2_000;

/** One open `text/event-stream` response (HTML Living Standard, "Server-sent events"). */
export interface EventStream {
  /** Sends one event; `data` is serialised as JSON on one line. Ignored once closed. */
  send(event: string, data: unknown): void;
  close(): void;
  readonly closed: boolean;
  /** Runs once, when the client goes away or `close` is called. */
  onClose(listener: () => void): void;
}

export type OpenEventStream = (request: FastifyRequest, reply: FastifyReply) => EventStream;

/**
 * Returns a function that turns a request into an event stream. The streams are long-lived, so the
 * server ends every open one when it closes; otherwise closing would wait for the clients to leave.
 */
export function createEventStreams(app: FastifyInstance): OpenEventStream {
  const open = new Set<EventStream>();
  app.addHook('preClose', async () => {
    for (const stream of open) stream.close();
  });

  return (request, reply) => {
    reply.hijack();
    const response = reply.raw;
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      // nginx buffers responses by default, which would hold events back.
      'x-accel-buffering': 'no',
    });
    response.write(`retry: ${RETRY_MS}\n\n`);

    const listeners: (() => void)[] = [];
    let closed = false;
    const heartbeat = setInterval(() => response.write(': keep-alive\n\n'), HEARTBEAT_MS);
    heartbeat.unref();

    const stream: EventStream = {
      get closed() {
        return closed;
      },
      send(event, data) {
        if (closed) return;
        response.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      },
      close() {
        if (closed) return;
        closed = true;
        clearInterval(heartbeat);
        open.delete(stream);
        response.end();
        for (const listener of listeners.splice(0)) listener();
      },
      onClose(listener) {
        if (closed) listener();
        else listeners.push(listener);
      },
    };
    open.add(stream);
    request.raw.once('close', () => stream.close());
    response.once('close', () => stream.close());
    return stream;
  };
}

import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import express from 'express';
import { Hono } from 'hono';
import { createStepupRp, type StepupRp } from '../create-stepup-rp.ts';
import { createExpressAuth } from '../express/index.ts';
import { createHonoAuth, type StepupVariables } from '../hono/index.ts';
import type { ForgingProvider } from './forging-provider.ts';

/** Every way the SDK ships to serve an application: its Fetch core and each framework adapter. */
export const ADAPTERS = ['fetch', 'express', 'hono'] as const;
export type AdapterName = (typeof ADAPTERS)[number];

export const TEST_CLIENT_ID = 'salary';
const CLIENT_SECRET = 'salary-client-secret-0123456789abcdef';
export const PRIVATE_PAGE = '/private';

export interface AdapterApp {
  /** The application's origin, e.g. `http://127.0.0.1:41234`. */
  url: string;
  rp: StepupRp;
  /** Sends a request over HTTP without following redirects. */
  send(request: Request): Promise<Response>;
  close(): Promise<void>;
}

/**
 * An application on a loopback port, served by one adapter: the SDK's routes, and `/private` behind
 * `requireAuth()` answering 200 "private". `clock` and `sessionSecret` reach the SDK as given.
 */
export async function startAdapterApp(
  adapter: AdapterName,
  provider: ForgingProvider,
  options: { sessionSecret?: string; clock?: () => number } = {},
): Promise<AdapterApp> {
  // The SDK needs the application's origin, so the server listens first and gets its routes after.
  const served = await serveAdapter(adapter);
  const url = `http://127.0.0.1:${(served.server.address() as AddressInfo).port}`;
  const rp = await createStepupRp({
    issuer: provider.issuer,
    clientId: TEST_CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    baseUrl: url,
    sessionSecret: options.sessionSecret ?? 'a session secret of at least thirty-two bytes',
    allowInsecureRequests: true,
    ...(options.clock ? { clock: options.clock } : {}),
  });
  served.route(rp);
  const { server } = served;
  return {
    url,
    rp,
    send: (request) => fetch(request, { redirect: 'manual' }),
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

interface ServedAdapter {
  server: Server;
  /** Adds the SDK's routes and the private page. */
  route(rp: StepupRp): void;
}

async function serveAdapter(adapter: AdapterName): Promise<ServedAdapter> {
  if (adapter === 'express') {
    const web = express();
    const server = await new Promise<Server>((resolve) => {
      const listening = web.listen(0, '127.0.0.1', () => resolve(listening));
    });
    return {
      server,
      route(rp) {
        const auth = createExpressAuth(rp);
        web.use(auth.routes());
        web.use(PRIVATE_PAGE, auth.requireAuth());
        web.get(PRIVATE_PAGE, (_request, response) => {
          response.send('private');
        });
      },
    };
  }
  if (adapter === 'hono') {
    const web = new Hono<{ Variables: StepupVariables }>();
    const server = await listenWithFetch(web.fetch);
    return {
      server,
      route(rp) {
        const auth = createHonoAuth(rp);
        web.use(auth.routes());
        web.use(PRIVATE_PAGE, auth.requireAuth());
        web.get(PRIVATE_PAGE, (c) => c.text('private'));
      },
    };
  }
  let core: StepupRp | undefined;
  const server = await listenWithFetch((request) =>
    core ? answer(core, request) : Promise.resolve(new Response('starting', { status: 503 })),
  );
  return {
    server,
    route(rp) {
      core = rp;
    },
  };
}

function listenWithFetch(handler: (request: Request) => Response | Promise<Response>): Promise<Server> {
  return new Promise<Server>((resolve) => {
    const listening = serve({ fetch: handler, port: 0, hostname: '127.0.0.1' }, () =>
      resolve(listening as Server),
    );
  });
}

/** The Fetch core as an application would use it without a framework. */
async function answer(rp: StepupRp, request: Request): Promise<Response> {
  const routed = await rp.handle(request);
  if (routed) return routed;
  if (new URL(request.url).pathname !== PRIVATE_PAGE) return new Response('not found', { status: 404 });
  const outcome = await rp.requireAuth()(request);
  return outcome.allowed ? new Response('private') : outcome.response;
}

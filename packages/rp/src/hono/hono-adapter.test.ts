import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe } from 'node:test';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { createStepupRp } from '../create-stepup-rp.ts';
import { type ForgingProvider, startForgingProvider } from '../testing/forging-provider.ts';
import { testUnroutableMethods } from '../testing/unroutable-methods.ts';
import { createHonoAuth, type StepupVariables } from './index.ts';

// Methods the Fetch standard cannot carry (TRACE, CONNECT) or that no route answers must never
// reach the app as a 500: the routes let them through to the app's own 404, a guard answers 405.

describe('the Hono adapter with methods it does not route', () => {
  let provider: ForgingProvider;
  let server: Server;
  let app: string;

  before(async () => {
    provider = await startForgingProvider();
    const web = new Hono<{ Variables: StepupVariables }>();
    server = await new Promise<Server>((resolve) => {
      const listening = serve({ fetch: web.fetch, port: 0, hostname: '127.0.0.1' }, () =>
        resolve(listening as Server),
      );
    });
    app = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const rp = await createStepupRp({
      issuer: provider.issuer,
      clientId: 'salary',
      clientSecret: 'salary-client-secret-0123456789abcdef',
      baseUrl: app,
      sessionSecret: 'a session secret of at least thirty-two bytes',
      allowInsecureRequests: true,
    });
    const auth = createHonoAuth(rp);
    web.use(auth.routes());
    web.use('/private', auth.requireAuth());
    web.all('/private', (c) => c.text('private'));
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await provider.close();
  });

  testUnroutableMethods(() => app);
});

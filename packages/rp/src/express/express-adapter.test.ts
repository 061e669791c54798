import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe } from 'node:test';
import express from 'express';
import { createStepupRp } from '../create-stepup-rp.ts';
import { type ForgingProvider, startForgingProvider } from '../testing/forging-provider.ts';
import { testUnroutableMethods } from '../testing/unroutable-methods.ts';
import { createExpressAuth } from './index.ts';

// Methods the Fetch standard cannot carry (TRACE, CONNECT) or that no route answers must never
// reach the app as a 500: the routes let them through to the app's own 404, a guard answers 405.

describe('the Express adapter with methods it does not route', () => {
  let provider: ForgingProvider;
  let server: Server;
  let app: string;

  before(async () => {
    provider = await startForgingProvider();
    const web = express();
    server = await new Promise<Server>((resolve) => {
      const listening = web.listen(0, '127.0.0.1', () => resolve(listening));
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
    const auth = createExpressAuth(rp);
    web.use(auth.routes());
    web.use('/private', auth.requireAuth());
    web.all('/private', (_req, res) => {
      res.send('private');
    });
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await provider.close();
  });

  testUnroutableMethods(() => app);
});

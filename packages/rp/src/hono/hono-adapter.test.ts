import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
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

describe('the Hono adapter: requireTransaction with its own resource', () => {
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
      resource: 'https://api.example/salary',
    });
    const auth = createHonoAuth(rp);
    web.use(auth.routes());
    web.get(
      '/payout',
      auth.requireTransaction(
        'payout_account_change',
        (request) => ({ iban: new URL(request.url).searchParams.get('iban') }),
        { resource: `${app}/payout-account` },
      ),
      (c) => c.text('saved'),
    );
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await provider.close();
  });

  test('the step-up names the transaction’s resource, not the SDK-wide one', async () => {
    const response = await fetch(`${app}/payout?iban=DE89370400440532013000`, { redirect: 'manual' });
    assert.equal(response.status, 302);
    const location = new URL(response.headers.get('location') ?? '');
    assert.deepEqual(location.searchParams.getAll('resource'), [`${app}/payout-account`]);
    assert.equal(
      location.searchParams.get('authorization_details'),
      '[{"iban":"DE89370400440532013000","type":"payout_account_change"}]',
    );
  });
});

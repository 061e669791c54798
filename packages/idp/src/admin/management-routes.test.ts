import assert from 'node:assert/strict';
import { test } from 'node:test';
import Fastify from 'fastify';
import { ManagementRoutes } from './management-routes.ts';

const refuseAll = async (): Promise<never> => {
  throw new TypeError('not called');
};

test('a route registered on the management scope outside ManagementRoutes fails the start', async () => {
  const app = Fastify();
  await app.register(async (api) => {
    const routes = new ManagementRoutes(api, refuseAll);
    routes.addPublic('/openapi.json', async () => ({}));
    assert.throws(() => api.get('/backdoor', async () => 'open'), TypeError);
  });
  await app.ready();
  assert.equal(app.hasRoute({ method: 'GET', url: '/backdoor' }), false);
  assert.equal((await app.inject({ method: 'GET', url: '/openapi.json' })).statusCode, 200);
  await app.close();
});

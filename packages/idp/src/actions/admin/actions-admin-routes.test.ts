import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import pino from 'pino';
import { configSchema, type StepupConfig } from '../../config/config-schema.ts';
import type { ActionSandbox } from '../sandbox/action-sandbox.ts';
import {
  type ActionsFixture,
  openActionsFixture,
  SEED_ACTION,
  testSandbox,
} from '../testing/actions-fixture.ts';
import { registerActionsAdminRoutes } from './actions-admin-routes.ts';

const TOKEN = 'admin-token-0123456789abcdef0123456789';

let sandbox: ActionSandbox;
before(async () => {
  sandbox = testSandbox();
  await sandbox.warmUp();
});
after(() => sandbox.close());

function config(adminToken?: string): StepupConfig {
  const parsed = configSchema.parse({ actions: { timeoutMs: 3000, ...(adminToken ? { adminToken } : {}) } });
  return { ...parsed, issuer: 'http://localhost:3000' };
}

async function openApi(t: { after: (fn: () => Promise<void>) => void }, adminToken: string | null = TOKEN) {
  const actions: ActionsFixture = openActionsFixture(sandbox);
  const app: FastifyInstance = Fastify();
  registerActionsAdminRoutes(app, {
    config: config(adminToken ?? undefined),
    store: actions.store,
    secretBox: actions.secretBox,
    logger: pino({ level: 'silent' }),
    actionSandbox: sandbox,
  });
  await app.ready();
  t.after(async () => {
    await app.close();
    await actions.close();
  });
  const call = async (
    method: 'GET' | 'PUT' | 'PATCH' | 'POST',
    url: string,
    body?: unknown,
    token = TOKEN,
  ) => {
    const response = await app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${token}` },
      ...(body === undefined ? {} : { payload: body as Record<string, unknown> }),
    });
    return {
      status: response.statusCode,
      body: response.json() as Record<string, unknown>,
      headers: response.headers,
    };
  };
  return { app, actions, call };
}

describe('admin API /api/v1/actions', () => {
  test('deploy, list, show, switch, reorder, test and read the execution log', async (t) => {
    const { call, actions } = await openApi(t);
    const created = await call('PUT', '/api/v1/actions/seed', {
      code: SEED_ACTION,
      secrets: { API_KEY: 'sk_live_secret_value' },
    });
    assert.equal(created.status, 201);
    assert.equal(created.body.changed, true);
    assert.equal((created.body.action as { version: number }).version, 1);
    assert.equal(JSON.stringify(created.body).includes('sk_live_secret_value'), false);

    const same = await call('PUT', '/api/v1/actions/seed', { code: SEED_ACTION, trigger: 'post-login' });
    assert.deepEqual([same.status, same.body.changed], [200, false]);
    assert.equal(
      (await call('PUT', '/api/v1/actions/claims', { code: 'exports.onExecutePostLogin = async () => {};' }))
        .status,
      201,
    );

    const listed = await call('GET', '/api/v1/actions');
    assert.equal(listed.status, 200);
    assert.deepEqual(
      (listed.body.actions as { name: string; position: number; enabled: boolean }[]).map((a) => [
        a.name,
        a.position,
        a.enabled,
      ]),
      [
        ['seed', 1, true],
        ['claims', 2, true],
      ],
    );

    const shown = await call('GET', '/api/v1/actions/seed');
    assert.equal(shown.status, 200);
    const detail = shown.body.action as { code: string; secretNames: string[] };
    assert.equal(detail.code, SEED_ACTION);
    assert.deepEqual(detail.secretNames, ['API_KEY']);
    assert.equal(JSON.stringify(shown.body).includes('sk_live_secret_value'), false);
    assert.equal(JSON.stringify(shown.body).includes('sealed'), false);

    const disabled = await call('PATCH', '/api/v1/actions/seed', { enabled: false });
    assert.equal((disabled.body.action as { enabled: boolean }).enabled, false);
    const ordered = await call('PUT', '/api/v1/actions/triggers/post-login/order', { names: ['claims'] });
    assert.deepEqual(
      (ordered.body.actions as { name: string }[]).map((a) => a.name),
      ['claims', 'seed'],
    );

    const tested = await call('POST', '/api/v1/actions/seed/test', {});
    assert.equal(tested.status, 200);
    const result = tested.body.result as {
      outcome: string;
      callSummary: string[];
      event: { secrets: unknown };
    };
    assert.equal(result.outcome, 'succeeded');
    assert.deepEqual(result.callSummary, ['multifactor.enable(any, allowRememberBrowser=false)']);
    assert.deepEqual(result.event.secrets, { API_KEY: '[secret API_KEY]' });
    const other = await call('POST', '/api/v1/actions/seed/test', {
      event: { client: { client_id: 'payroll' } },
    });
    assert.deepEqual((other.body.result as { callSummary: string[] }).callSummary, []);

    // Nothing ran for a login yet: the execution log is empty; a test run is not a login.
    const id = (await actions.store.actions.find('seed'))?.id ?? '';
    await actions.store.actions.recordExecution(
      {
        actionId: id,
        version: 1,
        startedAt: 1_700_000_000_000,
        durationMs: 0.4,
        outcome: 'succeeded',
        errorCode: null,
        errorDetail: null,
        logs: [],
        calls: ['multifactor.enable(any, allowRememberBrowser=false)'],
        userId: 'u1',
        clientId: 'salary',
      },
      10,
    );
    const log = await call('GET', '/api/v1/actions/seed/executions?limit=5');
    assert.equal(log.status, 200);
    assert.deepEqual(
      (log.body.executions as { clientId: string; startedAt: string }[]).map((e) => [
        e.clientId,
        e.startedAt,
      ]),
      [['salary', '2023-11-14T22:13:20.000Z']],
    );
  });

  const refusals: [string, 'GET' | 'PUT' | 'PATCH' | 'POST', string, unknown, number, string][] = [
    ['an unknown Action', 'GET', '/api/v1/actions/nope', undefined, 404, 'not_found'],
    ['an unknown path', 'GET', '/api/v1/actions/seed/nope/deeper', undefined, 404, 'not_found'],
    [
      'a body with an unknown field',
      'PUT',
      '/api/v1/actions/x',
      { code: 'x', owner: 'me' },
      400,
      'invalid_request',
    ],
    ['an invalid name', 'PUT', '/api/v1/actions/-x', { code: SEED_ACTION }, 400, 'invalid_request'],
    [
      'another trigger',
      'PUT',
      '/api/v1/actions/x',
      { code: SEED_ACTION, trigger: 'pre-login' },
      400,
      'invalid_request',
    ],
    [
      'code that does not load',
      'PUT',
      '/api/v1/actions/x',
      { code: 'exports.x = 1;' },
      400,
      'invalid_request',
    ],
    [
      'a bad secret name',
      'PUT',
      '/api/v1/actions/x',
      { code: SEED_ACTION, secrets: { 'a-b': 'v' } },
      400,
      'invalid_request',
    ],
    [
      'enabled that is not a boolean',
      'PATCH',
      '/api/v1/actions/x',
      { enabled: 'yes' },
      400,
      'invalid_request',
    ],
    [
      'an unknown trigger order',
      'PUT',
      '/api/v1/actions/triggers/pre-login/order',
      { names: ['x'] },
      400,
      'invalid_request',
    ],
    [
      'an order naming no Action',
      'PUT',
      '/api/v1/actions/triggers/post-login/order',
      { names: ['ghost'] },
      404,
      'not_found',
    ],
    [
      'a sample event that is a list',
      'POST',
      '/api/v1/actions/x/test',
      { event: [] },
      400,
      'invalid_request',
    ],
  ];
  for (const [name, method, url, body, status, code] of refusals) {
    test(`refuses ${name}: ${status} ${code}`, async (t) => {
      const { call } = await openApi(t);
      const response = await call(method, url, body);
      assert.equal(response.status, status);
      assert.equal(response.body.error, code);
      assert.equal(typeof response.body.error_description, 'string');
    });
  }

  test('a missing or wrong bearer token is 401 with WWW-Authenticate', async (t) => {
    const { app, call } = await openApi(t);
    const wrong = await call('GET', '/api/v1/actions', undefined, `${TOKEN}x`);
    assert.equal(wrong.status, 401);
    assert.equal(wrong.body.error, 'unauthorized');
    assert.match(String(wrong.headers['www-authenticate']), /^Bearer /);
    const none = await app.inject({ method: 'GET', url: '/api/v1/actions' });
    assert.equal(none.statusCode, 401);
    const basic = await app.inject({
      method: 'GET',
      url: '/api/v1/actions',
      headers: { authorization: `Basic ${TOKEN}` },
    });
    assert.equal(basic.statusCode, 401);
  });

  test('without actions.adminToken the API does not exist', async (t) => {
    const { app } = await openApi(t, null);
    const response = await app.inject({
      method: 'GET',
      url: '/api/v1/actions',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    assert.equal(response.statusCode, 404);
  });
});

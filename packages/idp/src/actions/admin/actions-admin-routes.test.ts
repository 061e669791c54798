import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type ManagementFixture, openManagementFixture } from '../../admin/testing/management-fixture.ts';
import { SEED_ACTION } from '../testing/actions-fixture.ts';

const ACTION_SCOPES = ['read:actions', 'create:actions', 'update:actions', 'delete:actions'];

let f: ManagementFixture;
let token: string;
before(async () => {
  f = await openManagementFixture({ actions: { timeoutMs: 3000 } });
  token = await f.machine(ACTION_SCOPES, 'actions-robot');
});
after(() => f.close());

async function call(
  method: 'GET' | 'PUT' | 'PATCH' | 'POST' | 'DELETE',
  url: string,
  body?: unknown,
  bearer = token,
) {
  const response = await f.call(bearer, method, url.replace(/^\/api\/v1/, ''), body);
  return {
    status: response.status,
    body: response.body as Record<string, unknown>,
    headers: response.headers,
  };
}

describe('admin API /api/v1/actions', () => {
  test('deploy, list, show, switch, reorder, test and read the execution log', async () => {
    const actions = f.idp.stepup;
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
      (listed.body.items as { name: string; position: number; enabled: boolean }[]).map((a) => [
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
      (ordered.body.items as { name: string }[]).map((a) => a.name),
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
      (log.body.items as { clientId: string; startedAt: string }[]).map((e) => [e.clientId, e.startedAt]),
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
      'invalid_body',
    ],
    ['an invalid name', 'PUT', '/api/v1/actions/-x', { code: SEED_ACTION }, 400, 'invalid_body'],
    [
      'another trigger',
      'PUT',
      '/api/v1/actions/x',
      { code: SEED_ACTION, trigger: 'pre-login' },
      400,
      'invalid_body',
    ],
    ['code that does not load', 'PUT', '/api/v1/actions/x', { code: 'exports.x = 1;' }, 400, 'invalid_body'],
    [
      'an MFA provider Stepup lacks (Duo)',
      'PUT',
      '/api/v1/actions/x',
      { code: "exports.onExecutePostLogin = async (event, api) => { api.multifactor.enable('duo'); };" },
      400,
      'invalid_body',
    ],
    [
      'an api method Stepup lacks',
      'PUT',
      '/api/v1/actions/x',
      { code: "exports.onExecutePostLogin = async (event, api) => { api.refreshToken.revoke('stolen'); };" },
      400,
      'invalid_body',
    ],
    [
      'a bad secret name',
      'PUT',
      '/api/v1/actions/x',
      { code: SEED_ACTION, secrets: { 'a-b': 'v' } },
      400,
      'invalid_body',
    ],
    ['enabled that is not a boolean', 'PATCH', '/api/v1/actions/x', { enabled: 'yes' }, 400, 'invalid_body'],
    [
      'an unknown trigger order',
      'PUT',
      '/api/v1/actions/triggers/pre-login/order',
      { names: ['x'] },
      404,
      'not_found',
    ],
    [
      'an order naming no Action',
      'PUT',
      '/api/v1/actions/triggers/post-login/order',
      { names: ['ghost'] },
      404,
      'not_found',
    ],
    ['a sample event that is a list', 'POST', '/api/v1/actions/x/test', { event: [] }, 400, 'invalid_body'],
  ];
  for (const [name, method, url, body, status, code] of refusals) {
    test(`refuses ${name}: ${status} ${code}, and changes nothing`, async () => {
      const before = await f.idp.stepup.store.actions.list();
      const response = await call(method, url, body);
      assert.equal(response.status, status);
      const error = response.body.error as { code: string; message: string };
      assert.equal(error.code, code);
      assert.equal(typeof error.message, 'string');
      assert.deepEqual(await f.idp.stepup.store.actions.list(), before);
    });
  }

  test('without a token 401 invalid_token; without the scope 403 naming it; nothing deployed', async () => {
    const none = await fetch(`${f.idp.issuer}/api/v1/actions`);
    assert.equal(none.status, 401);
    assert.match(String(none.headers.get('www-authenticate')), /^Bearer /);
    const readOnly = await f.machine(['read:actions']);
    const refused = await call('PUT', '/api/v1/actions/sneaky', { code: SEED_ACTION }, readOnly);
    assert.equal(refused.status, 403);
    assert.deepEqual(refused.body.error, {
      code: 'missing_scope',
      message: 'this call needs the scope "update:actions"',
      details: { scope: 'update:actions' },
    });
    assert.equal(await f.idp.stepup.store.actions.find('sneaky'), undefined);
  });

  test('a deploy by a person after the freshness window asks for a new sign-in', async () => {
    await f.person('ops', true);
    const operator = await f.signIn('ops');
    const fresh = await call('PUT', '/api/v1/actions/by-person', { code: SEED_ACTION }, operator);
    assert.equal(fresh.status, 201);
    f.advance(120);
    const stale = await call('PUT', '/api/v1/actions/by-person', { code: `${SEED_ACTION}\n// v2` }, operator);
    assert.equal(stale.status, 401);
    assert.equal((stale.body.error as { code: string }).code, 'insufficient_user_authentication');
    assert.match(String(stale.headers.get('www-authenticate')), /max_age=60/);
    assert.equal((await f.idp.stepup.store.actions.find('by-person'))?.version, 1, 'no new version');
    const deployed = await f.audit('admin.action.deployed');
    assert.deepEqual(
      deployed.map((event) => [event.details.name, event.actor?.type]),
      [
        ['seed', 'client'],
        ['claims', 'client'],
        ['by-person', 'user'],
      ],
    );
  });

  test('delete removes an Action with its history; refusals change nothing', async () => {
    const deployed = await call('PUT', '/api/v1/actions/doomed', { code: SEED_ACTION });
    assert.equal(deployed.status, 201);
    await call('PUT', '/api/v1/actions/doomed', { code: `${SEED_ACTION}\n// v2` });
    const readOnly = await f.machine(['read:actions', 'update:actions']);
    const noScope = await call('DELETE', '/api/v1/actions/doomed', undefined, readOnly);
    assert.deepEqual(
      [noScope.status, (noScope.body.error as { details: { scope: string } }).details.scope],
      [403, 'delete:actions'],
    );
    await f.person('ops-delete', true);
    const operator = await f.signIn('ops-delete');
    f.advance(120);
    const stale = await call('DELETE', '/api/v1/actions/doomed', undefined, operator);
    assert.deepEqual(
      [stale.status, (stale.body.error as { code: string }).code],
      [401, 'insufficient_user_authentication'],
    );
    assert.equal((await f.idp.stepup.store.actions.find('doomed'))?.version, 2, 'refusals change nothing');

    const deleted = await call('DELETE', '/api/v1/actions/doomed');
    assert.equal(deleted.status, 204);
    assert.equal((await call('GET', '/api/v1/actions/doomed')).status, 404);
    assert.deepEqual(await f.idp.stepup.store.actions.listVersions('doomed'), []);
    const again = await call('DELETE', '/api/v1/actions/doomed');
    assert.deepEqual([again.status, (again.body.error as { code: string }).code], [404, 'not_found']);
    const events = await f.audit('admin.action.deleted');
    assert.deepEqual(
      events.map((event) => [event.details, event.actor?.type, event.outcome]),
      [[{ name: 'doomed', version: 2, trigger: 'post-login' }, 'client', 'success']],
    );
  });
});

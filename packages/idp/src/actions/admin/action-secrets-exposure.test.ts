import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type ManagementFixture, openManagementFixture } from '../../admin/testing/management-fixture.ts';

/** Planted secrets: one plain, one with the characters JSON escapes. */
const SECRETS = { PLAIN: 'plainSecretValue9f3c', QUOTED: 'Tr0ub"4dor\\&3 q' };

/** An Action that puts its secrets everywhere an Action's run is reported. */
const LEAKY_ACTION = `exports.onExecutePostLogin = async (event, api) => {
  const { PLAIN, QUOTED } = event.secrets;
  console.log(PLAIN, QUOTED);
  console.log({ plain: PLAIN, quoted: QUOTED });
  console.log(JSON.stringify(event.secrets));
  api.user.setAppMetadata(PLAIN, QUOTED);
  if (event.client.client_id === 'salary') api.access.deny('no: ' + PLAIN + ' ' + QUOTED);
};`;

/** Every string in a JSON value, keys included. */
function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, item]) => [key, ...strings(item)]);
}

/** The forms a secret takes in reported text: as is, and escaped inside JSON text. */
const FORMS = Object.values(SECRETS).flatMap((secret) => [secret, JSON.stringify(secret).slice(1, -1)]);

/**
 * Audit finding 4: a `read:actions` caller read secret values in a test run's `calls`, `callSummary`
 * and logs. Once stored, a secret never leaves the server: every response of every Action endpoint
 * is searched for the planted values.
 */
describe('Action secrets never leave the server', () => {
  let f: ManagementFixture;
  let token: string;
  before(async () => {
    f = await openManagementFixture({ actions: { timeoutMs: 3000 } });
    token = await f.machine(['read:actions', 'update:actions'], 'secrets-robot');
  });
  after(() => f.close());

  const responses: { what: string; body: unknown }[] = [];
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await f.call(token, method, path, body);
    assert.ok(response.status < 300, `${method} ${path}: ${response.status}`);
    responses.push({ what: `${method} ${path}`, body: response.body });
    return response;
  };

  test('deploy, show, test, a real login and the execution log carry no secret value', async () => {
    await call('PUT', '/actions/leaky', { code: LEAKY_ACTION, secrets: SECRETS });
    const tested = await call('POST', '/actions/leaky/test', {});
    const result = tested.body.result as { outcome: string; calls: unknown[]; callSummary: string[] };
    assert.equal(result.outcome, 'denied');
    assert.equal(result.calls.length, 2, 'the calls are reported, masked');
    await f.person('pat', false);
    await f.signIn('pat');
    await call('GET', '/actions');
    await call('GET', '/actions/leaky');
    const executions = await call('GET', '/actions/leaky/executions');
    assert.equal((executions.body.items as unknown[]).length, 1, 'the login ran the Action');
    await call('PATCH', '/actions/leaky', { enabled: false });
    await call('PUT', '/actions/triggers/post-login/order', { names: ['leaky'] });
    for (const { what, body } of responses) {
      const found = strings(body).filter((text) => FORMS.some((form) => text.includes(form)));
      assert.deepEqual(found, [], what);
      assert.ok(!Object.values(SECRETS).some((secret) => JSON.stringify(body).includes(secret)), what);
    }
  });
});

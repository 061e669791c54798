import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { ACTION_FAILED_REASON } from './run-post-login-actions.ts';
import type { ActionSandbox } from './sandbox/action-sandbox.ts';
import {
  type ActionsFixture,
  INCLUDES_ACTION,
  loginInput,
  MFA,
  openActionsFixture,
  SEED_ACTION,
  testSandbox,
} from './testing/actions-fixture.ts';

const PHISHING_RESISTANT = 'http://schemas.openid.net/pape/policies/2007/06/phishing-resistant';

let sandbox: ActionSandbox;
before(async () => {
  sandbox = testSandbox();
  await sandbox.warmUp();
});
after(() => sandbox.close());

async function fixture(t: { after: (fn: () => Promise<void>) => void }): Promise<ActionsFixture> {
  const opened = await openActionsFixture(sandbox);
  t.after(() => opened.close());
  return opened;
}

describe('the seed Action, pasted verbatim', () => {
  for (const [name, code] of [
    ['=== (the seed)', SEED_ACTION],
    ['.includes (Auth0 docs)', INCLUDES_ACTION],
  ] as const) {
    test(`${name}: MFA exactly when the salary client sends the MFA acr_values`, async (t) => {
      const actions = await fixture(t);
      await actions.deploy('step-up', code);

      const asked = await actions.run(loginInput('salary', MFA));
      assert.equal(asked.decision, 'allow');
      assert.deepEqual(asked.multifactor, { provider: 'any', allowRememberBrowser: false });
      assert.deepEqual(
        asked.executions.map((e) => [e.actionName, e.outcome, e.errorCode]),
        [['step-up', 'succeeded', null]],
      );

      for (const input of [
        loginInput('payroll', MFA),
        loginInput('salary'),
        loginInput('salary', PHISHING_RESISTANT),
      ]) {
        const outcome = await actions.run(input);
        assert.equal(outcome.decision, 'allow');
        assert.equal(outcome.multifactor, undefined);
        assert.equal(outcome.executions[0]?.outcome, 'succeeded');
      }

      // The decision is in the execution log: the Action's own rule, observable per login.
      const id = (await actions.store.actions.find('step-up'))?.id ?? '';
      const log = await actions.store.actions.listExecutions(id, 10);
      assert.deepEqual(
        log.map((entry) => [entry.clientId, entry.calls]),
        [
          ['salary', []],
          ['salary', []],
          ['payroll', []],
          ['salary', ['multifactor.enable(any, allowRememberBrowser=false)']],
        ],
      );
    });
  }

  test('acr_values sent with odd whitespace still matches; two values match only with .includes', async (t) => {
    const actions = await fixture(t);
    await actions.deploy('seed', SEED_ACTION);
    const spaced = loginInput('salary');
    spaced.transaction.acrValues = [`  ${MFA}  `];
    assert.equal((await actions.run(spaced)).multifactor?.provider, 'any');

    const two = loginInput('salary');
    two.transaction.acrValues = [`${MFA} ${PHISHING_RESISTANT}`];
    assert.equal((await actions.run(two)).multifactor, undefined);
    await actions.deploy('includes', INCLUDES_ACTION);
    assert.equal((await actions.run(two)).multifactor?.provider, 'any');
  });
});

describe('api effects', () => {
  test('access.deny denies with the public reason and stops later Actions', async (t) => {
    const actions = await fixture(t);
    await actions.deploy(
      'a-deny',
      `exports.onExecutePostLogin = async (event, api) => {
      if (event.user.email.endsWith('@example.com')) return api.access.deny('Contractors can not use Salary.');
    };`,
    );
    await actions.deploy(
      'b-never',
      `exports.onExecutePostLogin = async (event, api) => {
      api.idToken.setCustomClaim('https://stepup.example/ran', true);
    };`,
    );
    const outcome = await actions.run(loginInput('salary'));
    assert.equal(outcome.decision, 'deny');
    assert.ok(outcome.decision === 'deny');
    assert.equal(outcome.code, 'access_denied');
    assert.equal(outcome.reason, 'Contractors can not use Salary.');
    assert.deepEqual(outcome.idTokenClaims, {});
    assert.deepEqual(
      outcome.executions.map((e) => [e.actionName, e.outcome]),
      [['a-deny', 'denied']],
    );
  });

  test('custom claims are collected; a registered claim fails closed with action_invalid_claim', async (t) => {
    const actions = await fixture(t);
    await actions.deploy(
      'claims',
      `exports.onExecutePostLogin = async (event, api) => {
      api.idToken.setCustomClaim('https://stepup.example/roles', ['payroll', 'admin']);
      api.accessToken.setCustomClaim('https://stepup.example/tenant', { id: 7 });
      api.user.setAppMetadata('last_client', event.client.client_id);
      api.user.setUserMetadata('theme', undefined);
    };`,
    );
    const outcome = await actions.run(loginInput('salary'));
    assert.equal(outcome.decision, 'allow');
    assert.deepEqual(outcome.idTokenClaims, { 'https://stepup.example/roles': ['payroll', 'admin'] });
    assert.deepEqual(outcome.accessTokenClaims, { 'https://stepup.example/tenant': { id: 7 } });
    assert.deepEqual(outcome.appMetadata, { last_client: 'salary' });
    assert.deepEqual(outcome.userMetadata, { theme: null });

    for (const claim of ['acr', 'amr', 'sub', 'iss', 'aud', 'auth_time', 'authorization_details', 'email']) {
      const refused = await fixture(t);
      await refused.deploy(
        'overwrite',
        `exports.onExecutePostLogin = async (event, api) => {
        try { api.idToken.setCustomClaim('${claim}', 'x'); } catch (e) { /* swallowing does not help */ }
      };`,
      );
      const denied = await refused.run(loginInput('salary'));
      assert.equal(denied.decision, 'deny', claim);
      assert.ok(denied.decision === 'deny');
      assert.equal(denied.code, 'action_invalid_claim', claim);
      assert.equal(denied.reason, ACTION_FAILED_REASON);
    }
  });

  test('several Actions run in order; the strictest MFA wins and later ones see earlier metadata', async (t) => {
    const actions = await fixture(t);
    await actions.deploy(
      'first',
      `exports.onExecutePostLogin = async (event, api) => {
      console.log('first');
      api.multifactor.enable('any', { allowRememberBrowser: true });
      api.user.setAppMetadata('risk', 'high');
      api.idToken.setCustomClaim('https://stepup.example/by', 'first');
    };`,
    );
    await actions.deploy(
      'second',
      `exports.onExecutePostLogin = async (event, api) => {
      console.log('second sees risk', event.user.app_metadata.risk);
      if (event.user.app_metadata.risk === 'high') api.multifactor.enable('webauthn-roaming');
      api.idToken.setCustomClaim('https://stepup.example/by', 'second');
    };`,
    );
    await actions.deploy(
      'third',
      `exports.onExecutePostLogin = async (event, api) => {
      api.multifactor.enable('none');
      api.authentication.challengeWith({ type: 'otp' }, { additionalFactors: [{ type: 'push-notification' }] });
    };`,
    );
    const outcome = await actions.run(loginInput('salary'));
    assert.equal(outcome.decision, 'allow');
    assert.deepEqual(outcome.multifactor, { provider: 'webauthn-roaming', allowRememberBrowser: false });
    assert.deepEqual(outcome.challenges, [{ factors: ['otp', 'push-notification'], enroll: false }]);
    assert.deepEqual(outcome.idTokenClaims, { 'https://stepup.example/by': 'second' });
    assert.deepEqual(
      outcome.executions.map((e) => [e.actionName, e.logs]),
      [
        ['first', ['log: first']],
        ['second', ['log: second sees risk high']],
        ['third', []],
      ],
    );

    await actions.manage.actions.reorder('post-login', ['third', 'first'], 1);
    const reordered = await actions.run(loginInput('salary'));
    assert.deepEqual(
      reordered.executions.map((e) => e.actionName),
      ['third', 'first', 'second'],
    );
    await actions.store.actions.setEnabled('second', false, 2);
    const without = await actions.run(loginInput('salary'));
    assert.deepEqual(
      without.executions.map((e) => e.actionName),
      ['third', 'first'],
    );
    assert.deepEqual(without.multifactor, { provider: 'any', allowRememberBrowser: true });
  });

  test('secrets reach the Action and are masked in its console output and the log', async (t) => {
    const lines: string[] = [];
    const logger = pino({ level: 'debug' }, { write: (line: string) => lines.push(line) });
    const actions = await openActionsFixture(sandbox, {}, logger);
    t.after(() => actions.close());
    await actions.deploy(
      'secretive',
      `exports.onExecutePostLogin = async (event) => {
        console.log('key is', event.secrets.API_KEY);
        throw new Error('failed with ' + event.secrets.API_KEY);
      };`,
      { API_KEY: 'sk_live_0123456789' },
    );
    const outcome = await actions.run(loginInput('salary'));
    assert.ok(outcome.decision === 'deny');
    assert.equal(outcome.code, 'action_threw');
    assert.deepEqual(outcome.executions[0]?.logs, ['log: key is [secret API_KEY]']);
    const id = (await actions.store.actions.find('secretive'))?.id ?? '';
    const [stored] = await actions.store.actions.listExecutions(id, 1);
    assert.match(stored?.errorDetail ?? '', /failed with \[secret API_KEY\]/);
    assert.equal(lines.join('').includes('sk_live_0123456789'), false);
    assert.match(lines.join(''), /action\.executed/);
    const row = await actions.store.actions.find('secretive');
    assert.equal(row?.sealedSecrets?.includes('sk_live_0123456789'), false);
  });

  test('no enabled Action: allow with nothing asked', async (t) => {
    const actions = await fixture(t);
    assert.deepEqual(await actions.run(loginInput('salary', MFA)), {
      decision: 'allow',
      challenges: [],
      idTokenClaims: {},
      accessTokenClaims: {},
      accessTokenScopes: { add: [], remove: [] },
      appMetadata: {},
      userMetadata: {},
      executions: [],
    });
  });

  test('a store that can not list the Actions denies with actions_unavailable', async (t) => {
    const actions = await fixture(t);
    await actions.store.close();
    const outcome = await actions.run(loginInput('salary', MFA));
    assert.ok(outcome.decision === 'deny');
    assert.equal(outcome.code, 'actions_unavailable');
  });
});

describe('hostile Actions are contained and deny the login', () => {
  const cases: [string, string, string][] = [
    ['an endless loop', 'exports.onExecutePostLogin = async () => { for (;;) {} };', 'action_timeout'],
    [
      'an endless loop that catches the interruption',
      'exports.onExecutePostLogin = async () => { for (;;) { try { for (;;) {} } catch (e) {} } };',
      'action_timeout',
    ],
    [
      'a memory bomb',
      'exports.onExecutePostLogin = async () => { const big = new Uint8Array(64 * 1024 * 1024); };',
      'action_out_of_memory',
    ],
    [
      "require('fs')",
      "const fs = require('fs');\nexports.onExecutePostLogin = async () => {};",
      'action_module_unavailable',
    ],
    [
      "require('fs') inside try/catch",
      "exports.onExecutePostLogin = async (event, api) => { try { require('child_process'); } catch (e) {} api.multifactor.enable('none'); };",
      'action_module_unavailable',
    ],
    ['process.exit()', 'exports.onExecutePostLogin = async () => { process.exit(0); };', 'action_threw'],
    [
      'escaping through api.constructor.constructor',
      `exports.onExecutePostLogin = async (event, api) => {
        const global = api.constructor.constructor('return this')();
        global.process.mainModule.require('child_process').execSync('id');
      };`,
      'action_threw',
    ],
    [
      'a never-settling promise',
      'exports.onExecutePostLogin = () => new Promise(() => {});',
      'action_did_not_settle',
    ],
    [
      'a console flood',
      "exports.onExecutePostLogin = async () => { for (;;) console.log('flood'.repeat(50)); };",
      'action_log_limit',
    ],
    ['a throw', "exports.onExecutePostLogin = async () => { throw new Error('no'); };", 'action_threw'],
    [
      'a rejected promise',
      "exports.onExecutePostLogin = () => Promise.reject(new Error('no'));",
      'action_threw',
    ],
    [
      'endless recursion',
      'function f() { return f(); }\nexports.onExecutePostLogin = async () => f();',
      'action_stack_overflow',
    ],
    ['a syntax error', 'exports.onExecutePostLogin = async () => {', 'action_invalid'],
    ['no exported function', 'exports.onExecutePostLogin = 42;', 'action_invalid'],
    ['a returned value', 'exports.onExecutePostLogin = async () => true;', 'action_invalid'],
    [
      'an unknown MFA provider',
      "exports.onExecutePostLogin = async (e, api) => { api.multifactor.enable('sms'); };",
      'action_invalid_call',
    ],
    [
      'an Auth0 API Stepup lacks',
      "exports.onExecutePostLogin = async (e, api) => { api.refreshToken.revoke('everything'); };",
      'action_unsupported_api',
    ],
  ];
  for (const [name, code, expected] of cases) {
    test(`${name} → ${expected}`, async (t) => {
      // Only the loops meet the time limit; the others get a generous one, so a busy machine can not
      // turn their failure into a timeout.
      const timeoutMs = expected === 'action_timeout' ? 150 : 3000;
      const actions = await openActionsFixture(sandbox, { timeoutMs, logLimitBytes: 4096 });
      t.after(() => actions.close());
      // A deploy-time check would refuse the scripts that do not load; store them as an old version would be.
      await actions.store.actions.deploy({
        name: 'hostile',
        trigger: 'post-login',
        code,
        secretNames: [],
        sealedSecrets: null,
        basedOn: null,
        enabled: true,
        now: 1,
      });
      await actions.deploy('seed', SEED_ACTION);
      const outcome = await actions.run(loginInput('salary', MFA));
      assert.ok(outcome.decision === 'deny', JSON.stringify(outcome.executions));
      assert.equal(outcome.code, expected, JSON.stringify(outcome.executions));
      assert.equal(outcome.reason, ACTION_FAILED_REASON);
      assert.equal(outcome.multifactor, undefined);
      assert.deepEqual(
        outcome.executions.map((e) => [e.actionName, e.outcome, e.errorCode]),
        [['hostile', 'failed', expected]],
      );
    });
  }

  test('prototype and global tricks do not reach the api, the host or the next Action', async (t) => {
    const actions = await openActionsFixture(sandbox);
    t.after(() => actions.close());
    await actions.deploy(
      'tamper',
      `exports.onExecutePostLogin = async (event, api) => {
      Object.prototype.allowRememberBrowser = true;
      Object.defineProperty(Object.prototype, 'provider', { get() { return 'none'; } });
      Array.prototype.includes = () => false;
      String.prototype.includes = () => false;
      JSON.stringify = () => '{"allowRememberBrowser":true}';
      Function.prototype.call = () => undefined;
      try { api.multifactor.enable = () => {}; } catch (e) {}
      try { event.client.client_id = 'payroll'; } catch (e) {}
      try { Object.defineProperty(event.transaction, 'acr_values', { value: '' }); } catch (e) {}
      const global = api.constructor.constructor('return this')();
      console.log(typeof global.process, typeof global.require, typeof global.fetch, event.client.client_id);
      api.multifactor.enable('otp', { allowRememberBrowser: false });
    };`,
    );
    await actions.deploy('seed', SEED_ACTION);
    const outcome = await actions.run(loginInput('salary', MFA));
    assert.equal(outcome.decision, 'allow', JSON.stringify(outcome.executions));
    assert.deepEqual(outcome.multifactor, { provider: 'otp', allowRememberBrowser: false });
    assert.deepEqual(
      outcome.executions.map((e) => [e.actionName, e.logs]),
      [
        ['tamper', ['log: undefined undefined undefined salary']],
        ['seed', []],
      ],
    );
    assert.equal(({} as Record<string, unknown>).allowRememberBrowser, undefined);
    assert.equal([1].includes(1), true);
  });
});

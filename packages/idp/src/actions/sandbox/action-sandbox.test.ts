import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ActionSandbox } from './action-sandbox.ts';
import type { SandboxLimits, SandboxRequest } from './sandbox-protocol.ts';

/** Generous: this file runs on busy CI machines; the runaway tests set their own, short limit. */
const LIMITS: SandboxLimits = {
  timeoutMs: 2000,
  memoryLimitBytes: 16 * 2 ** 20,
  maxStackBytes: 256 * 1024,
  logLimitBytes: 4096,
};
const RUNAWAY_LIMIT_MS = 100;
/**
 * How fast a runaway script is stopped is measured by `bench/actions.ts`, not asserted here. A sandbox
 * that never stopped one would hold its test for a minute; this deadline makes that a failure.
 */
const STOPPED_WITHIN = { timeout: 20_000 };
const RUNAWAY_LIMITS: SandboxLimits = { ...LIMITS, timeoutMs: RUNAWAY_LIMIT_MS };

function request(code: string, overrides: Partial<SandboxRequest> = {}): SandboxRequest {
  return {
    mode: 'run',
    code,
    filename: 'test.js',
    eventJson: JSON.stringify({ client: { client_id: 'salary' }, transaction: { acr_values: '' } }),
    limits: LIMITS,
    ...overrides,
  };
}

let sandbox: ActionSandbox;
before(async () => {
  sandbox = new ActionSandbox({ workers: 2, maxStackBytes: LIMITS.maxStackBytes });
  await sandbox.warmUp();
});
after(() => sandbox.close());

describe('ActionSandbox', () => {
  test('records validated api calls and console lines, and returns only plain data', async () => {
    const result = await sandbox.run(
      request(`exports.onExecutePostLogin = async (event, api) => {
        await null;
        console.info('client', event.client.client_id, { n: 1 }, [2]);
        console.warn(new TypeError('careful'));
        api.multifactor.enable('guardian', { allowRememberBrowser: true });
        api.authentication.enrollWithAny(['otp', { type: 'webauthn-platform' }]);
      };`),
    );
    assert.deepEqual(result.failure, undefined);
    assert.deepEqual(result.calls, [
      { method: 'multifactor.enable', provider: 'guardian', allowRememberBrowser: true },
      { method: 'authentication.enrollWithAny', factors: ['otp', 'webauthn-platform'], enroll: true },
    ]);
    assert.deepEqual(result.logs, [
      'info: client salary {"n":1} [2]',
      'warn: TypeError: careful (at <anonymous> (test.js:4:35))',
    ]);
  });

  test(
    'a runaway script is stopped at its limit, without blocking the event loop',
    STOPPED_WITHIN,
    async () => {
      let settled = false;
      const pending = sandbox
        .run(
          request('exports.onExecutePostLogin = async () => { while (true) {} };', {
            limits: RUNAWAY_LIMITS,
          }),
        )
        .finally(() => {
          settled = true;
        });
      // The provider's event loop goes on while the script spins: a macrotask queued now runs first.
      // A sandbox that ran scripts on the provider's own thread would settle before it.
      await new Promise((resolve) => setImmediate(resolve));
      assert.equal(settled, false, 'the event loop waited for the runaway script');
      const result = await pending;
      assert.equal(result.failure?.code, 'action_timeout');
      assert.ok(result.durationMs >= RUNAWAY_LIMIT_MS, `ran ${result.durationMs} ms`);
    },
  );

  test(
    'a script stuck in a built-in that never yields is stopped by the watchdog',
    STOPPED_WITHIN,
    async () => {
      const result = await sandbox.run(
        request(
          `exports.onExecutePostLogin = async () => {
        // Runs for about a minute inside one call of a built-in, allocating nothing.
        new Array(1e9).join('');
      };`,
          { limits: RUNAWAY_LIMITS },
        ),
      );
      assert.equal(result.failure?.code, 'action_timeout');
      // The worker was replaced; the next run works.
      const next = await sandbox.run(
        request("exports.onExecutePostLogin = async (e, api) => { api.multifactor.enable('any'); };"),
      );
      assert.equal(next.failure, undefined);
      assert.equal(next.calls.length, 1);
    },
  );

  test('a blocked provider event loop does not turn a finished execution into a timeout', async () => {
    const pending = sandbox.run(
      request("exports.onExecutePostLogin = async (e, api) => { api.multifactor.enable('any'); };", {
        limits: RUNAWAY_LIMITS,
      }),
    );
    const blockedUntil = Date.now() + RUNAWAY_LIMIT_MS + 200;
    while (Date.now() < blockedUntil) {
      // Past the watchdog's deadline, with the answer already sent.
    }
    const result = await pending;
    assert.equal(result.failure, undefined);
    assert.equal(result.calls.length, 1);
  });

  test('recursion that would overflow the native stack is a stack overflow, and the sandbox goes on', async () => {
    for (const body of [
      "eval('['.repeat(30000) + ']'.repeat(30000));",
      "JSON.parse('['.repeat(30000) + ']'.repeat(30000));",
      'let o = []; for (let i = 0; i < 30000; i++) o = [o]; String(o);',
    ]) {
      const result = await sandbox.run(request(`exports.onExecutePostLogin = async () => { ${body} };`));
      assert.equal(result.failure?.code, 'action_stack_overflow', body);
    }
    const next = await sandbox.run(request('exports.onExecutePostLogin = async () => {};'));
    assert.equal(next.failure, undefined);
  });

  test('each execution starts from a fresh context', async () => {
    const first = await sandbox.run(
      request(`globalThis.leak = 'first';
        Object.prototype.polluted = true;
        exports.onExecutePostLogin = async () => {};`),
    );
    assert.equal(first.failure, undefined);
    const second = await sandbox.run(
      request(`exports.onExecutePostLogin = async () => {
        console.log(typeof globalThis.leak, typeof ({}).polluted);
      };`),
    );
    assert.deepEqual(second.logs, ['log: undefined undefined']);
  });

  test('load mode runs the top level and checks the export without calling it', async () => {
    const ok = await sandbox.run(
      request("exports.onExecutePostLogin = async () => { throw new Error('called'); };", { mode: 'load' }),
    );
    assert.equal(ok.failure, undefined);
    const missing = await sandbox.run(request('exports.other = () => {};', { mode: 'load' }));
    assert.equal(missing.failure?.code, 'action_invalid');
    const moduleExports = await sandbox.run(
      request('module.exports = { onExecutePostLogin: async (e, api) => { api.access.deny("x"); } };'),
    );
    assert.deepEqual(moduleExports.calls, [{ method: 'access.deny', reason: 'x' }]);
  });

  test('more requests than workers wait their turn', async () => {
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, index) =>
        sandbox.run(
          request(
            `exports.onExecutePostLogin = async (e, api) => { api.user.setAppMetadata('n', ${index}); };`,
          ),
        ),
      ),
    );
    assert.deepEqual(
      results.map((result) => result.calls),
      Array.from({ length: 12 }, (_, index) => [{ method: 'user.setAppMetadata', key: 'n', value: index }]),
    );
  });

  test('misuse is a TypeError', async () => {
    assert.throws(() => new ActionSandbox({ workers: 0, maxStackBytes: 1 }), TypeError);
    const closed = new ActionSandbox({ workers: 1, maxStackBytes: LIMITS.maxStackBytes });
    await closed.close();
    assert.throws(() => closed.run(request('')), TypeError);
  });
});

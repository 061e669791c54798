import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ActionManagementError } from './action-management-error.ts';
import { loadActionsDirectory } from './load-actions-directory.ts';
import type { ActionSandbox } from './sandbox/action-sandbox.ts';
import {
  INCLUDES_ACTION,
  loginInput,
  MFA,
  openActionsFixture,
  SEED_ACTION,
  testSandbox,
} from './testing/actions-fixture.ts';

let sandbox: ActionSandbox;
const root = mkdtempSync(join(tmpdir(), 'stepup-actions-dir-'));
before(async () => {
  sandbox = testSandbox();
  await sandbox.warmUp();
});
after(async () => {
  await sandbox.close();
  rmSync(root, { recursive: true, force: true });
});

function folder(files: Record<string, string>): string {
  const path = mkdtempSync(join(root, 'actions-'));
  for (const [name, code] of Object.entries(files)) writeFileSync(join(path, name), code);
  return path;
}

describe('loadActionsDirectory', () => {
  test('deploys each file as an Action, in file name order, and only changed files again', async (t) => {
    const actions = await openActionsFixture(sandbox);
    t.after(() => actions.close());
    const settings = actions.settings;
    await actions.deploy('from-cli', 'exports.onExecutePostLogin = async () => {};');
    await actions.store.actions.setEnabled('from-cli', false, 1);
    const dir = folder({
      '20-claims.js':
        "exports.onExecutePostLogin = async (e, api) => { api.idToken.setCustomClaim('https://x/y', 1); };",
      '10-step-up.js': SEED_ACTION,
      'README.md': 'not an Action',
    });

    assert.deepEqual(await loadActionsDirectory(dir, actions.store.actions, { sandbox, settings }), [
      { name: '10-step-up', version: 1, changed: true },
      { name: '20-claims', version: 1, changed: true },
    ]);
    assert.deepEqual(
      (await actions.store.actions.list()).map((a) => [a.name, a.position, a.enabled]),
      [
        ['10-step-up', 1, true],
        ['20-claims', 2, true],
        ['from-cli', 3, false],
      ],
    );
    const outcome = await actions.run(loginInput('salary', MFA));
    assert.deepEqual(outcome.multifactor, { provider: 'any', allowRememberBrowser: false });
    assert.deepEqual(outcome.idTokenClaims, { 'https://x/y': 1 });

    // Started again: nothing changed, nothing deployed. A disabled file Action is enabled again.
    await actions.store.actions.setEnabled('20-claims', false, 2);
    writeFileSync(join(dir, '10-step-up.js'), INCLUDES_ACTION);
    assert.deepEqual(await loadActionsDirectory(dir, actions.store.actions, { sandbox, settings }), [
      { name: '10-step-up', version: 2, changed: true },
      { name: '20-claims', version: 1, changed: false },
    ]);
    assert.equal((await actions.store.actions.find('20-claims'))?.enabled, true);
  });

  test('a file that does not load stops the start, naming the file', async (t) => {
    const actions = await openActionsFixture(sandbox);
    t.after(() => actions.close());
    const dir = folder({ 'broken.js': 'exports.onExecutePostLogin = async () => {' });
    await assert.rejects(loadActionsDirectory(dir, actions.store.actions, { sandbox }), (error: unknown) => {
      assert.ok(error instanceof ActionManagementError);
      assert.equal(error.code, 'invalid_request');
      assert.match(error.message, /broken\.js/);
      return true;
    });
    assert.deepEqual(await actions.store.actions.list(), []);
    await assert.rejects(loadActionsDirectory(join(root, 'missing'), actions.store.actions, { sandbox }), {
      code: 'invalid_request',
    });
  });

  test('a file that calls what Stepup lacks stops the start, naming the file, the call and the line', async (t) => {
    const actions = await openActionsFixture(sandbox);
    t.after(() => actions.close());
    const dir = folder({
      '10-fine.js': 'exports.onExecutePostLogin = async () => {};',
      '20-revoking.js':
        "exports.onExecutePostLogin = async (event, api) => {\n  api.refreshToken.revoke('stolen');\n};",
    });
    await assert.rejects(loadActionsDirectory(dir, actions.store.actions, { sandbox }), (error: unknown) => {
      assert.ok(error instanceof ActionManagementError);
      assert.equal(error.code, 'invalid_request');
      assert.match(
        error.message,
        /20-revoking\.js: .*line 2: api\.refreshToken\.revoke is not available in Stepup/,
      );
      return true;
    });
    assert.equal(await actions.store.actions.find('20-revoking'), undefined);
  });
});

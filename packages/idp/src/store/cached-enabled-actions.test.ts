import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { ActionsRepository, DeployActionInput } from './actions.ts';
import { CachedEnabledActions } from './cached-enabled-actions.ts';
import { openSqliteStore } from './sqlite/sqlite-store.ts';
import type { Store } from './store.ts';

const root = mkdtempSync(join(tmpdir(), 'stepup-cached-actions-'));
after(() => rmSync(root, { recursive: true, force: true }));

let opened = 0;
/** Two stores over one SQLite file, as two nodes would open it; closed after the test. */
async function twoNodes(t: { after(fn: () => Promise<void>): void }): Promise<[Store, Store]> {
  opened++;
  const dataDir = join(root, `data-${opened}`);
  const first = await openSqliteStore({ dataDir });
  const second = await openSqliteStore({ dataDir });
  t.after(async () => {
    await first.close();
    await second.close();
  });
  return [first, second];
}

const deploy = (name: string, code = 'exports.onExecutePostLogin = async () => {};'): DeployActionInput => ({
  name,
  trigger: 'post-login',
  code,
  secretNames: [],
  sealedSecrets: null,
  basedOn: null,
  now: 1_700_000_000,
});

const enabledNames = async (actions: ActionsRepository) =>
  (await actions.listEnabled('post-login')).map((action) => action.name);

/** Counts the reads of enabled Actions that reach the repository. */
function countingReads(actions: ActionsRepository) {
  const counted = { reads: 0 };
  const listEnabled = actions.listEnabled.bind(actions);
  actions.listEnabled = (trigger) => {
    counted.reads++;
    return listEnabled(trigger);
  };
  return counted;
}

describe('CachedEnabledActions', () => {
  test('serves the enabled Actions from memory until a write through it, which is seen at once', async (t) => {
    const [store] = await twoNodes(t);
    const counted = countingReads(store.actions);
    const cached = new CachedEnabledActions(store.actions);
    await cached.deploy(deploy('first'));
    assert.deepEqual(await enabledNames(cached), ['first']);
    assert.deepEqual(await enabledNames(cached), ['first']);
    assert.equal(counted.reads, 1);

    await cached.deploy(deploy('second'));
    assert.deepEqual(await enabledNames(cached), ['first', 'second']);
    assert.equal(await cached.setEnabled('first', false, 1_700_000_001), true);
    assert.deepEqual(await enabledNames(cached), ['second']);
    assert.deepEqual(await cached.reorder('post-login', ['second', 'first'], 1_700_000_002), []);
    assert.equal(await cached.setEnabled('first', true, 1_700_000_003), true);
    assert.deepEqual(await enabledNames(cached), ['second', 'first']);
    assert.equal(await cached.remove('second'), true);
    assert.deepEqual(await enabledNames(cached), ['first']);
    assert.equal(counted.reads, 5);
  });

  test('a change made on another node is seen once the cache is told to forget, not before', async (t) => {
    const [nodeA, nodeB] = await twoNodes(t);
    const a = new CachedEnabledActions(nodeA.actions);
    const b = new CachedEnabledActions(nodeB.actions);
    await a.deploy(deploy('rule'));
    assert.deepEqual(await enabledNames(b), ['rule']);

    assert.equal(await a.setEnabled('rule', false, 1_700_000_001), true);
    assert.deepEqual(await enabledNames(a), []);
    assert.deepEqual(await enabledNames(b), ['rule'], 'node B still serves what it read');
    b.forget();
    assert.deepEqual(await enabledNames(b), []);
  });

  test('a read that started before a forget does not stay in memory after it', async (t) => {
    const [nodeA, nodeB] = await twoNodes(t);
    await nodeA.actions.deploy(deploy('old'));
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const listEnabled = nodeB.actions.listEnabled.bind(nodeB.actions);
    let calls = 0;
    nodeB.actions.listEnabled = async (trigger) => {
      calls++;
      const answer = await listEnabled(trigger);
      if (calls === 1) await gate;
      return answer;
    };
    const b = new CachedEnabledActions(nodeB.actions);
    const early = enabledNames(b);
    await nodeA.actions.deploy(deploy('new'));
    b.forget();
    release();
    assert.deepEqual(await early, ['old'], 'the read that began before the change answers what it read');
    assert.deepEqual(await enabledNames(b), ['old', 'new']);
    assert.equal(calls, 2);
  });

  test('a failed read is not kept: the next one asks the store again', async (t) => {
    const [store] = await twoNodes(t);
    await store.actions.deploy(deploy('rule'));
    const listEnabled = store.actions.listEnabled.bind(store.actions);
    let fail = true;
    store.actions.listEnabled = async (trigger) => {
      if (fail) throw new Error('store unavailable');
      return listEnabled(trigger);
    };
    const cached = new CachedEnabledActions(store.actions);
    await assert.rejects(cached.listEnabled('post-login'), /store unavailable/);
    fail = false;
    assert.deepEqual(await enabledNames(cached), ['rule']);
  });

  test('callers cannot change what the next caller is served', async (t) => {
    const [store] = await twoNodes(t);
    const cached = new CachedEnabledActions(store.actions);
    await cached.deploy(deploy('rule'));
    const first = await cached.listEnabled('post-login');
    const [action] = first;
    assert.ok(action);
    first.pop();
    assert.throws(() => {
      action.code = 'exports.onExecutePostLogin = async (event, api) => api.access.deny("x");';
    }, TypeError);
    const again = await cached.listEnabled('post-login');
    assert.deepEqual(
      again.map(({ name, code }) => ({ name, code })),
      [{ name: 'rule', code: 'exports.onExecutePostLogin = async () => {};' }],
    );
  });
});

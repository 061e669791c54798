import assert from 'node:assert/strict';
import { describe, type TestContext, test } from 'node:test';
import type { CustomClaimsRecord } from './custom-claims.ts';
import type { Store } from './store.ts';

const NOW = 1_700_000_000;

/**
 * What the post-login Actions keep: user metadata, the custom claims of a grant, and an Action's
 * removal with everything it kept. Part of the store contract; `describeStoreContract` runs it per
 * backend.
 */
export function describePostLoginStoreContract(
  name: string,
  openStore: (t: TestContext) => Promise<Store>,
): void {
  async function openWithUser(t: TestContext) {
    const store = await openStore(t);
    const user = await store.users.create({ username: 'alice', passwordHash: 'h', now: NOW });
    return { store, user };
  }

  describe(`${name}: user metadata`, () => {
    test('a new user has empty metadata; an unknown user has none', async (t) => {
      const { store, user } = await openWithUser(t);
      assert.deepEqual(await store.userMetadata.find(user.id), { appMetadata: {}, userMetadata: {} });
      assert.equal(await store.userMetadata.find('00000000-0000-4000-8000-000000000000'), undefined);
    });

    test('apply sets and removes keys, keeps the others and returns the result', async (t) => {
      const { store, user } = await openWithUser(t);
      await store.userMetadata.apply(user.id, {
        appMetadata: { plan: 'gold', roles: ['hr', 'payroll'], limits: { daily: 3 } },
        userMetadata: { theme: 'dark' },
      });
      const after = await store.userMetadata.apply(user.id, {
        appMetadata: { plan: null, region: 'eu' },
        userMetadata: {},
      });
      const expected = {
        appMetadata: { roles: ['hr', 'payroll'], limits: { daily: 3 }, region: 'eu' },
        userMetadata: { theme: 'dark' },
      };
      assert.deepEqual(after, expected);
      assert.deepEqual(await store.userMetadata.find(user.id), expected);
    });

    test('concurrent applies to different keys both land', async (t) => {
      const { store, user } = await openWithUser(t);
      await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          store.userMetadata.apply(user.id, { appMetadata: { [`k${i}`]: i }, userMetadata: {} }),
        ),
      );
      const found = await store.userMetadata.find(user.id);
      assert.equal(Object.keys(found?.appMetadata ?? {}).length, 10);
    });

    test('refusals: an unknown user and the key __proto__ change nothing', async (t) => {
      const { store, user } = await openWithUser(t);
      assert.equal(
        await store.userMetadata.apply('00000000-0000-4000-8000-000000000000', {
          appMetadata: { a: 1 },
          userMetadata: {},
        }),
        undefined,
      );
      const changes = { appMetadata: JSON.parse('{"__proto__": {"admin": true}}'), userMetadata: {} };
      await assert.rejects(store.userMetadata.apply(user.id, changes), TypeError);
      assert.deepEqual(await store.userMetadata.find(user.id), { appMetadata: {}, userMetadata: {} });
    });
  });

  describe(`${name}: custom claims`, () => {
    function record(accountId: string, overrides: Partial<CustomClaimsRecord> = {}): CustomClaimsRecord {
      return {
        grantId: 'grant-1',
        sessionUid: 'session-1',
        clientId: 'hr',
        accountId,
        idToken: { 'https://example.com/dept': 'hr' },
        accessToken: { 'https://example.com/level': 3, 'https://example.com/tags': ['a'] },
        expiresAt: NOW + 3600,
        ...overrides,
      };
    }

    test('save, find, replace and remove by grant', async (t) => {
      const { store, user } = await openWithUser(t);
      await store.customClaims.save(record(user.id));
      assert.deepEqual(await store.customClaims.find('grant-1', NOW), record(user.id));
      assert.equal(await store.customClaims.find('grant-2', NOW), undefined);

      const replaced = record(user.id, { idToken: {}, accessToken: { x: true }, expiresAt: NOW + 7200 });
      await store.customClaims.save(replaced);
      assert.deepEqual(await store.customClaims.find('grant-1', NOW), replaced);

      assert.equal(await store.customClaims.remove('grant-1'), true);
      assert.equal(await store.customClaims.remove('grant-1'), false);
      assert.equal(await store.customClaims.find('grant-1', NOW), undefined);
    });

    test('an expired record is not found and is swept', async (t) => {
      const { store, user } = await openWithUser(t);
      await store.customClaims.save(record(user.id, { expiresAt: NOW + 10 }));
      assert.equal(await store.customClaims.find('grant-1', NOW + 10), undefined);
      assert.ok((await store.deleteExpired(NOW + 10)) >= 1);
      assert.equal(await store.customClaims.find('grant-1', NOW), undefined);
    });
  });

  describe(`${name}: removing an Action`, () => {
    const deploy = (store: Store, actionName: string, basedOn: number | null = null) =>
      store.actions.deploy({
        name: actionName,
        trigger: 'post-login',
        code: `code of ${actionName}`,
        secretNames: ['API_KEY'],
        sealedSecrets: 'v1.sealed',
        basedOn,
        enabled: true,
        now: NOW,
      });

    test('remove deletes the Action, its versions and its executions; the others keep their order', async (t) => {
      const store = await openStore(t);
      for (const actionName of ['a', 'b', 'c']) await deploy(store, actionName);
      const b = await deploy(store, 'b', 1);
      await store.actions.recordExecution(
        {
          actionId: b.id,
          version: 2,
          startedAt: NOW * 1000,
          durationMs: 1,
          outcome: 'succeeded',
          errorCode: null,
          errorDetail: null,
          logs: [],
          calls: [],
          userId: null,
          clientId: null,
        },
        10,
      );
      assert.equal(await store.actions.remove('b'), true);
      assert.equal(await store.actions.find('b'), undefined);
      assert.deepEqual(await store.actions.listVersions('b'), []);
      assert.deepEqual(await store.actions.listExecutions(b.id, 10), []);
      assert.deepEqual(
        (await store.actions.listEnabled('post-login')).map((action) => action.name),
        ['a', 'c'],
      );
      assert.equal(await store.actions.remove('b'), false, 'already gone');
      assert.equal(await store.actions.remove('nope'), false);
      assert.equal((await store.actions.list()).length, 2, 'a refused removal changes nothing');
      const again = await deploy(store, 'b');
      assert.deepEqual([again.version, again.name], [1, 'b']);
      assert.notEqual(again.id, b.id);
    });
  });
}

import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import pino from 'pino';
import { openManagementFixture } from '../admin/testing/management-fixture.ts';
import { connectRedisForTests } from '../testing/redis-test-connection.ts';
import { startTestProvider } from '../testing/test-provider.ts';
import { createRedisConfigChangeSignal } from './redis-config-change-signal.ts';

const redis = await connectRedisForTests();

/** A logger that resolves `next(message)` when a line with that message is written. */
function watchedLogger() {
  const waiting = new Map<string, () => void>();
  const logger = pino(
    { level: 'debug' },
    {
      write(line: string) {
        const { msg } = JSON.parse(line) as { msg?: string };
        if (msg !== undefined) waiting.get(msg)?.();
      },
    },
  );
  return {
    logger,
    next: (message: string) => new Promise<void>((resolve) => waiting.set(message, resolve)),
  };
}

if (redis.skip !== undefined) {
  describe('Redis config change signal', { skip: redis.skip }, () => {});
} else {
  const keySpace = redis.redis;
  after(() => keySpace.cleanup());

  describe('Redis config change signal', () => {
    test('an announcement on one node reaches the listeners of every node sharing the prefix', async (t) => {
      const channelPrefix = keySpace.newKeyPrefix();
      const open = (prefix: string) =>
        createRedisConfigChangeSignal({ url: keySpace.url, channelPrefix: prefix, commandTimeoutMs: 2000 });
      const [a, b, stranger] = [await open(channelPrefix), await open(channelPrefix), await open('other:')];
      t.after(() => Promise.all([a, b, stranger].map((signal) => signal.close())));
      const heard = { b: 0, stranger: 0 };
      const arrivals = { b: () => {}, stranger: () => {} };
      const next = (name: 'b' | 'stranger') =>
        new Promise<void>((resolve) => {
          arrivals[name] = resolve;
        });
      await b.listen(() => {
        heard.b++;
        arrivals.b();
      });
      await stranger.listen(() => {
        heard.stranger++;
        arrivals.stranger();
      });
      const toB = next('b');
      await a.announce();
      await toB;
      // Redis delivers in publish order: once the stranger hears its own notice, it heard any before.
      const toStranger = next('stranger');
      await stranger.announce();
      await toStranger;
      assert.deepEqual(heard, { b: 1, stranger: 1 });
    });

    test('a key rotation on one node reaches another node at once through Redis', async () => {
      const prefix = keySpace.newKeyPrefix();
      const shared = { redisUrl: keySpace.url, redis: { keyPrefix: prefix } };
      const f = await openManagementFixture({
        ...shared,
        admin: { freshAuthSeconds: 60, changeCheckSeconds: 300 },
      });
      const watched = watchedLogger();
      const second = await startTestProvider({
        ...shared,
        dataDir: f.idp.dataDir,
        logger: watched.logger,
        admin: { changeCheckSeconds: 300 },
      });
      try {
        const token = await f.machine(['update:keys']);
        const swapped = watched.next('now serving the stored signing keys');
        const rotated = await f.call(token, 'POST', '/keys/rotate');
        assert.equal(rotated.status, 200);
        await swapped;
        const jwks = (await (await fetch(`${second.issuer}/.well-known/jwks.json`)).json()) as {
          keys: { kid: string }[];
        };
        assert.deepEqual(
          jwks.keys.map((key) => key.kid).sort(),
          (rotated.body.items as { kid: string }[]).map((key) => key.kid).sort(),
        );
      } finally {
        await second.close({ removeData: false });
        await f.close();
      }
    });

    test('an Action switched on through one node runs on another at once, through Redis', async () => {
      const prefix = keySpace.newKeyPrefix();
      const shared = { redisUrl: keySpace.url, redis: { keyPrefix: prefix } };
      const f = await openManagementFixture({
        ...shared,
        admin: { freshAuthSeconds: 60, changeCheckSeconds: 300 },
      });
      const watched = watchedLogger();
      const second = await startTestProvider({
        ...shared,
        dataDir: f.idp.dataDir,
        logger: watched.logger,
        admin: { changeCheckSeconds: 300 },
      });
      try {
        const enabledOnSecond = async () =>
          (await second.stepup.store.actions.listEnabled('post-login')).map((action) => action.name);
        const token = await f.machine(['update:actions']);
        const code = 'exports.onExecutePostLogin = async (event, api) => { api.access.deny("closed"); };';
        const deployed = watched.next('another node announced a change in the store');
        assert.equal((await f.call(token, 'PUT', '/actions/gate', { code, enabled: false })).status, 201);
        await deployed;
        // The second node now keeps the Actions it read in memory, none of them enabled.
        assert.deepEqual(await enabledOnSecond(), []);
        const heard = watched.next('another node announced a change in the store');
        assert.equal((await f.call(token, 'PATCH', '/actions/gate', { enabled: true })).status, 200);
        await heard;
        assert.deepEqual(await enabledOnSecond(), ['gate']);
      } finally {
        await second.close({ removeData: false });
        await f.close();
      }
    });
  });
}

import assert from 'node:assert/strict';
import { after, describe, type TestContext, test } from 'node:test';
import { Redis } from 'ioredis';
import { startOutageProxy } from '../../testing/outage-proxy.ts';
import { connectRedisForTests } from '../../testing/redis-test-connection.ts';
import { interactionTopic, type PushNotice, type PushNotifier, userTopic } from './push-notifier.ts';
import { createRedisPushNotifier } from './redis-push-notifier.ts';

const redis = await connectRedisForTests();

/** Collects notices and resolves `next()` with each as it arrives. */
function inbox() {
  const received: PushNotice[] = [];
  const waiting: ((notice: PushNotice) => void)[] = [];
  return {
    received,
    listener(notice: PushNotice) {
      received.push(notice);
      waiting.shift()?.(notice);
    },
    next(): Promise<PushNotice> {
      return new Promise((resolve) => waiting.push(resolve));
    },
  };
}

if (redis.skip !== undefined) {
  describe('Redis push notifier', { skip: redis.skip }, () => {});
} else {
  const keySpace = redis.redis;
  after(() => keySpace.cleanup());

  async function twoNodes(t: TestContext, channelPrefix = keySpace.newKeyPrefix()) {
    const open = () => createRedisPushNotifier({ url: keySpace.url, channelPrefix, commandTimeoutMs: 2000 });
    const nodes: [PushNotifier, PushNotifier] = [await open(), await open()];
    t.after(() => Promise.all(nodes.map((node) => node.close())));
    return { nodes, channelPrefix };
  }

  describe('Redis push notifier', () => {
    test('a notice published on one node reaches the listeners of its topic on the other', async (t) => {
      const { nodes } = await twoNodes(t);
      const [a, b] = nodes;
      const page = inbox();
      const device = inbox();
      await a.subscribe(interactionTopic('int-1'), page.listener);
      await a.subscribe(userTopic('user-1'), device.listener);
      const resolved: PushNotice = { type: 'challenge.resolved', challengeId: 'c1', status: 'approved' };
      const arrival = page.next();
      await b.publish(interactionTopic('int-1'), resolved);
      assert.deepEqual(await arrival, resolved);
      const sent: PushNotice = { type: 'challenge.sent', challengeId: 'c2' };
      const deviceArrival = device.next();
      await b.publish(userTopic('user-1'), sent);
      assert.deepEqual(await deviceArrival, sent);
      assert.deepEqual(page.received, [resolved]);
      assert.deepEqual(device.received, [sent]);
    });

    test('every resolution crosses nodes, a withdrawal included: devices everywhere drop the request', {
      timeout: 5000,
    }, async (t) => {
      const { nodes } = await twoNodes(t);
      const [a, b] = nodes;
      const device = inbox();
      await a.subscribe(userTopic('user-1'), device.listener);
      const statuses = ['approved', 'denied', 'expired', 'withdrawn'] as const;
      for (const status of statuses) {
        const notice: PushNotice = { type: 'challenge.resolved', challengeId: `c-${status}`, status };
        const arrival = device.next();
        await b.publish(userTopic('user-1'), notice);
        assert.deepEqual(await arrival, notice);
      }
      assert.deepEqual(
        device.received.map((notice) => (notice.type === 'challenge.resolved' ? notice.status : notice.type)),
        statuses,
      );
    });

    test('after unsubscribing a listener hears nothing; other listeners of the topic still do', async (t) => {
      const { nodes } = await twoNodes(t);
      const [a, b] = nodes;
      const leaving = inbox();
      const staying = inbox();
      const unsubscribe = await a.subscribe(interactionTopic('int-1'), leaving.listener);
      await a.subscribe(interactionTopic('int-1'), staying.listener);
      unsubscribe();
      const first: PushNotice = { type: 'device.enrolled', deviceId: 'd1' };
      const arrival = staying.next();
      await b.publish(interactionTopic('int-1'), first);
      assert.deepEqual(await arrival, first);
      assert.deepEqual(leaving.received, []);
    });

    test('the last listener leaving unsubscribes the node; notices published later do not reach it', async (t) => {
      const { nodes } = await twoNodes(t);
      const [a, b] = nodes;
      const gone = inbox();
      const marker = inbox();
      const unsubscribe = await a.subscribe(interactionTopic('int-1'), gone.listener);
      await a.subscribe(interactionTopic('int-2'), marker.listener);
      unsubscribe();
      // One publisher and one subscriber connection: Redis delivers in publishing order, so once the
      // marker arrives, the notice published before it would have arrived too.
      await b.publish(interactionTopic('int-1'), { type: 'challenge.sent', challengeId: 'c1' });
      const arrival = marker.next();
      await b.publish(interactionTopic('int-2'), { type: 'challenge.sent', challengeId: 'c2' });
      await arrival;
      assert.deepEqual(gone.received, []);
    });

    test('a malformed message on the channel is ignored; installations with another prefix are apart', async (t) => {
      const { nodes, channelPrefix } = await twoNodes(t);
      const [a] = nodes;
      const other = await twoNodes(t);
      const page = inbox();
      await a.subscribe(interactionTopic('int-1'), page.listener);
      const raw = new Redis(keySpace.url);
      t.after(() => raw.quit());
      const channel = channelPrefix + interactionTopic('int-1');
      await raw.publish(channel, 'not json');
      await raw.publish(
        channel,
        JSON.stringify({ type: 'challenge.resolved', challengeId: 'c1', status: 'open' }),
      );
      await raw.publish(channel, JSON.stringify({ type: 'unknown', challengeId: 'c1' }));
      await other.nodes[1].publish(interactionTopic('int-1'), {
        type: 'challenge.sent',
        challengeId: 'other',
      });
      const valid: PushNotice = { type: 'challenge.sent', challengeId: 'c1' };
      const arrival = page.next();
      await raw.publish(channel, JSON.stringify(valid));
      assert.deepEqual(await arrival, valid);
      assert.deepEqual(page.received, [valid]);
    });

    test('an unreachable Redis rejects the creation with code unavailable', async () => {
      await assert.rejects(
        createRedisPushNotifier({ url: 'redis://127.0.0.1:1', channelPrefix: 'x:', commandTimeoutMs: 1000 }),
        { name: 'StoreUnavailableError', code: 'unavailable' },
      );
    });

    test('a lost connection tells every listener that notices may have been missed', {
      timeout: 5000,
    }, async (t) => {
      const proxy = await startOutageProxy(keySpace.url);
      const node = await createRedisPushNotifier({
        url: proxy.url,
        channelPrefix: keySpace.newKeyPrefix(),
        commandTimeoutMs: 2000,
      });
      t.after(async () => {
        await node.close();
        await proxy.stop();
      });
      const page = inbox();
      const device = inbox();
      await node.subscribe(interactionTopic('int-lost'), page.listener);
      await node.subscribe(userTopic('user-lost'), device.listener);
      const told = [page.next(), device.next()];
      await proxy.stop();
      assert.deepEqual(await Promise.all(told), [
        { type: 'notices.interrupted' },
        { type: 'notices.interrupted' },
      ]);
    });
  });
}

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hashBearerId } from '../../store/bearer-ids/bearer-id-hash.ts';
import { withHashedInteractionTopics } from './hashed-interaction-topics.ts';
import { createInProcessPushNotifier } from './in-process-push-notifier.ts';
import { interactionTopic, type PushNotice, type PushTopic, userTopic } from './push-notifier.ts';

const KEY = Buffer.alloc(32, 3);

test('a notice published with the stored hash wakes the page subscribed with the interaction id', async () => {
  const bus = createInProcessPushNotifier();
  const seenOnBus: PushTopic[] = [];
  const notifier = withHashedInteractionTopics(
    {
      publish: (topic, notice) => {
        seenOnBus.push(topic);
        return bus.publish(topic, notice);
      },
      subscribe: (topic, listener) => bus.subscribe(topic, listener),
      close: () => bus.close(),
    },
    [KEY],
  );
  const received: PushNotice[] = [];
  const unsubscribe = await notifier.subscribe(interactionTopic('interaction-uid-1'), (notice) => {
    received.push(notice);
  });
  const fromStore = hashBearerId(KEY, 'interaction-uid-1');
  await notifier.publish(interactionTopic(fromStore), { type: 'challenge.sent', challengeId: 'c1' });
  await notifier.publish(interactionTopic('interaction-uid-1'), {
    type: 'challenge.sent',
    challengeId: 'c2',
  });
  await notifier.publish(userTopic('user-1'), { type: 'challenge.sent', challengeId: 'c3' });
  unsubscribe();
  await notifier.close();
  assert.deepEqual(
    received.map((notice) => ('challengeId' in notice ? notice.challengeId : notice.type)),
    ['c1', 'c2'],
  );
  assert.deepEqual(seenOnBus, [
    interactionTopic(fromStore),
    interactionTopic(fromStore),
    userTopic('user-1'),
  ]);
});

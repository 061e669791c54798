import type { BearerIdKeys } from '../../store/bearer-ids/bearer-id-hash.ts';
import { interactionIdHasher } from '../../store/bearer-ids/hashed-push-state.ts';
import type { PushNotifier, PushTopic } from './push-notifier.ts';

const INTERACTION = 'interaction:';

/**
 * The notifier with every interaction topic named by the hashed interaction id: the login page
 * subscribes with the plain id, and a device's answer publishes with the hash read from the store.
 */
export function withHashedInteractionTopics(notifier: PushNotifier, keys: BearerIdKeys): PushNotifier {
  const hash = interactionIdHasher(keys);
  const topicOf = (topic: PushTopic): PushTopic =>
    topic.startsWith(INTERACTION) ? `${INTERACTION}${hash(topic.slice(INTERACTION.length))}` : topic;
  return {
    publish: (topic, notice) => notifier.publish(topicOf(topic), notice),
    subscribe: (topic, listener) => notifier.subscribe(topicOf(topic), listener),
    close: () => notifier.close(),
  };
}

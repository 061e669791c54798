import { EventEmitter } from 'node:events';
import type { PushNotice, PushNotifier, PushTopic } from './push-notifier.ts';

/** The single-node `PushNotifier`: an EventEmitter, one event name per topic. */
export function createInProcessPushNotifier(): PushNotifier {
  const emitter = new EventEmitter();
  // Each waiting login page and each device stream is one listener; there is no sensible cap.
  emitter.setMaxListeners(0);
  return {
    async publish(topic: PushTopic, notice: PushNotice) {
      emitter.emit(topic, notice);
    },
    async subscribe(topic: PushTopic, listener: (notice: PushNotice) => void) {
      emitter.on(topic, listener);
      return () => {
        emitter.off(topic, listener);
      };
    },
    async close() {
      emitter.removeAllListeners();
    },
  };
}

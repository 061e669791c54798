import type { PushChallengeStatus } from '../../store/push-challenges.ts';

/**
 * What the provider tells waiting parties. Notices carry ids only: listeners read the state from the
 * store, so a notice delivered twice, late, or by another node changes nothing.
 */
export type PushNotice =
  | { type: 'challenge.sent'; challengeId: string }
  | { type: 'challenge.resolved'; challengeId: string; status: Exclude<PushChallengeStatus, 'open'> }
  | { type: 'device.enrolled'; deviceId: string }
  /**
   * Never sent on the bus: the bus lost its connection (Redis went away), so notices may have been
   * missed. A listener reads the store again, or ends its stream so that its client does.
   */
  | { type: 'notices.interrupted' };

/** Who listens: the login page of one interaction, or the devices of one user. */
export type PushTopic = `interaction:${string}` | `user:${string}`;

export function interactionTopic(interactionUid: string): PushTopic {
  return `interaction:${interactionUid}`;
}

export function userTopic(userId: string): PushTopic {
  return `user:${userId}`;
}

/**
 * Fan-out of push notices between the requests of the provider: the device's answer wakes the
 * waiting login page, a new request wakes the device's stream. In one process an EventEmitter does
 * it (`createInProcessPushNotifier`); several nodes need a shared bus such as Redis pub/sub.
 */
export interface PushNotifier {
  publish(topic: PushTopic, notice: PushNotice): Promise<void>;
  /**
   * Resolves once the listener is subscribed, so a caller can subscribe, then read the store, and
   * miss nothing in between. Resolves with the function that unsubscribes.
   */
  subscribe(topic: PushTopic, listener: (notice: PushNotice) => void): Promise<() => void>;
  close(): Promise<void>;
}

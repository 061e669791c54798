import type { PushChallenge } from '../../store/push-challenges.ts';
import type { PushContext } from './push-context.ts';
import { interactionTopic, userTopic } from './push-notifier.ts';

/**
 * Reports requests the store has just resolved without an answer (expired or withdrawn), each once:
 * an auth event, and a notice to the waiting login page and the devices (through the notifier, so on
 * every node).
 */
export async function reportPushResolutions(
  context: PushContext,
  challenges: readonly PushChallenge[],
  status: 'expired' | 'withdrawn',
): Promise<void> {
  for (const challenge of challenges) {
    context.logAuthEvent({
      event: status === 'expired' ? 'push.expired' : 'push.withdrawn',
      userId: challenge.userId,
      clientId: challenge.clientId,
      challengeId: challenge.id,
    });
    const notice = { type: 'challenge.resolved', challengeId: challenge.id, status } as const;
    await context.notifier.publish(interactionTopic(challenge.interactionUid), notice);
    await context.notifier.publish(userTopic(challenge.userId), notice);
  }
}

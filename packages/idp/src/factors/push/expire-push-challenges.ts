import type { PushChallenge } from '../../store/push-challenges.ts';
import type { PushContext } from './push-context.ts';
import { interactionTopic, userTopic } from './push-notifier.ts';

/**
 * Marks overdue open requests expired — all, one interaction's, or one — and reports each exactly
 * once: an auth event, and a notice to the waiting login page and the devices.
 */
export async function expirePushChallenges(
  context: PushContext,
  now: number,
  scope?: { interactionUid: string } | { id: string },
): Promise<PushChallenge[]> {
  const expired = await context.store.pushChallenges.expireDue(now, scope);
  for (const challenge of expired) {
    context.logAuthEvent({
      event: 'push.expired',
      userId: challenge.userId,
      clientId: challenge.clientId,
      challengeId: challenge.id,
    });
    const notice = { type: 'challenge.resolved', challengeId: challenge.id, status: 'expired' } as const;
    await context.notifier.publish(interactionTopic(challenge.interactionUid), notice);
    await context.notifier.publish(userTopic(challenge.userId), notice);
  }
  return expired;
}

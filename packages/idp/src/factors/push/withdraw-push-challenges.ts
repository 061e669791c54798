import type { PushChallenge } from '../../store/push-challenges.ts';
import type { PushContext } from './push-context.ts';
import { interactionTopic, userTopic } from './push-notifier.ts';

/**
 * Withdraws the open requests of a login that ended, and reports each exactly once: an auth event,
 * and a notice to the devices (through the notifier, so on every node) and the login page. From then
 * on devices no longer list them, and an answer gets `login_ended`.
 */
export async function withdrawPushChallenges(
  context: PushContext,
  interactionUid: string,
  now: number,
): Promise<PushChallenge[]> {
  const withdrawn = await context.store.pushChallenges.withdrawOpen(interactionUid, now);
  for (const challenge of withdrawn) {
    context.logAuthEvent({
      event: 'push.withdrawn',
      userId: challenge.userId,
      clientId: challenge.clientId,
      challengeId: challenge.id,
    });
    const notice = { type: 'challenge.resolved', challengeId: challenge.id, status: 'withdrawn' } as const;
    await context.notifier.publish(interactionTopic(challenge.interactionUid), notice);
    await context.notifier.publish(userTopic(challenge.userId), notice);
  }
  return withdrawn;
}

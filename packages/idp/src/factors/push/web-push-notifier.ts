import type { Logger } from 'pino';
import type { PushChallengesRepository } from '../../store/push-challenges.ts';
import type { PushNotifier } from './push-notifier.ts';
import type { WebPushSender } from './web-push-sender.ts';

/**
 * Adds Web Push to the notices of a node: when a request is sent to a user's devices, it also goes
 * to their push subscriptions. Only the node that created the request publishes it, so each device
 * gets one message however many nodes run. Not awaited by the publisher: a slow or unreachable push
 * service never holds up the login page, which goes on over the event stream.
 */
export function withWebPush(
  notifier: PushNotifier,
  deps: {
    sender: WebPushSender;
    pushChallenges: Pick<PushChallengesRepository, 'findById'>;
    logger: Logger;
  },
): PushNotifier {
  const pending = new Set<Promise<void>>();

  async function pushChallenge(challengeId: string): Promise<void> {
    try {
      const challenge = await deps.pushChallenges.findById(challengeId);
      if (challenge?.status !== 'open') return;
      await deps.sender.notifyUser(
        challenge.userId,
        {
          challengeId: challenge.id,
          clientName: challenge.clientName,
          ...(challenge.transaction ? { summary: challenge.transaction.summary } : {}),
        },
        Math.max(1, challenge.expiresAt - challenge.createdAt),
      );
    } catch (error) {
      deps.logger.warn(
        { challengeId, err: error instanceof Error ? error.message : String(error) },
        'web push failed',
      );
    }
  }

  return {
    async publish(topic, notice) {
      await notifier.publish(topic, notice);
      if (notice.type !== 'challenge.sent' || !topic.startsWith('user:')) return;
      const delivery = pushChallenge(notice.challengeId);
      pending.add(delivery);
      delivery.finally(() => pending.delete(delivery));
    },
    subscribe: (topic, listener) => notifier.subscribe(topic, listener),
    async close() {
      await Promise.all(pending);
      await notifier.close();
    },
  };
}

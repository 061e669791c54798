import { randomBytes } from 'node:crypto';
import { StoreConflictError } from '../../store/errors.ts';
import type { PushChallenge, PushTransaction } from '../../store/push-challenges.ts';
import { expirePushChallenges } from './expire-push-challenges.ts';
import type { PushContext } from './push-context.ts';
import { userTopic } from './push-notifier.ts';
import { drawPushNumbers } from './push-numbers.ts';

export interface PushRequest {
  userId: string;
  interactionUid: string;
  clientId: string;
  clientName: string;
  ip: string;
  /** A transaction-bound login: what the device shows and signs over. */
  transaction?: PushTransaction;
  /** When the login times out (epoch seconds): its request expires then at the latest. */
  loginExpiresAt: number;
}

export type PushSendOutcome =
  | { outcome: 'sent'; challenge: PushChallenge }
  /** The login already has an open request: at most one per login, so nothing new was sent. */
  | { outcome: 'open'; challenge: PushChallenge }
  /** The account reached its cap on requests per window. */
  | { outcome: 'throttled'; retryAfter: number }
  /** Push is paused for the account after repeated denials. */
  | { outcome: 'paused'; retryAfter: number };

/** Sends a push request for a login, within the fatigue limits, and wakes the user's devices. */
export async function sendPushChallenge(
  context: PushContext,
  request: PushRequest,
  now: number,
): Promise<PushSendOutcome> {
  const { store, fatigue, logAuthEvent } = context;
  const { userId, clientId } = request;
  await expirePushChallenges(context, now, { interactionUid: request.interactionUid });
  const latest = await store.pushChallenges.latestForInteraction(request.interactionUid);
  if (latest?.status === 'open') return { outcome: 'open', challenge: latest };

  const paused = await fatigue.pausedFor(userId, now);
  if (paused !== undefined) {
    logAuthEvent({ event: 'push.throttled', userId, clientId, reason: 'paused', retryAfter: paused });
    return { outcome: 'paused', retryAfter: paused };
  }
  const capped = await fatigue.takeSend(userId, now);
  if (capped !== undefined) {
    logAuthEvent({ event: 'push.throttled', userId, clientId, reason: 'cap', retryAfter: capped });
    return { outcome: 'throttled', retryAfter: capped };
  }

  const { number, choices } = drawPushNumbers(context.randomInt);
  let challenge: PushChallenge;
  const { loginExpiresAt, ...opened } = request;
  try {
    challenge = await store.pushChallenges.open({
      ...opened,
      number,
      choices,
      nonce: randomBytes(16).toString('base64url'),
      now,
      expiresAt: Math.min(now + context.settings.challengeTtlSeconds, loginExpiresAt),
    });
  } catch (error) {
    // Two tabs of one login asked at once: the other one's request stands.
    const open = await store.pushChallenges.latestForInteraction(request.interactionUid);
    if (error instanceof StoreConflictError && open?.status === 'open')
      return { outcome: 'open', challenge: open };
    throw error;
  }
  logAuthEvent({ event: 'push.sent', userId, clientId, challengeId: challenge.id, ip: request.ip });
  await context.notifier.publish(userTopic(userId), { type: 'challenge.sent', challengeId: challenge.id });
  return { outcome: 'sent', challenge };
}

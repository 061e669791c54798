import { ACCOUNT_CLIENT_ID } from '../account/account-client.ts';
import { expirePushChallenges } from '../factors/push/expire-push-challenges.ts';
import type { PushContext } from '../factors/push/push-context.ts';
import { type PushSendOutcome, sendPushChallenge } from '../factors/push/send-push-challenge.ts';
import type { PushChallenge } from '../store/push-challenges.ts';

/** What the person's device shows as the application asking. */
const RESET_CLIENT_NAME = 'Password reset';

/**
 * The latest push request of one reset link (keyed by `resetProofKey`), after marking it expired if
 * its time has passed; undefined when there is none, or it is not this person's.
 */
export async function latestResetPush(
  context: PushContext,
  proofKey: string,
  userId: string,
  now: number,
): Promise<PushChallenge | undefined> {
  await expirePushChallenges(context, now, { interactionUid: proofKey });
  const challenge = await context.store.pushChallenges.latestForInteraction(proofKey);
  return challenge?.userId === userId ? challenge : undefined;
}

/**
 * Sends a push request for a reset link to the person's devices, within the same per-account limits
 * as sign-in requests (at most one open per link; it ends with the link at the latest).
 */
export function sendResetPush(
  context: PushContext,
  request: { proofKey: string; userId: string; ip: string; linkExpiresAt: number },
  now: number,
): Promise<PushSendOutcome> {
  return sendPushChallenge(
    context,
    {
      userId: request.userId,
      interactionUid: request.proofKey,
      clientId: ACCOUNT_CLIENT_ID,
      clientName: RESET_CLIENT_NAME,
      ip: request.ip,
      loginExpiresAt: request.linkExpiresAt,
    },
    now,
  );
}

/**
 * Takes the approval of a reset link's push request, once: true for the one caller that claimed an
 * approved, unused request of this link and person; false otherwise (none, open, denied, used).
 */
export async function claimResetPushApproval(
  context: PushContext,
  proofKey: string,
  userId: string,
  now: number,
): Promise<boolean> {
  const challenge = await latestResetPush(context, proofKey, userId, now);
  if (challenge?.status !== 'approved' || challenge.consumedAt !== null) return false;
  return context.store.pushChallenges.consumeApproval(challenge.id, now);
}

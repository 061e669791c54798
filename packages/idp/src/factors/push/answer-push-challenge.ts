import { z } from 'zod';
import { authorizationDetailsDigest } from '../../authorization-details/authorization-details-digest.ts';
import type { PushAnswer, PushChallenge, PushChallengeStatus } from '../../store/push-challenges.ts';
import type { PushDevice } from '../../store/push-devices.ts';
import { verifyDeviceSignature } from './device-public-key.ts';
import { expirePushChallenges } from './expire-push-challenges.ts';
import type { PushContext } from './push-context.ts';
import { PushError } from './push-error.ts';
import { interactionTopic, userTopic } from './push-notifier.ts';
import { pushResponseMessage } from './push-protocol.ts';

const responseBody = z.strictObject({
  device: z.string().min(1).max(100),
  decision: z.enum(['approve', 'deny']),
  number: z.number().int().min(10).max(99).nullable(),
  nonce: z.string().min(1).max(100),
  /** What the device computed over the details it displayed; informative, the signature decides. */
  transaction_digest: z.string().max(100).optional(),
  signature: z.string().min(1).max(200),
});

/**
 * Verifies a device's answer to a push request and records it, once: the device is enrolled and
 * not revoked, the signature verifies with its key over {challenge id, decision, number, nonce}, the
 * request is this user's, still open and unexpired, and its login has not ended. The status changes
 * in one atomic step. An approval with a number other than the one the login page shows denies the
 * request at once (one chance in three for a blind tap, never two) and counts as a denial, like a
 * refusal; it throws `wrong_number` after recording it. Throws a `PushError` otherwise, changing
 * nothing.
 */
export async function answerPushChallenge(
  context: PushContext,
  challengeId: string,
  body: unknown,
  now: number,
): Promise<{ challenge: PushChallenge; device: PushDevice }> {
  const { store } = context;
  const parsed = responseBody.safeParse(body);
  if (!parsed.success) throw new PushError('invalid_request', parsed.error.issues[0]?.message);
  const answer = parsed.data;
  if ((answer.decision === 'approve') !== (answer.number !== null)) {
    throw new PushError('invalid_request', 'an approval carries a number, a denial none');
  }

  const device = await store.pushDevices.findById(answer.device);
  if (!device || device.revokedAt !== null) throw new PushError('unknown_device');
  const challenge = await store.pushChallenges.findById(challengeId);
  // A transaction-bound request: the signature must cover the digest of the request's own details,
  // so an approval made over other details (or none) verifies for nothing here.
  const transactionDigest = challenge?.transaction
    ? authorizationDetailsDigest(challenge.transaction.details)
    : undefined;
  const message = pushResponseMessage({
    challengeId,
    ...answer,
    ...(transactionDigest === undefined ? {} : { transactionDigest }),
  });
  if (!verifyDeviceSignature(device.publicKey, message, answer.signature))
    throw new PushError('bad_signature');

  // Another user's request is answered as if it did not exist: a device learns nothing about it.
  if (!challenge || challenge.userId !== device.userId || challenge.nonce !== answer.nonce) {
    throw new PushError('unknown_challenge');
  }
  if (challenge.status !== 'open') throw refusalFor(challenge.status);
  if (challenge.expiresAt <= now) {
    await expirePushChallenges(context, now, { id: challenge.id });
    throw new PushError('challenge_expired');
  }

  const recorded: PushAnswer =
    answer.decision === 'deny'
      ? { status: 'denied', denialReason: 'refused' }
      : answer.number === challenge.number
        ? { status: 'approved' }
        : { status: 'denied', denialReason: 'wrong_number' };
  const won = await store.pushChallenges.resolve({
    ...recorded,
    id: challenge.id,
    userId: device.userId,
    nonce: answer.nonce,
    deviceId: device.id,
    now,
  });
  if (!won) {
    // Someone else was first, the login ended, or the time ran out between the read and the update.
    const current = await store.pushChallenges.findById(challenge.id);
    if (current?.status === 'open') await expirePushChallenges(context, now, { id: challenge.id });
    throw refusalFor(current?.status === 'open' || current === undefined ? 'expired' : current.status);
  }

  await store.pushDevices.markUsed(device.id, now);
  const event = {
    userId: device.userId,
    clientId: challenge.clientId,
    challengeId: challenge.id,
    deviceId: device.id,
  };
  if (recorded.status === 'approved') {
    context.logAuthEvent({ event: 'push.approved', ...event });
  } else {
    context.logAuthEvent({ event: 'push.denied', ...event, reason: recorded.denialReason });
    await context.fatigue.recordDenial(device.userId, now);
  }
  const notice = { type: 'challenge.resolved', challengeId: challenge.id, status: recorded.status } as const;
  await context.notifier.publish(interactionTopic(challenge.interactionUid), notice);
  await context.notifier.publish(userTopic(device.userId), notice);
  if (recorded.status === 'denied' && recorded.denialReason === 'wrong_number') {
    throw new PushError('wrong_number', 'the wrong number denied the request');
  }
  const resolved = { ...challenge, ...recorded, resolvedAt: now, deviceId: device.id };
  return { challenge: resolved, device };
}

/** Why a challenge that is no longer open cannot be answered. */
function refusalFor(status: Exclude<PushChallengeStatus, 'open'>): PushError {
  if (status === 'expired') return new PushError('challenge_expired');
  if (status === 'withdrawn') return new PushError('login_ended');
  return new PushError('challenge_resolved');
}

import { z } from 'zod';
import type { PushChallenge } from '../../store/push-challenges.ts';
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
  signature: z.string().min(1).max(200),
});

/**
 * Verifies a device's answer to a push request and records it, once: the device is enrolled and
 * not revoked, the signature verifies with its key over {challenge id, decision, number, nonce}, the
 * request is this user's, still open and unexpired, and an approval carries the number the login
 * page shows. The status changes in one atomic step. Throws a `PushError` otherwise; a refusal
 * changes nothing, except that a second wrong number for one request denies it.
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
  const message = pushResponseMessage({ challengeId, ...answer });
  if (!verifyDeviceSignature(device.publicKey, message, answer.signature))
    throw new PushError('bad_signature');

  const challenge = await store.pushChallenges.findById(challengeId);
  // Another user's request is answered as if it did not exist: a device learns nothing about it.
  if (!challenge || challenge.userId !== device.userId || challenge.nonce !== answer.nonce) {
    throw new PushError('unknown_challenge');
  }
  if (challenge.status === 'expired') throw new PushError('challenge_expired');
  if (challenge.status !== 'open') throw new PushError('challenge_resolved');
  if (challenge.expiresAt <= now) {
    await expirePushChallenges(context, now, { id: challenge.id });
    throw new PushError('challenge_expired');
  }

  let status: 'approved' | 'denied' = answer.decision === 'approve' ? 'approved' : 'denied';
  let reason: 'denied' | 'wrong_number' = 'denied';
  if (answer.decision === 'approve' && answer.number !== challenge.number) {
    if (!(await context.fatigue.wrongNumberExhausts(challenge.id, now))) throw new PushError('wrong_number');
    status = 'denied';
    reason = 'wrong_number';
  }

  const won = await store.pushChallenges.resolve({
    id: challenge.id,
    userId: device.userId,
    nonce: answer.nonce,
    status,
    deviceId: device.id,
    now,
  });
  if (!won) {
    // Someone else was first, or the time ran out between the read and the update.
    const current = await store.pushChallenges.findById(challenge.id);
    if (current?.status === 'open') await expirePushChallenges(context, now, { id: challenge.id });
    throw new PushError(
      current?.status === 'open' || current?.status === 'expired'
        ? 'challenge_expired'
        : 'challenge_resolved',
    );
  }

  await store.pushDevices.markUsed(device.id, now);
  const event = {
    userId: device.userId,
    clientId: challenge.clientId,
    challengeId: challenge.id,
    deviceId: device.id,
  };
  if (status === 'approved') {
    context.logAuthEvent({ event: 'push.approved', ...event });
  } else {
    context.logAuthEvent({ event: 'push.denied', ...event, reason });
    await context.fatigue.recordDenial(device.userId, now);
  }
  const notice = { type: 'challenge.resolved', challengeId: challenge.id, status } as const;
  await context.notifier.publish(interactionTopic(challenge.interactionUid), notice);
  await context.notifier.publish(userTopic(device.userId), notice);
  if (reason === 'wrong_number')
    throw new PushError('wrong_number', 'a second wrong number denied the request');
  return { challenge: { ...challenge, status, resolvedAt: now, deviceId: device.id }, device };
}

import { z } from 'zod';
import type { PushDevice } from '../../store/push-devices.ts';
import type { PushEnrollmentGrant } from '../../store/push-enrollment-tokens.ts';
import { readDevicePublicKey, verifyDeviceSignature } from './device-public-key.ts';
import { hashEnrollmentToken } from './issue-push-enrollment.ts';
import type { PushContext } from './push-context.ts';
import { PushError } from './push-error.ts';
import { interactionTopic, userTopic } from './push-notifier.ts';
import { enrollmentMessage } from './push-protocol.ts';

/** Shown in lists and on the device; printable text without line breaks. */
const DEVICE_NAME = /^[^\p{Cc}\p{Cf}\u2028\u2029]{1,64}$/u;

const enrollmentBody = z.strictObject({
  token: z.string().min(1).max(200),
  // Checked as sent (the signature covers it), stored trimmed.
  name: z
    .string()
    .regex(DEVICE_NAME, 'a name of 1 to 64 printable characters')
    .refine((name) => name.trim() !== '', 'a name that is not blank'),
  publicKey: z.unknown(),
  signature: z.string().min(1).max(200),
});

/**
 * Registers a device's public key for the user an enrollment token was issued to. The device must
 * sign the token and its name with the new key; the token is consumed only once that holds, so a
 * malformed attempt does not burn it. Throws a `PushError` otherwise.
 */
export async function enrollPushDevice(
  context: PushContext,
  body: unknown,
  now: number,
): Promise<{ device: PushDevice; grant: PushEnrollmentGrant }> {
  const parsed = enrollmentBody.safeParse(body);
  if (!parsed.success) throw new PushError('invalid_request', parsed.error.issues[0]?.message);
  const { token, name, signature } = parsed.data;
  const publicKey = readDevicePublicKey(parsed.data.publicKey);
  if (!verifyDeviceSignature(publicKey, enrollmentMessage({ token, name }), signature)) {
    throw new PushError('bad_signature');
  }
  const grant = await context.store.pushEnrollmentTokens.consume(hashEnrollmentToken(token), now);
  if (!grant) throw new PushError('invalid_enrollment_token');

  const device = await context.store.pushDevices.add({
    userId: grant.userId,
    name: name.trim(),
    publicKey,
    now,
  });
  context.logAuthEvent({ event: 'factor.enrolled', userId: grant.userId, factor: 'push' });
  const enrolled = { type: 'device.enrolled', deviceId: device.id } as const;
  if (grant.interactionUid !== null) {
    await context.notifier.publish(interactionTopic(grant.interactionUid), enrolled);
  }
  // The account page that showed the QR code waits on the person's topic (device streams ignore it).
  await context.notifier.publish(userTopic(grant.userId), enrolled);
  return { device, grant };
}

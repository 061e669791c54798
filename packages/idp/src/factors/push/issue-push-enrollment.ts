import { createHash, randomBytes } from 'node:crypto';
import type { PushContext } from './push-context.ts';
import { ENROLLMENT_FRAGMENT } from './push-protocol.ts';

export interface PushEnrollmentLink {
  /** Opens the authenticator app with the token; also what the QR code encodes. */
  link: string;
  /** Epoch seconds. */
  expiresAt: number;
}

/** The store keeps only this: a leaked database row cannot enroll a device. */
export function hashEnrollmentToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

/**
 * Issues a single-use, short-lived enrollment token for a user and the link that carries it, in the
 * fragment so it never reaches a server log. A token issued for a login interaction replaces the
 * one that interaction showed before.
 */
export async function issuePushEnrollment(
  context: PushContext,
  grant: { userId: string; interactionUid: string | null },
  now: number,
): Promise<PushEnrollmentLink> {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = now + context.settings.enrollmentTtlSeconds;
  await context.store.pushEnrollmentTokens.issue({
    tokenHash: hashEnrollmentToken(token),
    ...grant,
    now,
    expiresAt,
  });
  return { link: `${context.issuer}/authenticator#${ENROLLMENT_FRAGMENT}=${token}`, expiresAt };
}

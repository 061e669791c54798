import { createHash } from 'node:crypto';

/**
 * A digest of the stored password hash, kept with a reset link: argon2 salts every hash afresh, so
 * any later password change — whatever set it — gives another digest and voids the link.
 */
export function passwordFingerprint(passwordHash: string): string {
  return createHash('sha256').update(passwordHash, 'utf8').digest('base64url');
}

import { createHash } from 'node:crypto';

/**
 * The id a reset link's proofs are bound to, in place of a login interaction's id: its throttled code
 * attempts, its push request and its WebAuthn challenge. Derived from a digest of the link's token, so
 * the token itself is never stored or sent on with them, and a proof given for one link (or for a
 * login) is never found under another.
 */
export function resetProofKey(token: string): string {
  return `password-reset:${createHash('sha256').update(token).digest('base64url')}`;
}
